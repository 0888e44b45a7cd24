/**
 * Node heartbeats as Leases (Kubernetes 1.17+, pkg/kubelet/nodelease).
 *
 * Chapter 05's kubelet proves it is alive by writing its whole Node status
 * every 10 s: conditions, capacity, images, addresses, several kilobytes,
 * and every watcher of nodes receives it again. A Lease in the namespace
 * kube-node-lease, one per node, named like the node, is a few hundred
 * bytes; only the node lifecycle controller watches leases. So the kubelet
 * renews its Lease often (every 10 s, a quarter of its 40 s duration) and
 * writes its status only when something changed, or every 5 minutes.
 *
 *   kubelet ──renew every 10 s──> Lease kube-node-lease/node-1 (renewTime)
 *   node lifecycle controller ──watches── leases: renewTime moved = alive
 */
import { microTime, type Lease } from "../../../shared/api/coordination.ts";
import { isApiError } from "../../../shared/api/index.ts";
import type { RestClient, ResourceClient } from "../../04-kubectl/client/rest.ts";
import type { ControllerContext } from "../../08-replication/controller-manager/controller-manager.ts";
import { LEASES } from "../client/resources.ts";
import { realClock, type Clock } from "../leaderelection/clock.ts";

export const NODE_LEASE_NAMESPACE = "kube-node-lease";
/** Kubernetes' default (--node-lease-duration-seconds). */
export const NODE_LEASE_DURATION_SECONDS = 40;
/**
 * Writes in a row within one renew() when our copy is stale (the kubelet's
 * maxUpdateRetries); after that, the next try waits for renewInterval.
 */
export const MAX_UPDATE_RETRIES = 5;

export interface NodeLeaseOptions {
  client: RestClient;
  nodeName: string;
  /** Node's uid, for the owner reference (the Lease goes when the Node is deleted). */
  nodeUid?: string;
  leaseDurationSeconds?: number;
  /** Default: a quarter of the duration (10 s). */
  renewIntervalMs?: number;
  clock?: Clock;
  log?: (line: string) => void;
}

/** Renews one node's Lease until stop(). */
export class NodeLeaseRenewer {
  private readonly leases: ResourceClient<Lease>;
  private readonly durationSeconds: number;
  private readonly intervalMs: number;
  private readonly clock: Clock;
  private readonly stopped = new AbortController();
  private loop: Promise<void> | undefined;
  /** The last Lease we wrote (its resourceVersion saves a read next time). */
  private last: Lease | undefined;

  constructor(private readonly options: NodeLeaseOptions) {
    this.leases = options.client.resource<Lease>(LEASES);
    this.durationSeconds = options.leaseDurationSeconds ?? NODE_LEASE_DURATION_SECONDS;
    this.intervalMs = options.renewIntervalMs ?? (this.durationSeconds * 1000) / 4;
    this.clock = options.clock ?? realClock;
  }

  start(): this {
    this.loop ??= (async () => {
      while (!this.stopped.signal.aborted) {
        try {
          await this.renew();
        } catch (err) {
          this.options.log?.(`node lease ${this.options.nodeName}: ${(err as Error).message}`);
        }
        await this.clock.sleep(this.intervalMs, this.stopped.signal);
      }
    })();
    return this;
  }

  async stop(): Promise<void> {
    this.stopped.abort();
    await this.loop;
  }

  /**
   * One renewal: the Lease exists afterwards, holderIdentity the node, renewTime now.
   */
  async renew(): Promise<Lease> {
    const name = this.options.nodeName;
    const renewTime = microTime(this.clock.now());
    // STEP(16.6): create the node's Lease the first time, then move its
    // renewTime. Nobody else writes this Lease, so a 409 only means our copy
    // is old: read it again and write again at once, up to
    // MAX_UPDATE_RETRIES attempts. Any other error, or the last 409, is
    // thrown: start() logs it and tries again after renewInterval.
    // Tests: the "16.6" tests.
    //#solution
    for (let attempt = 1; ; attempt++) {
      try {
        if (!this.last) {
          try {
            this.last = await this.leases.create(this.desired(undefined, renewTime));
            return this.last;
          } catch (err) {
            if (!isApiError(err, "AlreadyExists")) throw err;
            this.last = await this.leases.get(name, NODE_LEASE_NAMESPACE);
          }
        }
        this.last = await this.leases.update(this.desired(this.last, renewTime));
        return this.last;
      } catch (err) {
        const stale = isApiError(err, "Conflict") || isApiError(err, "NotFound");
        if (!stale || attempt >= MAX_UPDATE_RETRIES) throw err;
        this.last = undefined; // read again (or create again), at once
      }
    }
    //#end
  }

  private desired(current: Lease | undefined, renewTime: string): Lease {
    const uid = this.options.nodeUid;
    return {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: {
        ...current?.metadata,
        name: this.options.nodeName,
        namespace: NODE_LEASE_NAMESPACE,
        ...(uid ? { ownerReferences: [{ apiVersion: "v1", kind: "Node", name: this.options.nodeName, uid }] } : {}),
      },
      spec: { holderIdentity: this.options.nodeName, leaseDurationSeconds: this.durationSeconds, renewTime },
    };
  }
}

/**
 * For chapter 12's node lifecycle controller: a second heartbeat per node,
 * the renewTime of its Lease, read from a shared informer on leases. The
 * controller treats "either heartbeat moved" as alive.
 */
export function nodeLeaseHeartbeats(ctx: ControllerContext): (nodeName: string) => string | undefined {
  const leases = ctx.informers.forResource<Lease>(LEASES);
  return (nodeName) => leases.get(nodeName, NODE_LEASE_NAMESPACE)?.spec?.renewTime;
}
