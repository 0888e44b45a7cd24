/**
 * The disruption controller: keeps the status of every PodDisruptionBudget
 * true, so that the eviction subresource can decide from the status alone.
 *
 *   informers: poddisruptionbudgets, pods --> queue "ns/name" --> sync(key)
 *
 * A pod that changes (Ready, deleted, new) wakes every budget of its
 * namespace that selects it. sync() counts (budget.ts) and writes
 * /status when something changed. The apiserver's eviction handler writes
 * the same status (one disruption fewer, the pod in disruptedPods): that
 * write is an optimistic-concurrency update, so an eviction and this
 * controller never overwrite each other unseen.
 */
import type { Deployment, ReplicaSet } from "../../../shared/api/apps.ts";
import { deepEqual, isApiError, type Pod } from "../../../shared/api/index.ts";
import type { PodDisruptionBudget } from "../../../shared/api/policy.ts";
import type { ReplicationController } from "../../../shared/api/replication.ts";
import type { Informer } from "../../04-kubectl/client/informer.ts";
import { PODS } from "../../04-kubectl/client/resources.ts";
import type { ResourceClient } from "../../04-kubectl/client/rest.ts";
import type { Controller, ControllerContext } from "../../08-replication/controller-manager/controller-manager.ts";
import { runWorkers, WorkQueue } from "../../08-replication/controller-manager/work-queue.ts";
import { REPLICATION_CONTROLLERS } from "../../08-replication/client/resources.ts";
import { controllerRefOf } from "../../08-replication/replication/owner-references.ts";
import { keyOf } from "../../08-replication/replication/replication-controller.ts";
import { DEPLOYMENTS, POD_DISRUPTION_BUDGETS, REPLICA_SETS } from "../client/resources.ts";
import { budgetStatus, needsScale, selects, type Scale } from "./budget.ts";

export class DisruptionController implements Controller {
  readonly name = "disruption";
  private readonly queue = new WorkQueue();
  private readonly budgets: Informer<PodDisruptionBudget>;
  private readonly pods: Informer<Pod>;
  private readonly client: ResourceClient<PodDisruptionBudget>;
  private running: Promise<void> | undefined;

  constructor(private readonly ctx: ControllerContext) {
    this.client = ctx.client.resource<PodDisruptionBudget>(POD_DISRUPTION_BUDGETS);
    this.budgets = ctx.informers.forResource<PodDisruptionBudget>(POD_DISRUPTION_BUDGETS);
    this.pods = ctx.informers.forResource<Pod>(PODS);
    this.budgets.onAdd((pdb) => this.queue.add(keyOf(pdb)));
    this.budgets.onUpdate((_old, pdb) => this.queue.add(keyOf(pdb)));
    this.pods.onAdd((pod) => this.podChanged(pod));
    this.pods.onUpdate((old, pod) => {
      this.podChanged(old);
      this.podChanged(pod);
    });
    this.pods.onDelete((pod) => this.podChanged(pod));
  }

  run(): void {
    this.running ??= runWorkers(
      this.queue,
      1,
      (key) => this.sync(key),
      (key, err) => this.ctx.log(`sync ${key}: ${err.message}`),
    );
  }

  async stop(): Promise<void> {
    this.queue.shutDown();
    await this.running;
  }

  /** Wakes every budget of the pod's namespace that selects it. */
  private podChanged(pod: Pod): void {
    for (const pdb of this.budgets.list()) if (selects(pdb, pod)) this.queue.add(keyOf(pdb));
  }

  async sync(key: string): Promise<void> {
    const [namespace, name] = key.split("/") as [string, string];
    const pdb = this.budgets.get(name, namespace);
    if (!pdb) return;
    const pods = this.pods.list().filter((p) => selects(pdb, p));
    const scale = needsScale(pdb) ? await this.scaleOf(pods, namespace) : ({ ok: true, replicas: 0 } as const);
    const now = Date.now();
    const { status, recheckAt } = budgetStatus(pdb, pods, scale, now);
    if (recheckAt !== undefined) this.queue.addAfter(key, Math.max(0, recheckAt - now) + 100);
    if (deepEqual(status, pdb.status)) return;
    try {
      await this.client.updateStatus({ ...pdb, status });
    } catch (err) {
      // Someone else (an eviction) wrote the status first: the informer brings the news and a new sync.
      if (isApiError(err, "Conflict") || isApiError(err, "NotFound")) return;
      throw err;
    }
  }

  /**
   * The summed spec.replicas of the controllers of these pods (each counted
   * once). A ReplicaSet owned by a Deployment counts as the Deployment.
   * Kubernetes reads the scale subresource of any controller; this cluster
   * knows three kinds.
   */
  private async scaleOf(pods: readonly Pod[], namespace: string): Promise<Scale> {
    const seen = new Map<string, number>();
    for (const pod of pods) {
      const ref = controllerRefOf(pod);
      if (!ref) return { ok: false, reason: `found no controller for pod "${pod.metadata?.name}"` };
      try {
        if (ref.kind === "ReplicationController") {
          const rc = await this.ctx.client.resource<ReplicationController>(REPLICATION_CONTROLLERS).get(ref.name, namespace);
          seen.set(rc.metadata?.uid ?? ref.uid, rc.spec?.replicas ?? 1);
        } else if (ref.kind === "ReplicaSet") {
          const rs = await this.ctx.client.resource<ReplicaSet>(REPLICA_SETS).get(ref.name, namespace);
          const owner = controllerRefOf(rs);
          if (owner?.kind === "Deployment") {
            const d = await this.ctx.client.resource<Deployment>(DEPLOYMENTS).get(owner.name, namespace);
            seen.set(d.metadata?.uid ?? owner.uid, d.spec?.replicas ?? 1);
          } else seen.set(rs.metadata?.uid ?? ref.uid, rs.spec?.replicas ?? 1);
        } else {
          return {
            ok: false,
            reason: `pod "${pod.metadata?.name}" is controlled by a ${ref.kind}, whose scale this cluster cannot read`,
          };
        }
      } catch (err) {
        if (isApiError(err, "NotFound"))
          return { ok: false, reason: `the ${ref.kind} "${ref.name}" of pod "${pod.metadata?.name}" is gone` };
        throw err;
      }
    }
    return { ok: true, replicas: [...seen.values()].reduce((a, b) => a + b, 0) };
  }
}

export function newDisruptionController() {
  return (ctx: ControllerContext): Controller => new DisruptionController(ctx);
}
