/**
 * The proxy (kube-proxy, in its first, "userspace" mode): makes every
 * Service reachable at its cluster IP and port, and a NodePort Service also
 * at 127.0.0.1:<nodePort>, by listening there and forwarding each new
 * connection to one ready endpoint, round robin.
 *
 *   informers: services, endpoints --(any change)--> sync()
 *
 *   sync():  wanted = servicePorts(services, endpoints)
 *            gone:  close its listeners; a cluster IP nobody uses any more leaves the bridge
 *            new:   cluster IP onto the bridge, listen on clusterIP:port (and 127.0.0.1:nodePort)
 *            every: hand the ready endpoints to its round robin
 *
 * In a real cluster one kube-proxy runs on every node, each in its node's own
 * network namespace. Here every "node" is a kubelet in one process on one
 * host: they share the host's network, and two listeners on the same
 * clusterIP:port would clash. So one proxy serves the whole cluster: it is
 * the kube-proxy of every node at once.
 */
import type { Endpoints, Service } from "../../../shared/api/service.ts";
import { Informer } from "../../04-kubectl/client/informer.ts";
import { RestClient } from "../../04-kubectl/client/rest.ts";
import { ENDPOINTS, SERVICES } from "../client/resources.ts";
import type { BridgeAddresses } from "./addresses.ts";
import { PortProxy } from "./port-proxy.ts";
import { RoundRobin } from "./round-robin.ts";
import { servicePorts, type ServicePortInfo } from "./service-ports.ts";

export interface ProxyOptions {
  /** The apiserver. */
  server: string;
  /** A bearer token (chapter 11). */
  token?: string;
  /** Puts cluster IPs on the cluster's bridge. Without it the proxy assumes they are there already. */
  addresses?: BridgeAddresses;
  /** Where NodePort listeners bind. Default 127.0.0.1: this workshop serves loopback only. */
  nodePortAddress?: string;
  /** A listener that failed (port taken...) is tried again after this long. Default 1 s. */
  retryDelayMs?: number;
  log?: (line: string) => void;
}

/** What serves one Service port: its round robin and its listeners. */
interface Served {
  /** What it was built for: a change of IP, port or node port rebuilds it. */
  id: string;
  balancer: RoundRobin;
  listeners: PortProxy[];
}

/** A Service with this label is served by the proxy it names, not by this one (Kubernetes: LabelServiceProxyName). */
export const SERVICE_PROXY_NAME_LABEL = "service.kubernetes.io/service-proxy-name";

const idOf = (p: ServicePortInfo) => `${p.clusterIP}:${p.port}:${p.nodePort ?? ""}`;

