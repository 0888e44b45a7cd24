/**
 * The ReplicaSet controller: chapter 08's replication controller for the
 * apps/v1 kind. The loop is the same (claim pods, honour expectations,
 * create or delete the difference, write status); what differs is the
 * selector (an object with matchLabels and matchExpressions) and the owner
 * reference (apps/v1 ReplicaSet). Skim it: every decision in it is one you
 * made in chapter 08, and this file reuses that code.
 *
 *   informers: replicasets, pods --> queue "ns/name" --> sync(key)
 *
 * The deployment controller (deployment/) never touches pods: it only sets
 * spec.replicas of its ReplicaSets, and this controller does the rest.
 */
import type { ReplicaSet } from "../../../shared/api/apps.ts";
import { deepEqual, isApiError, type OwnerReference, type Pod } from "../../../shared/api/index.ts";
import type { ReplicationController } from "../../../shared/api/replication.ts";
import type { Informer } from "../../04-kubectl/client/informer.ts";
import { PODS } from "../../04-kubectl/client/resources.ts";
import type { ResourceClient } from "../../04-kubectl/client/rest.ts";
import type { LabelSelector } from "../../07-labels/labels/selector.ts";
import type { Controller, ControllerContext } from "../../08-replication/controller-manager/controller-manager.ts";
import { Expectations } from "../../08-replication/controller-manager/expectations.ts";
import { runWorkers, WorkQueue } from "../../08-replication/controller-manager/work-queue.ts";
import { classifyPods, controllerRefOf } from "../../08-replication/replication/owner-references.ts";
import { decideReplicas, isPodActive, isPodReady } from "../../08-replication/replication/reconcile.ts";
import { keyOf, slowStartBatch } from "../../08-replication/replication/replication-controller.ts";
import { calculateStatus, type ReplicaFailure } from "../../08-replication/replication/status.ts";
import { toLabelSelector } from "../apiserver/selector.ts";
import { REPLICA_SETS } from "../client/resources.ts";

/** The reference a ReplicaSet puts on its pods (and a Deployment on its ReplicaSets, with its own kind). */
export function ownerRef(owner: { metadata?: { name?: string; uid?: string } }, kind: "ReplicaSet" | "Deployment"): OwnerReference {
  return { apiVersion: "apps/v1", kind, name: owner.metadata?.name ?? "", uid: owner.metadata?.uid ?? "", controller: true, blockOwnerDeletion: true };
}

/** A new pod from the ReplicaSet's template (its labels include pod-template-hash when a Deployment made it). */
export function newPodFromReplicaSet(rs: ReplicaSet): Pod {
  const template = structuredClone(rs.spec?.template ?? {});
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      generateName: `${rs.metadata?.name}-`,
      namespace: rs.metadata?.namespace,
      labels: template.metadata?.labels ?? {},
      ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
      ownerReferences: [ownerRef(rs, "ReplicaSet")],
    },
    spec: template.spec,
  };
}

/** Chapter 08's helpers take a ReplicationController; they only read what both kinds have. */
const asRc = (rs: ReplicaSet) => rs as unknown as ReplicationController;

export interface ReplicaSetOptions {
  workers?: number;
  burstReplicas?: number;
}

