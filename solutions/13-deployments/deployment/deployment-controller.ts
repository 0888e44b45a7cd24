/**
 * The deployment controller (Kubernetes' DeploymentController): for every
 * Deployment, make one ReplicaSet run the current template with
 * spec.replicas pods, and move the pods there from the old ReplicaSets at
 * the pace the strategy allows.
 *
 *   informers: deployments, replicasets, pods --> queue "ns/name" --> sync(key)
 *
 *   sync(key):
 *     d = cache[key]
 *     sets = the ReplicaSets it owns (adopting orphans its selector matches)
 *     new  = the one whose template is d's template (created when missing)
 *     paused?     only follow spec.replicas; no rollout
 *     Recreate?   old ones to 0, wait until their pods are gone, then new to replicas
 *     Rolling?    new up within maxSurge, old down within maxUnavailable (rollout.ts)
 *     drop old ReplicaSets beyond revisionHistoryLimit (revisions.ts)
 *     write status and conditions (progress.ts)
 *
 * It never creates or deletes a pod: it writes spec.replicas of its
 * ReplicaSets, and the ReplicaSet controller does the rest. Each sync makes
 * one move from what the caches show; the events of that move (a
 * ReplicaSet's status, a pod that became Ready) bring the next sync.
 */
import type { Deployment, ReplicaSet } from "../../../shared/api/apps.ts";
import { deepEqual, isApiError, type OwnerReference, type Pod } from "../../../shared/api/index.ts";
import type { Informer } from "../../04-kubectl/client/informer.ts";
import { PODS } from "../../04-kubectl/client/resources.ts";
import type { ResourceClient } from "../../04-kubectl/client/rest.ts";
import type { Controller, ControllerContext } from "../../08-replication/controller-manager/controller-manager.ts";
import { runWorkers, WorkQueue } from "../../08-replication/controller-manager/work-queue.ts";
import { controllerRefOf } from "../../08-replication/replication/owner-references.ts";
import { keyOf } from "../../08-replication/replication/replication-controller.ts";
import { toLabelSelector } from "../apiserver/selector.ts";
import { DEPLOYMENTS, REPLICA_SETS } from "../client/resources.ts";
import { ownerRef } from "../replicaset/replicaset-controller.ts";
import { nextStatus, PROGRESSING } from "./progress.ts";
import {
  findNewReplicaSet,
  historyToDelete,
  newRevisionAnnotations,
  POD_TEMPLATE_HASH,
  podTemplateHash,
  REVISION,
  withoutHash,
} from "./revisions.ts";
import { newReplicaSetTarget, oldReplicaSetTargets, resolveFenceposts, type SetCounts } from "./rollout.ts";

export interface DeploymentOptions {
  workers?: number;
}

const created = (rs: ReplicaSet) => Date.parse(rs.metadata?.creationTimestamp ?? "") || 0;
const counts = (rs: ReplicaSet): SetCounts => ({
  name: rs.metadata?.name ?? "",
  replicas: rs.spec?.replicas ?? 0,
  available: rs.status?.availableReplicas ?? 0,
});

