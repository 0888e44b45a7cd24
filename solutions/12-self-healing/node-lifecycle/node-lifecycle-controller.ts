/**
 * The node lifecycle controller: what happens to a node that goes silent.
 *
 *   every nodeMonitorPeriod, for every Node (from the shared informer):
 *
 *   heartbeat moved?  yes -> alive (the kubelet keeps Ready True itself)
 *                     no, for longer than the grace period (50 s)
 *                       -> Ready=Unknown "Kubelet stopped posting node status."
 *                          and its pods are marked not Ready (Services drop them)
 *   taints            <- from Ready: unreachable / not-ready, NoSchedule + NoExecute
 *                          (the scheduler stops placing pods there)
 *   NoExecute taints  -> pods that do not tolerate them are deleted once their
 *                          time is up (300 s by default); the replication
 *                          controller sees fewer pods than wanted and creates
 *                          new ones, which the scheduler puts on healthy nodes
 *
 *   heartbeat back    -> the kubelet writes Ready True, the taints go; the
 *                          kubelet finishes the deletion of the evicted pods
 *                          (it stops their containers, which ran on unwatched)
 *
 * Like every controller it is level-triggered: it looks at what the nodes
 * look like now, not at "what happened", so a restart of the controller
 * manager loses nothing (only the heartbeat clock starts again: every node
 * gets a full grace period).
 */
import { deepEqual, isApiError, timestamp, type Node, type Pod, type PodCondition } from "../../../shared/api/index.ts";
import type { Informer } from "../../04-kubectl/client/informer.ts";
import { NODES, PODS } from "../../04-kubectl/client/resources.ts";
import type { ResourceClient } from "../../04-kubectl/client/rest.ts";
import type {
  Controller,
  ControllerContext,
  ControllerFactory,
} from "../../08-replication/controller-manager/controller-manager.ts";
import { podsToEvict } from "./eviction.ts";
import { markUnknown, NodeHealth, readyConditionOf } from "./health.ts";
import { reconcileTaints } from "./taints.ts";

export interface NodeLifecycleOptions {
  /** How often every node is looked at. Default 5 s (Kubernetes' --node-monitor-period). */
  nodeMonitorPeriodMs?: number;
  /** How long a heartbeat may stand still before the node is Unknown. Default 50 s (--node-monitor-grace-period, Kubernetes 1.32). */
  nodeMonitorGracePeriodMs?: number;
  /** How long pods stay on an unreachable or not-ready node without a toleration of their own. Default 300 s. */
  podEvictionTimeoutMs?: number;
  /**
   * A second heartbeat per node, set up on the controller's context
   * (chapter 16: the renewTime of the node's Lease in kube-node-lease).
   */
  leaseHeartbeats?: (ctx: ControllerContext) => (nodeName: string) => string | undefined;
}

export const NODE_LIFECYCLE = "node-lifecycle";

export class NodeLifecycleController implements Controller {
  readonly name = NODE_LIFECYCLE;
  private readonly nodes: Informer<Node>;
  private readonly pods: Informer<Pod>;
  private readonly nodeClient: ResourceClient<Node>;
  private readonly podClient: ResourceClient<Pod>;
  private readonly health: NodeHealth;
  private readonly periodMs: number;
  private readonly graceMs: number;
  private readonly evictionMs: number;
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<void> | undefined;

  constructor(
    private readonly ctx: ControllerContext,
    options: NodeLifecycleOptions = {},
  ) {
    this.periodMs = options.nodeMonitorPeriodMs ?? 5_000;
    this.graceMs = options.nodeMonitorGracePeriodMs ?? 50_000;
    this.evictionMs = options.podEvictionTimeoutMs ?? 300_000;
    this.health = new NodeHealth(options.leaseHeartbeats?.(ctx));
    this.nodes = ctx.informers.forResource<Node>(NODES);
    this.pods = ctx.informers.forResource<Pod>(PODS);
    this.nodeClient = ctx.client.resource<Node>(NODES);
    this.podClient = ctx.client.resource<Pod>(PODS);
  }