export class ReplicaSetController implements Controller {
  readonly name = "replicaset";
  readonly expectations = new Expectations();
  private readonly queue = new WorkQueue();
  private readonly sets: Informer<ReplicaSet>;
  private readonly podInformer: Informer<Pod>;
  private readonly podClient: ResourceClient<Pod>;
  private readonly rsClient: ResourceClient<ReplicaSet>;
  private running: Promise<void> | undefined;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly options: ReplicaSetOptions = {},
  ) {
    this.podClient = ctx.client.resource<Pod>(PODS);
    this.rsClient = ctx.client.resource<ReplicaSet>(REPLICA_SETS);
    this.sets = ctx.informers.forResource<ReplicaSet>(REPLICA_SETS);
    this.podInformer = ctx.informers.forResource<Pod>(PODS);
    this.sets.onAdd((rs) => this.queue.add(keyOf(rs)));
    this.sets.onUpdate((_old, rs) => this.queue.add(keyOf(rs)));
    this.sets.onDelete((rs) => this.queue.add(keyOf(rs)));
    this.podInformer.onAdd((pod) => this.podChanged(undefined, pod));
    this.podInformer.onUpdate((old, pod) => this.podChanged(old, pod));
    this.podInformer.onDelete((pod) => this.podGone(pod));
  }

  run(): void {
    this.running ??= runWorkers(this.queue, this.options.workers ?? 2, (key) => this.sync(key), (key, err) => this.ctx.log(`sync ${key}: ${err.message}`));
  }

  async stop(): Promise<void> {
    this.queue.shutDown();
    await this.running;
  }

  private owner(pod: Pod): ReplicaSet | undefined {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== "ReplicaSet") return undefined;
    const rs = this.sets.get(ref.name, pod.metadata?.namespace);
    return rs?.metadata?.uid === ref.uid ? rs : undefined;
  }

  private podChanged(old: Pod | undefined, pod: Pod): void {
    if (pod.metadata?.deletionTimestamp) return this.podGone(pod);
    const rs = this.owner(pod);
    if (rs) {
      if (!old) this.expectations.creationObserved(keyOf(rs));
      this.queue.add(keyOf(rs));
      // Ready now: look again once it has been Ready for minReadySeconds (then it is available).
      const minReady = rs.spec?.minReadySeconds ?? 0;
      if (old && minReady > 0 && !isPodReady(old) && isPodReady(pod)) this.queue.addAfter(keyOf(rs), minReady * 1000 + 100);
    } else if (!controllerRefOf(pod)) {
      // An orphan: every ReplicaSet that selects it may adopt it.
      for (const candidate of this.sets.list()) {
        if (candidate.metadata?.namespace === pod.metadata?.namespace && toLabelSelector(candidate.spec?.selector).matches(pod.metadata?.labels)) this.queue.add(keyOf(candidate));
      }
    }
    if (old) {
      const previous = this.owner(old);
      if (previous && previous.metadata?.uid !== rs?.metadata?.uid) this.queue.add(keyOf(previous));
    }
  }

  private podGone(pod: Pod): void {
    const rs = this.owner(pod);
    if (!rs) return;
    this.expectations.deletionObserved(keyOf(rs), keyOf(pod));
    this.queue.add(keyOf(rs));
  }

  async sync(key: string): Promise<void> {
    const [namespace, name] = key.split("/") as [string, string];
    const rs = this.sets.get(name, namespace);
    if (!rs) return this.expectations.delete(key);
    const needsSync = this.expectations.satisfied(key);
    const pods = this.podInformer.list().filter((p) => p.metadata?.namespace === namespace && isPodActive(p));
    const owned = await this.claimPods(rs, toLabelSelector(rs.spec?.selector), pods);
    let failure: ReplicaFailure | undefined;
    if (needsSync && !rs.metadata?.deletionTimestamp) failure = await this.manageReplicas(key, rs, owned);
    const status = calculateStatus(asRc(rs), owned, new Date(), failure);
    if (!deepEqual(rs.status, status)) {
      await this.rsClient.updateStatus({ ...rs, status }).catch((err) => {
        if (!isApiError(err, "NotFound") && !isApiError(err, "Conflict")) throw err;
        this.queue.addAfter(key, 50);
      });
    }
    if (failure) throw new Error(`${failure.reason}: ${failure.message}`);
  }

  /** Adopts matching orphans, releases owned pods that no longer match; answers the owned ones. */
  private async claimPods(rs: ReplicaSet, selector: LabelSelector, pods: Pod[]): Promise<Pod[]> {
    const claims = classifyPods(asRc(rs), selector, pods);
    const owned = [...claims.owned];
    for (const pod of claims.adopt) {
      const refs = [...(pod.metadata?.ownerReferences ?? []), ownerRef(rs, "ReplicaSet")];
      const adopted = await this.patchOwners(pod, refs);
      if (adopted) owned.push(adopted);
    }
    for (const pod of claims.release) await this.patchOwners(pod, (pod.metadata?.ownerReferences ?? []).filter((r) => r.uid !== rs.metadata?.uid));
    return owned;
  }

  /** A patch that carries the resourceVersion read: it fails (409) if someone else changed the pod first. */
  private async patchOwners(pod: Pod, refs: OwnerReference[]): Promise<Pod | undefined> {
    const patch = { metadata: { resourceVersion: pod.metadata?.resourceVersion, ownerReferences: refs.length > 0 ? refs : null } };
    try {
      return await this.podClient.patch(pod.metadata?.name ?? "", patch, pod.metadata?.namespace);
    } catch (err) {
      if (isApiError(err, "NotFound") || isApiError(err, "Conflict")) return undefined;
      throw err;
    }
  }

  private async manageReplicas(key: string, rs: ReplicaSet, owned: Pod[]): Promise<ReplicaFailure | undefined> {
    const action = decideReplicas(rs.spec?.replicas ?? 1, owned, this.options.burstReplicas ?? 500);
    if (action.kind === "create") {
      this.expectations.expectCreations(key, action.count);
      const { succeeded, error } = await slowStartBatch(action.count, async () => {
        await this.podClient.create(newPodFromReplicaSet(rs), rs.metadata?.namespace);
      });
      for (let i = succeeded; i < action.count; i++) this.expectations.creationObserved(key);
      if (error) return { reason: "FailedCreate", message: error.message };
    } else if (action.kind === "delete") {
      this.expectations.expectDeletions(key, action.pods.map(keyOf));
      for (const pod of action.pods) {
        await this.podClient.delete(pod.metadata?.name ?? "", pod.metadata?.namespace).catch((err) => {
          this.expectations.deletionObserved(key, keyOf(pod));
          if (!isApiError(err, "NotFound")) throw err;
        });
      }
    }
    return undefined;
  }
}

export function newReplicaSetController(options: ReplicaSetOptions = {}) {
  return (ctx: ControllerContext): Controller => new ReplicaSetController(ctx, options);
}