export class Proxy {
  private readonly client: RestClient;
  private readonly services: Informer<Service>;
  private readonly endpoints: Informer<Endpoints>;
  private readonly served = new Map<string, Served>();
  private readonly log: (line: string) => void;
  private syncing: Promise<void> | undefined;
  private dirty = false;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ProxyOptions) {
    this.log = options.log ?? (() => {});
    this.client = new RestClient({ server: options.server, token: options.token });
    const onError = (err: Error) => this.log(`proxy: ${err.message}`);
    // Like kube-proxy, leave alone the Services that name another proxy (chapter 14's cluster DNS has its own).
    this.services = new Informer<Service>(this.client.resource<Service>(SERVICES), {
      onError,
      labelSelector: `!${SERVICE_PROXY_NAME_LABEL}`,
    });
    this.endpoints = new Informer<Endpoints>(this.client.resource<Endpoints>(ENDPOINTS), { onError });
    for (const informer of [this.services, this.endpoints] as Informer<Service | Endpoints>[]) {
      informer.onAdd(() => this.requestSync());
      informer.onUpdate(() => this.requestSync());
      informer.onDelete(() => this.requestSync());
    }
  }

  /** Starts watching; resolves once the first sync is done. */
  async start(): Promise<void> {
    this.services.start();
    this.endpoints.start();
    await Promise.all([this.services.waitForSync(), this.endpoints.waitForSync()]);
    this.requestSync();
    await this.syncing;
  }

  /** The Service ports served now, "namespace/name:port" -> the endpoints in rotation (for tests and tools). */
  snapshot(): Map<string, string[]> {
    return new Map([...this.served].map(([key, s]) => [key, s.balancer.list().map((e) => `${e.ip}:${e.port}`)]));
  }

  /** Runs sync() now, or once more after the running one: syncs never overlap. */
  private requestSync(): void {
    if (this.stopped) return;
    this.dirty = true;
    this.syncing ??= (async () => {
      while (this.dirty && !this.stopped) {
        this.dirty = false;
        await this.sync().catch((err: Error) => this.log(`proxy: sync: ${err.message}`));
      }
      this.syncing = undefined;
    })();
  }

  /** Makes the listeners match the Services and their endpoints. */
  private async sync(): Promise<void> {
    // STEP(10.2): make what is served match `wanted`. A Service port that is
    // gone, or whose IP or ports changed (idOf), is closed first, so its
    // address and port are free again. Cluster IPs nobody uses leave the
    // bridge. New ones are served (serve()); one that fails is tried again
    // after retryDelayMs, and must not stop the others. Every served port
    // gets its current ready endpoints. Tests: the "10.2" tests.
    //#solution
    const wanted = new Map(servicePorts(this.services.list(), this.endpoints.list()).map((p) => [p.key, p]));
    // Gone, or changed address: close first, so the address and port are free again.
    for (const [key, served] of this.served) {
      const want = wanted.get(key);
      if (want && idOf(want) === served.id) continue;
      this.served.delete(key);
      await Promise.all(served.listeners.map((l) => l.close()));
      this.log(`proxy: stopped ${key}`);
    }
    // Addresses go on and off the bridge in parallel: the changes that wait together share one helper container.
    const ips = new Set([...wanted.values()].map((p) => p.clusterIP));
    const unused = (this.options.addresses?.addresses() ?? []).filter((ip) => !ips.has(ip));
    await Promise.all(unused.map((ip) => this.options.addresses?.remove(ip)));
    let failed = false;
    const added = [...wanted].filter(([key]) => !this.served.has(key));
    await Promise.all(
      added.map(async ([key, want]) => {
        const served = await this.serve(key, want).catch((err: Error) => {
          this.log(`proxy: cannot serve ${key} on ${want.clusterIP}:${want.port}: ${err.message}; trying again`);
          failed = true;
          return undefined;
        });
        if (served) this.served.set(key, served);
      }),
    );
    for (const [key, want] of wanted) this.served.get(key)?.balancer.setEndpoints(want.endpoints);
    if (failed && !this.stopped) {
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => this.requestSync(), this.options.retryDelayMs ?? 1_000);
    }
    //#end
  }

  /** Puts the cluster IP on the bridge and opens the listeners of one Service port. */
  private async serve(key: string, want: ServicePortInfo): Promise<Served> {
    await this.options.addresses?.add(want.clusterIP);
    const balancer = new RoundRobin();
    const listeners: PortProxy[] = [];
    const open = async (host: string, port: number) => {
      const listener = new PortProxy({ host, port, balancer, log: this.log });
      await listener.listen();
      listeners.push(listener);
    };
    try {
      await open(want.clusterIP, want.port);
      if (want.nodePort) await open(this.options.nodePortAddress ?? "127.0.0.1", want.nodePort);
    } catch (err) {
      await Promise.all(listeners.map((l) => l.close()));
      throw err;
    }
    this.log(`proxy: serving ${key} on ${listeners.map((l) => l.address).join(" and ")}`);
    return { id: idOf(want), balancer, listeners };
  }

  /** Stops watching, closes every listener and takes every cluster IP off the bridge. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.syncing;
    await Promise.all([this.services.stop(), this.endpoints.stop()]);
    for (const served of this.served.values()) await Promise.all(served.listeners.map((l) => l.close()));
    this.served.clear();
    await this.options.addresses?.close();
  }
}

export async function startProxy(options: ProxyOptions): Promise<Proxy> {
  const proxy = new Proxy(options);
  try {
    await proxy.start();
  } catch (err) {
    await proxy.stop();
    throw err;
  }
  return proxy;
}