export class DeploymentController implements Controller {
  readonly name = "deployment";
  private readonly queue = new WorkQueue();
  private readonly deployments: Informer<Deployment>;
  private readonly sets: Informer<ReplicaSet>;
  private readonly pods: Informer<Pod>;
  private readonly dClient: ResourceClient<Deployment>;
  private readonly rsClient: ResourceClient<ReplicaSet>;
  private running: Promise<void> | undefined;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly options: DeploymentOptions = {},
  ) {
    this.dClient = ctx.client.resource<Deployment>(DEPLOYMENTS);
    this.rsClient = ctx.client.resource<ReplicaSet>(REPLICA_SETS);
    this.deployments = ctx.informers.forResource<Deployment>(DEPLOYMENTS);
    this.sets = ctx.informers.forResource<ReplicaSet>(REPLICA_SETS);
    this.pods = ctx.informers.forResource<Pod>(PODS);
    this.deployments.onAdd((d) => this.queue.add(keyOf(d)));
    this.deployments.onUpdate((_old, d) => this.queue.add(keyOf(d)));
    this.deployments.onDelete((d) => this.queue.add(keyOf(d)));
    this.sets.onAdd((rs) => this.setChanged(rs));
    this.sets.onUpdate((old, rs) => (this.setChanged(old), this.setChanged(rs)));
    this.sets.onDelete((rs) => this.setChanged(rs));
    // Recreate waits for the old pods to be gone for good: their deletion is an event to wake up on.
    this.pods.onDelete((pod) => {
      const rs = this.ownerSet(pod);
      if (rs) this.setChanged(rs);
    });
  }

  run(): void {
    this.running ??= runWorkers(
      this.queue,
      this.options.workers ?? 2,
      (key) => this.sync(key),
      (key, err) => this.ctx.log(`sync ${key}: ${err.message}`),
    );
  }

  async stop(): Promise<void> {
    this.queue.shutDown();
    await this.running;
  }

  private ownerSet(pod: Pod): ReplicaSet | undefined {
    const ref = controllerRefOf(pod);
    return ref?.kind === "ReplicaSet" ? this.sets.get(ref.name, pod.metadata?.namespace) : undefined;
  }

  /** A ReplicaSet changed: look again at its Deployment, or, for an orphan, at every Deployment that selects it. */
  private setChanged(rs: ReplicaSet): void {
    const ref = controllerRefOf(rs);
    if (ref) {
      if (ref.kind === "Deployment") this.queue.add(`${rs.metadata?.namespace}/${ref.name}`);
      return;
    }
    for (const d of this.deployments.list()) {
      if (d.metadata?.namespace === rs.metadata?.namespace && toLabelSelector(d.spec?.selector).matches(rs.metadata?.labels))
        this.queue.add(keyOf(d));
    }
  }

  /** One pass of the reconcile loop for the Deployment "namespace/name". */
  async sync(key: string): Promise<void> {
    const [namespace, name] = key.split("/") as [string, string];
    const d = this.deployments.get(name, namespace);
    if (!d || d.metadata?.deletionTimestamp) return; // the garbage collector removes its ReplicaSets
    const sets = await this.claimReplicaSets(d);
    // STEP(13.4): the sync loop. Find the new ReplicaSet (creating it, if
    // not paused, with this.createReplicaSet), keep its revision
    // annotations right, then make ONE move of the strategy: Recreate must
    // never run old and new pods at the same time (this.podsOf() sees pods
    // that are still shutting down); RollingUpdate uses rollout.ts. Paused:
    // no new ReplicaSet, and a change of spec.replicas goes to the newest
    // ReplicaSet that runs pods. Once the rollout is complete, trim the
    // history. End with this.writeStatus() (after a hash collision,
    // createReplicaSet has written the status already).
    // Tests: "13.4 Recreate never runs old and new pods together ..." (one
    // sync, no cluster); the rest runs against the real kubectl in the
    // chapter's tests ("13 chapter > ...", npm run check 13).
    //#solution
    let newRS = findNewReplicaSet(d, sets);
    const old = sets.filter((rs) => rs !== newRS).sort((a, b) => created(a) - created(b));
    const replicas = d.spec?.replicas ?? 1;
    let made = false;
    if (d.spec?.paused) {
      // Paused: no new ReplicaSet; a scale goes to the newest ReplicaSet that runs pods.
      const target = newRS ?? [...old].reverse().find((rs) => (rs.spec?.replicas ?? 0) > 0);
      const others = sets
        .filter((rs) => rs !== target && (rs.spec?.replicas ?? 0) > 0)
        .reduce((n, rs) => n + (rs.spec?.replicas ?? 0), 0);
      if (target) await this.scale(target, Math.max(0, replicas - others));
      return this.writeStatus(d, sets, newRS, false);
    }
    if (!newRS) {
      newRS = await this.createReplicaSet(d, old);
      if (!newRS) return; // a hash collision: the next sync tries another name
      made = true;
    }
    const annotations = newRevisionAnnotations(d, newRS, old);
    if (annotations) newRS = await this.rsClient.update({ ...newRS, metadata: { ...newRS.metadata, annotations } });
    if ((newRS.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0)) {
      newRS = await this.rsClient.update({ ...newRS, spec: { ...newRS.spec, minReadySeconds: d.spec?.minReadySeconds ?? 0 } });
    }
    const all = [...old, newRS];
    if (d.spec?.strategy?.type === "Recreate") {
      const running = old.filter((rs) => (rs.spec?.replicas ?? 0) > 0);
      for (const rs of running) await this.scale(rs, 0);
      const leftovers = old.some((rs) => this.podsOf(rs).length > 0);
      if (running.length === 0 && !leftovers) await this.scale(newRS, replicas);
    } else {
      const fence = resolveFenceposts(d);
      const target = newReplicaSetTarget(replicas, fence, all.map(counts), counts(newRS));
      if (target !== newRS.spec?.replicas) newRS = await this.scale(newRS, target);
      for (const [setName, n] of oldReplicaSetTargets(replicas, fence, old.map(counts), counts(newRS))) {
        await this.scale(
          old.find((rs) => rs.metadata?.name === setName)!,
          n,
        );
      }
    }
    if (old.every((rs) => (rs.spec?.replicas ?? 0) === 0) && newRS.status?.availableReplicas === replicas) {
      for (const rs of historyToDelete(d, old)) await this.rsClient.delete(rs.metadata?.name ?? "", namespace).catch(() => {});
    }
    return this.writeStatus(d, [...old, newRS], newRS, made);
    //#end
  }

  /** The pods of a ReplicaSet, including the ones still shutting down. */
  private podsOf(rs: ReplicaSet): Pod[] {
    return this.pods
      .list()
      .filter((p) => p.metadata?.namespace === rs.metadata?.namespace && controllerRefOf(p)?.uid === rs.metadata?.uid);
  }

  /** Sets spec.replicas of a ReplicaSet; answers the updated ReplicaSet. A conflict (stale cache) throws: the queue retries. */
  private async scale(rs: ReplicaSet, replicas: number): Promise<ReplicaSet> {
    if (rs.spec?.replicas === replicas) return rs;
    this.ctx.log(`${keyOf(rs)}: replicas ${rs.spec?.replicas ?? 0} -> ${replicas}`);
    return this.rsClient.update({ ...rs, spec: { ...rs.spec, replicas } });
  }

  /**
   * Makes the ReplicaSet of the current template, named <deployment>-<hash>,
   * with 0 replicas (the strategy scales it). Its selector and template carry
   * pod-template-hash, so it selects only its own pods. Answers undefined on a
   * hash collision (another template has that name): status.collisionCount
   * goes up, and with it the next hash.
   */
  private async createReplicaSet(d: Deployment, old: ReplicaSet[]): Promise<ReplicaSet | undefined> {
    const template = withoutHash(d.spec?.template);
    const hash = podTemplateHash(template, d.status?.collisionCount ?? 0);
    const labels = { ...template.metadata?.labels, [POD_TEMPLATE_HASH]: hash };
    const max = old.reduce((n, rs) => Math.max(n, Number(rs.metadata?.annotations?.[REVISION] ?? 0) || 0), 0);
    const rs: ReplicaSet = {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        name: `${d.metadata?.name}-${hash}`,
        namespace: d.metadata?.namespace,
        labels,
        annotations: { [REVISION]: String(max + 1) },
        ownerReferences: [ownerRef(d, "Deployment")],
      },
      spec: {
        replicas: 0,
        minReadySeconds: d.spec?.minReadySeconds ?? 0,
        selector: { ...d.spec?.selector, matchLabels: { ...d.spec?.selector?.matchLabels, [POD_TEMPLATE_HASH]: hash } },
        template: { ...template, metadata: { ...template.metadata, labels } },
      },
    };
    try {
      const made = await this.rsClient.create(rs, d.metadata?.namespace);
      this.ctx.log(`${keyOf(d)}: created ReplicaSet ${made.metadata?.name}`);
      return made;
    } catch (err) {
      if (!isApiError(err, "AlreadyExists")) throw err;
      // The cache was behind (we made it a moment ago), or another template has this hash.
      const existing = await this.rsClient.get(rs.metadata!.name!, d.metadata?.namespace);
      const ours = controllerRefOf(existing)?.uid === d.metadata?.uid;
      if (ours && deepEqual(withoutHash(existing.spec?.template), template)) return existing;
      const collisionCount = (d.status?.collisionCount ?? 0) + 1;
      await this.dClient.updateStatus({ ...d, status: { ...d.status, collisionCount } });
      return undefined;
    }
  }

  /** The ReplicaSets the Deployment owns, after adopting orphans it selects and releasing owned ones it no longer selects. */
  private async claimReplicaSets(d: Deployment): Promise<ReplicaSet[]> {
    const selector = toLabelSelector(d.spec?.selector);
    const owned: ReplicaSet[] = [];
    for (const rs of this.sets.list()) {
      if (rs.metadata?.namespace !== d.metadata?.namespace) continue;
      const ref = controllerRefOf(rs);
      const matches = !selector.empty && selector.matches(rs.metadata?.labels);
      if (ref && ref.uid !== d.metadata?.uid) continue;
      if (ref && matches) owned.push(rs);
      else if (ref)
        await this.patchOwners(
          rs,
          (rs.metadata?.ownerReferences ?? []).filter((r) => r.uid !== d.metadata?.uid),
        );
      else if (matches) {
        const adopted = await this.patchOwners(rs, [...(rs.metadata?.ownerReferences ?? []), ownerRef(d, "Deployment")]);
        if (adopted) owned.push(adopted);
      }
    }
    return owned.filter((rs) => !rs.metadata?.deletionTimestamp);
  }

  private async patchOwners(rs: ReplicaSet, refs: OwnerReference[]): Promise<ReplicaSet | undefined> {
    const patch = { metadata: { resourceVersion: rs.metadata?.resourceVersion, ownerReferences: refs.length > 0 ? refs : null } };
    try {
      return await this.rsClient.patch(rs.metadata?.name ?? "", patch, rs.metadata?.namespace);
    } catch (err) {
      if (isApiError(err, "NotFound") || isApiError(err, "Conflict")) return undefined;
      throw err;
    }
  }

  /** Writes the status when it changed; while a rollout runs, looks again when its deadline would pass. */
  private async writeStatus(d: Deployment, sets: ReplicaSet[], newRS: ReplicaSet | undefined, made: boolean): Promise<void> {
    const now = new Date();
    const status = nextStatus(d, sets, newRS, made, now);
    if (!deepEqual(d.status, status)) {
      await this.dClient.updateStatus({ ...d, status }).catch((err) => {
        if (!isApiError(err, "NotFound")) throw err;
      });
    }
    const progressing = status.conditions?.find((c) => c.type === PROGRESSING);
    if (progressing?.status === "True" && progressing.reason !== "NewReplicaSetAvailable") {
      const since = Date.parse(progressing.lastUpdateTime ?? "") || now.getTime();
      const wait = since + (d.spec?.progressDeadlineSeconds ?? 600) * 1000 - now.getTime();
      this.queue.addAfter(keyOf(d), Math.max(0, wait) + 100);
    }
  }
}

export function newDeploymentController(options: DeploymentOptions = {}) {
  return (ctx: ControllerContext): Controller => new DeploymentController(ctx, options);
}
