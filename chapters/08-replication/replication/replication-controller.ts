/**
 * The replication controller (Kubernetes' ReplicationManager): for every RC,
 * keep exactly spec.replicas active pods that it owns.
 *
 *   informers: rcs, pods --(handlers)--> queue of RC keys "ns/name" --> workers: sync(key)
 *
 *   sync(key):                     (level-triggered: it looks at the whole
 *     rc = cache[key]               state every time, never at "what just
 *     pods = claim(rc, cache pods)  happened", so a missed or merged event
 *     if expectations satisfied:    changes nothing)
 *        create or delete the difference
 *     write status (replicas, ready...)
 *
 * Event handlers only work out WHICH RC to look at again. A pod event goes
 * to the RC named in its controller reference; an orphan pod to every RC
 * whose selector matches it (one may adopt it). They also tick off
 * expectations (expectations.ts) as the pods the controller created or
 * deleted show up in the cache.
 */
import { deepEqual, isApiError, type Pod } from "../../../shared/api/index.ts";
import type { ReplicationController } from "../../../shared/api/replication.ts";
import type { Informer } from "../../04-kubectl/client/informer.ts";
import { PODS } from "../../04-kubectl/client/resources.ts";
import type { ResourceClient } from "../../04-kubectl/client/rest.ts";
import { selectorFromSet } from "../../07-labels/labels/selector.ts";
import { REPLICATION_CONTROLLERS } from "../client/resources.ts";
import type { Controller, ControllerContext } from "../controller-manager/controller-manager.ts";
import { Expectations } from "../controller-manager/expectations.ts";
import { runWorkers, WorkQueue } from "../controller-manager/work-queue.ts";
import { classifyPods, controllerRefFor, controllerRefOf, newPodFromTemplate } from "./owner-references.ts";
import { decideReplicas, isPodActive, isPodReady } from "./reconcile.ts";
import { calculateStatus, type ReplicaFailure } from "./status.ts";
import { todo } from "../../../shared/todo.ts";

export interface ReplicationOptions {
  /** Parallel syncs (never two of one RC). Default 2. */
  workers?: number;
  /** At most this many creations or deletions per sync. Default 500, as in Kubernetes. */
  burstReplicas?: number;
  /** See Expectations. Default 5 minutes. */
  expectationsTtlMs?: number;
}

/** "namespace/name" of an object. */
export function keyOf(obj: { metadata?: { namespace?: string; name?: string } }): string {
  return `${obj.metadata?.namespace ?? ""}/${obj.metadata?.name ?? ""}`;
}

/**
 * Runs `fn` `count` times in batches of 1, 2, 4, 8...; stops after the first
 * batch with a failure. Returns how many succeeded and the first error. When
 * creates fail (a quota, a bad template), this sends a handful of doomed
 * requests instead of hundreds.
 */
export async function slowStartBatch(count: number, fn: () => Promise<void>): Promise<{ succeeded: number; error?: Error }> {
  let succeeded = 0;
  let batch = 1;
  while (succeeded < count) {
    const size = Math.min(batch, count - succeeded);
    const results = await Promise.allSettled(Array.from({ length: size }, fn));
    succeeded += results.filter((r) => r.status === "fulfilled").length;
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) return { succeeded, error: failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason)) };
    batch *= 2;
  }
  return { succeeded };
}

