/**
 * Chapter 14: discovery. prepare() gives every kubelet's runtime the pod
 * DNS wrapper (each app container gets its pod's /etc/resolv.conf).
 * start() serves Ingress and IngressClass, starts the cluster DNS server
 * and the ingress controller, and makes the DNS server reachable from pods
 * at the kube-dns Service's cluster IP, port 53:
 *
 *   pod --UDP/TCP--> 172.21.128.10:53 (kube-dns cluster IP, on the bridge)
 *        relay in a host-network container (privileged-port.ts: port 53 needs privilege)
 *        --> DNS server on the bridge's own address, an ordinary port (the kube-dns Endpoints)
 *
 * The kube-dns Service carries the label service.kubernetes.io/service-proxy-name,
 * so chapter 10's proxy leaves it to this relay (as kube-proxy leaves Services
 * that name another proxy). Without a Docker network (hollow nodes) the DNS
 * server listens on 127.0.0.1 and nothing relays.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { connectDocker } from "../../docker.ts";
import { TEST_IMAGE } from "../../test-image.ts";
import type { DiscoveryModule, ServicesModule } from "../contracts.ts";
import { forwardPrivilegedPort } from "../privileged-port.ts";
import type { ClusterComponent, ClusterContext } from "../types.ts";

async function api(ctx: ClusterContext, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${ctx.url}${path}`, {
    method,
    headers: { "content-type": "application/json", ...(ctx.token ? { authorization: `Bearer ${ctx.token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Creates (or replaces) an object; a 409 on create means it is there: PUT it. */
async function apply(ctx: ClusterContext, collection: string, name: string, body: object): Promise<unknown> {
  let res = await api(ctx, "POST", collection, body);
  if (res.status === 409) {
    const current = (await (await api(ctx, "GET", `${collection}/${name}`)).json()) as {
      metadata?: { resourceVersion?: string };
    };
    const withVersion = {
      ...body,
      metadata: { ...(body as { metadata: object }).metadata, resourceVersion: current.metadata?.resourceVersion },
    };
    res = await api(ctx, "PUT", `${collection}/${name}`, withVersion);
  }
  if (!res.ok) throw new Error(`${collection}/${name}: ${res.status} ${await res.text()}`);
  return res.json();
}

export const discoveryComponent: ClusterComponent = {
  chapter: "14",
  name: "discovery",
  after: {
    apiserver: "ingresses are served there",
    services: "the DNS server answers from Services and Endpoints, and its own Service needs a cluster IP",
  },
  enabled: (ctx) => existsSync(join(ctx.tree, "14-discovery", "index.ts")),
  async prepare(ctx) {
    const discovery = await ctx.load<DiscoveryModule>("14-discovery/index.ts");
    ctx.runtimeWrappers.push(
      discovery.withPodDns({ dir: join(ctx.tempDir, "dns"), domain: discovery.CLUSTER_DOMAIN, service: discovery.DNS_SERVICE }),
    );
  },
  async start(ctx) {
    if (!ctx.apiserver || !ctx.url) throw new Error("discovery needs the apiserver of chapter 03");
    const discovery = await ctx.load<DiscoveryModule>("14-discovery/index.ts");
    discovery.installIngress(ctx.apiserver);
    const stops: (() => Promise<void>)[] = [];
    const stopAll = async () => {
      for (const stop of stops.reverse()) await stop().catch((err: Error) => ctx.log(`discovery: ${err.message}`));
    };
    try {
      // The DNS server listens on the bridge's own address (pods reach it), or on loopback without a network.
      const docker = connectDocker();
      const gateway = ctx.network
        ? ((await docker.getNetwork(ctx.network).inspect()).IPAM?.Config?.[0] as { Gateway?: string } | undefined)?.Gateway
        : undefined;
      const dns = await discovery.startDnsServer({
        server: ctx.url,
        token: ctx.token,
        host: gateway ?? "127.0.0.1",
        log: ctx.log,
      });
      stops.push(() => dns.stop());

      const { namespace, name } = discovery.DNS_SERVICE;
      const service = (await apply(ctx, `/api/v1/namespaces/${namespace}/services`, name, {
        apiVersion: "v1",
        kind: "Service",
        metadata: {
          name,
          namespace,
          labels: { "k8s-app": "kube-dns", "service.kubernetes.io/service-proxy-name": "cluster-dns-relay" },
        },
        // Chapter 10 serves TCP ports only; the relay carries UDP and TCP on port 53 all the same.
        spec: { ports: [{ name: "dns-tcp", port: 53, targetPort: dns.server.port, protocol: "TCP" }] },
      })) as { spec?: { clusterIP?: string } };
      await apply(ctx, `/api/v1/namespaces/${namespace}/endpoints`, name, {
        apiVersion: "v1",
        kind: "Endpoints",
        metadata: { name, namespace, labels: { "k8s-app": "kube-dns" } },
        subsets: [{ addresses: [{ ip: dns.server.host }], ports: [{ name: "dns-tcp", port: dns.server.port, protocol: "TCP" }] }],
      });
      const clusterIP = service.spec?.clusterIP;
      if (ctx.network && clusterIP && gateway) {
        const services = await ctx.load<ServicesModule>("10-services/index.ts");
        const info = await docker.getNetwork(ctx.network).inspect();
        const bridge =
          (info.Options?.["com.docker.network.bridge.name"] as string | undefined) ?? `br-${String(info.Id).slice(0, 12)}`;
        const addresses = new services.BridgeAddresses({ docker, bridge, image: TEST_IMAGE, labels: ctx.labels });
        // At cluster close, the network's removal takes the bridge and this address along.
        stops.push(() => (ctx.closing ? Promise.resolve() : addresses.close()));
        await addresses.add(clusterIP);
        const relay = await forwardPrivilegedPort({
          docker,
          image: TEST_IMAGE,
          listen: { host: clusterIP, port: 53 },
          target: { host: dns.server.host, port: dns.server.port },
          labels: ctx.labels,
        });
        // At cluster close, the Docker cleanup removes the relay with the other containers, at once.
        stops.push(() => (ctx.closing ? Promise.resolve() : relay.close()));
        ctx.log(`discovery: cluster DNS at ${clusterIP}:53 (udp, tcp) -> ${dns.server.host}:${dns.server.port}`);
      } else {
        ctx.log(`discovery: cluster DNS at ${dns.server.host}:${dns.server.port} (no Docker network: nothing on port 53)`);
      }

      await apply(ctx, "/apis/networking.k8s.io/v1/ingressclasses", "workshop", {
        apiVersion: "networking.k8s.io/v1",
        kind: "IngressClass",
        metadata: { name: "workshop", annotations: { "ingressclass.kubernetes.io/is-default-class": "true" } },
        spec: { controller: discovery.CONTROLLER_NAME },
      });
      const ingress = await discovery.startIngressController({
        server: ctx.url,
        token: ctx.token,
        host: "127.0.0.1",
        // Any free port unless WORKSHOP_INGRESS_PORT names one; the Ingresses' status says which.
        port: Number(process.env.WORKSHOP_INGRESS_PORT ?? "0"),
        log: ctx.log,
      });
      stops.push(() => ingress.stop());
      ctx.log(`discovery: ingress controller (class "workshop") on ${ingress.url}`);
    } catch (err) {
      await stopAll();
      throw err;
    }
    return stopAll;
  },
};