  run(): void {
    this.timer = setInterval(() => {
      // One pass at a time: a slow apiserver must not pile passes up.
      this.pass ??= this.monitorNodes().finally(() => (this.pass = undefined));
    }, this.periodMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.pass;
  }

  /** One pass over every node; one node's trouble does not stop the others. */
  async monitorNodes(now = Date.now()): Promise<void> {
    const nodes = this.nodes.list();
    this.health.retain(new Set(nodes.map((n) => n.metadata?.name ?? "")));
    for (const node of nodes) {
      try {
        await this.monitorNode(node, now);
      } catch (err) {
        // 409: the kubelet (or someone) wrote the node meanwhile; the next pass sees the new version.
        if (!isApiError(err, "Conflict") && !isApiError(err, "NotFound"))
          this.ctx.log(`node ${node.metadata?.name}: ${(err as Error).message}`);
      }
    }
  }

  private async monitorNode(node: Node, now: number): Promise<void> {
    const name = node.metadata?.name ?? "";
    const podsHere = this.pods.list().filter((p) => p.spec?.nodeName === name);

    // STEP(12.5): a stale node becomes Ready=Unknown, written so that a
    // heartbeat that came meanwhile wins (409); its pods stop being Ready.
    //#solution
    if (this.health.isStale(node, now, this.graceMs) && readyConditionOf(node)?.status !== "Unknown") {
      node = await this.nodeClient.updateStatus({
        ...node,
        status: { ...node.status, conditions: markUnknown(node.status?.conditions, timestamp(new Date(now))) },
      });
      this.ctx.log(`node ${name}: no heartbeat for ${this.graceMs / 1000}s, Ready is now Unknown`);
      await this.markPodsNotReady(podsHere);
    }
    //#end

    // STEP(12.6): write the taints when they differ from the node's.
    //#solution
    const ready = readyConditionOf(node)?.status;
    const taints = reconcileTaints(node.spec?.taints, ready, timestamp(new Date(now)));
    if (!deepEqual(taints, node.spec?.taints ?? [])) {
      node = await this.nodeClient.update({ ...node, spec: { ...node.spec, taints } });
      this.ctx.log(
        `node ${name}: Ready ${ready ?? "missing"}, taints now [${taints.map((t) => `${t.key}:${t.effect}`).join(", ")}]`,
      );
    }
    //#end

    // STEP(12.7): delete the pods whose time is up. A pod already gone is fine.
    //#solution
    for (const pod of podsToEvict(name, node.spec?.taints ?? [], podsHere, this.evictionMs, now)) {
      try {
        await this.podClient.delete(pod.metadata?.name ?? "", pod.metadata?.namespace);
        this.ctx.log(`node ${name}: evicted pod ${pod.metadata?.namespace}/${pod.metadata?.name}`);
      } catch (err) {
        if (!isApiError(err, "NotFound")) throw err;
      }
    }
    //#end
  }

  /**
   * Nobody knows whether the pods of a silent node still work: their Ready
   * condition becomes False, so endpoints (chapter 10) stop sending them
   * traffic. The kubelet, when it comes back, writes the truth again.
   */
  private async markPodsNotReady(pods: Pod[]): Promise<void> {
    for (const pod of pods) {
      const conditions = pod.status?.conditions ?? [];
      const ready = conditions.find((c) => c.type === "Ready");
      if (!ready || ready.status === "False") continue;
      const notReady = (c: PodCondition): PodCondition =>
        c.type === "Ready" || c.type === "ContainersReady"
          ? { ...c, status: "False", reason: "NodeNotReady", lastTransitionTime: timestamp() }
          : c;
      try {
        await this.podClient.updateStatus({ ...pod, status: { ...pod.status, conditions: conditions.map(notReady) } });
      } catch (err) {
        if (!isApiError(err, "NotFound") && !isApiError(err, "Conflict")) throw err;
      }
    }
  }
}

/** The factory for the controller manager (this chapter's controllers()). */
export function newNodeLifecycleController(options: NodeLifecycleOptions = {}): ControllerFactory {
  return (ctx) => new NodeLifecycleController(ctx, options);
}