export class ReplicationManager implements Controller {
  readonly name = "replication";
  readonly expectations: Expectations;
  private readonly queue = new WorkQueue();
  private readonly rcs: Informer<ReplicationController>;
  private readonly podInformer: Informer<Pod>;
  private readonly podClient: ResourceClient<Pod>;
  private readonly rcClient: ResourceClient<ReplicationController>;
  private running: Promise<void> | undefined;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly options: ReplicationOptions = {},
  ) {
    this.podClient = ctx.client.resource<Pod>(PODS);
    this.rcClient = ctx.client.resource<ReplicationController>(REPLICATION_CONTROLLERS);
    this.expectations = new Expectations({ ttlMs: options.expectationsTtlMs });
    this.rcs = ctx.informers.forResource<ReplicationController>(REPLICATION_CONTROLLERS);
    this.podInformer = ctx.informers.forResource<Pod>(PODS);

    this.rcs.onAdd((rc) => this.enqueue(rc));
    this.rcs.onUpdate((_old, rc) => this.enqueue(rc));
    this.rcs.onDelete((rc) => this.enqueue(rc));
    this.podInformer.onAdd((pod) => this.addPod(pod));
    this.podInformer.onUpdate((old, pod) => this.updatePod(old, pod));
    this.podInformer.onDelete((pod) => this.deletePod(pod));
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

  private enqueue(rc: ReplicationController): void {
    this.queue.add(keyOf(rc));
  }

  /** The RC a controller reference points at, if it is in the cache with that uid. */
  private resolveControllerRef(namespace: string | undefined, pod: Pod): ReplicationController | undefined {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== "ReplicationController") return undefined;
    const rc = this.rcs.get(ref.name, namespace);
    return rc?.metadata?.uid === ref.uid ? rc : undefined;
  }

  /** The RCs of the pod's namespace whose selector matches it (candidates to adopt an orphan). */
  private matchingControllers(pod: Pod): ReplicationController[] {
    return this.rcs.list().filter((rc) => {
      if (rc.metadata?.namespace !== pod.metadata?.namespace) return false;
      const selector = selectorFromSet(rc.spec?.selector ?? {});
      return !selector.empty && selector.matches(pod.metadata?.labels);
    });
  }

  private addPod(pod: Pod): void {
    if (pod.metadata?.deletionTimestamp) {
      // Seen for the first time already being deleted (e.g. after a relist).
      this.deletePod(pod);
      return;
    }
    if (controllerRefOf(pod)) {
      const rc = this.resolveControllerRef(pod.metadata?.namespace, pod);
      if (!rc) return;
      this.expectations.creationObserved(keyOf(rc));
      this.enqueue(rc);
      return;
    }
    for (const rc of this.matchingControllers(pod)) this.enqueue(rc);
  }

  private updatePod(old: Pod, pod: Pod): void {
    if (old.metadata?.resourceVersion === pod.metadata?.resourceVersion) return;
    const labelsChanged = !deepEqual(old.metadata?.labels, pod.metadata?.labels);
    if (pod.metadata?.deletionTimestamp) {
      // A pod being deleted no longer counts: for the controller it is gone
      // now, and a replacement may start while it shuts down.
      this.deletePod(pod);
      if (labelsChanged) this.deletePod(old);
      return;
    }
    const oldRef = controllerRefOf(old);
    const ref = controllerRefOf(pod);
    const refChanged = oldRef?.uid !== ref?.uid;
    if (refChanged && oldRef) {
      const previous = this.resolveControllerRef(old.metadata?.namespace, old);
      if (previous) this.enqueue(previous);
    }
    if (ref) {
      const rc = this.resolveControllerRef(pod.metadata?.namespace, pod);
      if (!rc) return;
      this.enqueue(rc);
      // Became Ready: look again once it has been Ready for minReadySeconds (it becomes available).
      const minReady = rc.spec?.minReadySeconds ?? 0;
      if (minReady > 0 && !isPodReady(old) && isPodReady(pod)) this.queue.addAfter(keyOf(rc), minReady * 1000 + 100);
      return;
    }
    if (labelsChanged || refChanged) for (const rc of this.matchingControllers(pod)) this.enqueue(rc);
  }

  private deletePod(pod: Pod): void {
    const rc = this.resolveControllerRef(pod.metadata?.namespace, pod);
    if (!rc) return;
    this.expectations.deletionObserved(keyOf(rc), keyOf(pod));
    this.enqueue(rc);
  }

  /** One pass of the reconcile loop for the RC "namespace/name". */
  async sync(key: string): Promise<void> {
    const [namespace, name] = key.split("/") as [string, string];
    // TODO(08.2): one pass of the loop for one RC, from the caches only.
    // Claim the pods, act only when the expectations allow it (ask BEFORE
    // reading the pods: why?) and the RC is not being deleted, then write
    // the status. A failure must reach the queue, which retries with back-off.
    // It uses steps 08.3 and 08.4 too: tested whole from 08.4 on, by
    // "08.4 the controller > ..." and "08.4 on Docker > replaces a deleted pod ...".
    todo("08.2");
  }

  /**
   * Adopts matching orphans and releases owned pods that no longer match,
   * by patching their ownerReferences; returns the pods the RC now owns.
   */
  private async claimPods(rc: ReplicationController, pods: Pod[]): Promise<Pod[]> {
    const claims = classifyPods(rc, selectorFromSet(rc.spec?.selector ?? {}), pods);
    const owned = [...claims.owned];
    if (claims.adopt.length > 0) {
      // Check with the apiserver, not the cache, that this RC still exists and
      // is not being deleted: adopting for a dead controller would leave the
      // pods to be garbage collected.
      const fresh = await this.rcClient.get(rc.metadata?.name ?? "", rc.metadata?.namespace).catch(() => undefined);
      const canAdopt = fresh?.metadata?.uid === rc.metadata?.uid && !fresh?.metadata?.deletionTimestamp;
      for (const pod of canAdopt ? claims.adopt : []) {
        const refs = [...(pod.metadata?.ownerReferences ?? []), controllerRefFor(rc)];
        const adopted = await this.patchOwners(keyOf(rc), pod, refs);
        if (adopted) owned.push(adopted);
      }
    }
    for (const pod of claims.release) {
      const refs = (pod.metadata?.ownerReferences ?? []).filter((r) => r.uid !== rc.metadata?.uid);
      await this.patchOwners(keyOf(rc), pod, refs);
    }
    return owned;
  }

  /**
   * Sets a pod's ownerReferences. The patch carries the resourceVersion we
   * read, so it fails (409) if the pod changed since: two controllers can
   * never both adopt one pod. Answers the patched pod, or undefined when it
   * changed (the RC is synced again soon) or went away.
   */
  private async patchOwners(
    rcKey: string,
    pod: Pod,
    refs: NonNullable<Pod["metadata"]>["ownerReferences"],
  ): Promise<Pod | undefined> {
    const patch = {
      metadata: { resourceVersion: pod.metadata?.resourceVersion, ownerReferences: refs && refs.length > 0 ? refs : null },
    };
    try {
      return await this.podClient.patch(pod.metadata?.name ?? "", patch, pod.metadata?.namespace);
    } catch (err) {
      if (isApiError(err, "NotFound")) return undefined;
      if (isApiError(err, "Conflict")) {
        this.queue.addAfter(rcKey, 50);
        return undefined;
      }
      throw err;
    }
  }

  /** Creates or deletes pods to reach spec.replicas; answers what failed, if anything. */
  private async manageReplicas(key: string, rc: ReplicationController, owned: Pod[]): Promise<ReplicaFailure | undefined> {
    // TODO(08.3): act on decideReplicas(), and tell the expectations what
    // events to wait for: the watch may show a new pod BEFORE the POST
    // returns, and a create or delete that failed will never be seen.
    // A failure is returned (the status shows it), not thrown.
    // Tests: "08.3 manageReplicas > ...", then "08.4 the controller > no overshoot ...".
    todo("08.3");
  }

  /** Writes the status through /status when it changed; on a conflict reads the RC again, once. */
  private async updateStatus(rc: ReplicationController, status: ReplicationController["status"]): Promise<void> {
    if (deepEqual(rc.status, status)) return;
    try {
      await this.rcClient.updateStatus({ ...rc, status });
    } catch (err) {
      if (isApiError(err, "NotFound")) return;
      if (!isApiError(err, "Conflict")) throw err;
      const fresh = await this.rcClient.get(rc.metadata?.name ?? "", rc.metadata?.namespace);
      await this.rcClient.updateStatus({ ...fresh, status });
    }
  }
}

/** The factory for the controller manager (chapter 08's controllers()). */
export function newReplicationManager(options: ReplicationOptions = {}) {
  return (ctx: ControllerContext): Controller => new ReplicationManager(ctx, options);
}
