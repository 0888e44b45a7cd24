/**
 * The garbage collector: deletes objects whose owners are gone.
 *
 * Nobody tells a pod that its RC was deleted. The pod keeps its
 * ownerReferences, which now point at a uid that no longer exists. The
 * garbage collector watches owners and dependents; when an owner goes, it
 * looks at each of its dependents:
 *
 *   every owner of the dependent gone  -> delete the dependent (cascade)
 *   some owners still there            -> remove only the references to the gone ones
 *   the owner is being deleted with the "orphan" finalizer
 *                                      -> remove the references to it from its
 *                                         dependents, then the finalizer: the
 *                                         owner goes, the dependents stay
 *
 * "Gone" is checked twice: first in the informer caches, and, before anything
 * is deleted, with a GET to the apiserver. A cache can lag: a pod may be seen
 * before the RC that created it, and deleting it then would be a disaster.
 *
 * It watches the resource types it is given: gcResources (pods and
 * replication controllers) and those of later chapters (13: replica sets,
 * deployments), passed to controllers() in chapter 08's index.ts.
 */
import { isApiError, type KubeObject, type OwnerReference } from "../../../shared/api/index.ts";
import type { Informer } from "../../04-kubectl/client/informer.ts";
import { apiVersionOf, PODS } from "../../04-kubectl/client/resources.ts";
import { resourcePath, type ResourceType, type RestClient } from "../../04-kubectl/client/rest.ts";
import { REPLICATION_CONTROLLERS } from "../client/resources.ts";
import type { Controller, ControllerContext } from "../controller-manager/controller-manager.ts";
import { runWorkers, WorkQueue } from "../controller-manager/work-queue.ts";
import { ORPHAN_FINALIZER } from "./deletion-policy.ts";
import { todo } from "../../../shared/todo.ts";

/** The kinds of this chapter the garbage collector watches, as owners and as dependents. */
export const gcResources: readonly ResourceType[] = [PODS, REPLICATION_CONTROLLERS];

/** What to do with a dependent, given which of its owners still exist. */
export type DependentAction = { kind: "keep" } | { kind: "delete" } | { kind: "removeReferences"; uids: string[] };

// TODO(08.6): a dependent whose owners are ALL gone goes too; one that
// lost only some owners just forgets those. `exists(ref)` says whether
// that owner (with that uid) still exists. Tests: "08.6 the garbage collector's decision ...".
export function decideDependent(refs: OwnerReference[], exists: (ref: OwnerReference) => boolean): DependentAction {
  todo("08.6");
}

/** Queue items: "<type index>|<namespace>/<name>". */
interface Item {
  type: ResourceType;
  namespace: string | undefined;
  name: string;
}

export class GarbageCollector implements Controller {
  readonly name = "garbage-collector";
  private readonly queue = new WorkQueue();
  private readonly types: ResourceType[];
  private readonly informers: Informer<KubeObject>[];
  /** uid -> the owner's object, for every object of the watched types. */
  private readonly byUid = new Map<string, KubeObject>();
  /** owner uid -> queue items of its dependents. */
  private readonly dependents = new Map<string, Set<string>>();
  private readonly client: RestClient;
  private running: Promise<void> | undefined;

  constructor(
    private readonly ctx: ControllerContext,
    resources: readonly ResourceType[] = gcResources,
  ) {
    this.client = ctx.client;
    // Once each: two chapters may both name pods.
    this.types = resources.filter((t, i) => resources.findIndex((u) => u.group === t.group && u.version === t.version && u.resource === t.resource) === i);
    this.informers = this.types.map((type, i) => {
      const informer = ctx.informers.forResource<KubeObject>(type);
      informer.onAdd((obj) => this.observe(i, undefined, obj));
      informer.onUpdate((old, obj) => this.observe(i, old, obj));
      informer.onDelete((obj) => this.forget(i, obj));
      return informer;
    });
  }

  run(): void {
    this.running ??= runWorkers(this.queue, 2, (item) => this.sync(item), (item, err) => this.ctx.log(`${item}: ${err.message}`));
  }

  async stop(): Promise<void> {
    this.queue.shutDown();
    await this.running;
  }

  private itemKey(typeIndex: number, obj: KubeObject): string {
    return `${typeIndex}|${obj.metadata?.namespace ?? ""}/${obj.metadata?.name ?? ""}`;
  }

  private parse(item: string): Item & { index: number } {
    const [index, path] = item.split("|") as [string, string];
    const [namespace, name] = path.split("/") as [string, string];
    return { index: Number(index), type: this.types[Number(index)]!, namespace: namespace || undefined, name };
  }

  /** An object was added or changed: index it, and look at it if it has owners or is being orphaned. */
  private observe(typeIndex: number, old: KubeObject | undefined, obj: KubeObject): void {
    const key = this.itemKey(typeIndex, obj);
    const uid = obj.metadata?.uid;
    if (uid) this.byUid.set(uid, obj);
    for (const ref of old?.metadata?.ownerReferences ?? []) this.dependents.get(ref.uid)?.delete(key);
    const refs = obj.metadata?.ownerReferences ?? [];
    for (const ref of refs) {
      const set = this.dependents.get(ref.uid) ?? new Set<string>();
      set.add(key);
      this.dependents.set(ref.uid, set);
    }
    if (refs.length > 0) this.queue.add(key);
    if (obj.metadata?.deletionTimestamp && obj.metadata.finalizers?.includes(ORPHAN_FINALIZER)) this.queue.add(key);
  }

  /** An object is gone: its dependents must be looked at. */
  private forget(typeIndex: number, obj: KubeObject): void {
    const uid = obj.metadata?.uid;
    if (uid) {
      this.byUid.delete(uid);
      for (const dependent of this.dependents.get(uid) ?? []) this.queue.add(dependent);
      this.dependents.delete(uid);
    }
    for (const ref of obj.metadata?.ownerReferences ?? []) this.dependents.get(ref.uid)?.delete(this.itemKey(typeIndex, obj));
  }

  /** The watched type of an owner reference, if we know it. */
  private typeOf(ref: OwnerReference): ResourceType | undefined {
    return this.types.find((t) => t.kind === ref.kind && apiVersionOf(t) === ref.apiVersion);
  }

  /** Does the owner exist, asking the apiserver (not the cache)? Unknown kinds count as existing: we cannot tell. */
  private async ownerExists(ref: OwnerReference, namespace: string | undefined): Promise<boolean> {
    if (this.byUid.has(ref.uid)) return true;
    const type = this.typeOf(ref);
    if (!type) return true;
    try {
      const owner = await this.client.request<KubeObject>("GET", resourcePath(type, { namespace: type.namespaced ? namespace : undefined, name: ref.name }));
      return owner.metadata?.uid === ref.uid;
    } catch (err) {
      if (isApiError(err, "NotFound")) return false;
      throw err;
    }
  }

  private async sync(key: string): Promise<void> {
    const item = this.parse(key);
    const obj = this.informers[item.index]!.get(item.name, item.namespace);
    if (!obj) return;
    if (obj.metadata?.deletionTimestamp && obj.metadata.finalizers?.includes(ORPHAN_FINALIZER)) {
      await this.orphanDependents(item, obj);
      return;
    }
    const refs = obj.metadata?.ownerReferences ?? [];
    const existing = new Set<string>();
    for (const ref of refs) if (await this.ownerExists(ref, item.namespace)) existing.add(ref.uid);
    const action = decideDependent(refs, (ref) => existing.has(ref.uid));
    const path = resourcePath(item.type, { namespace: item.namespace, name: item.name });
    if (action.kind === "delete") {
      this.ctx.log(`deleting ${item.type.resource} ${key.split("|")[1]}: its owners are gone`);
      // The uid precondition: never delete a newer object that took the same name.
      const body = { kind: "DeleteOptions", apiVersion: "v1", preconditions: { uid: obj.metadata?.uid }, propagationPolicy: "Background" };
      await this.client.request("DELETE", path, { body }).catch((err: unknown) => {
        if (!isApiError(err, "NotFound") && !isApiError(err, "Conflict")) throw err;
      });
    } else if (action.kind === "removeReferences") {
      await this.patchOwnerReferences(path, obj, action.uids);
    }
  }

  // TODO(08.6): an Orphan delete. The owner's dependents must lose their
  // reference to it (this.patchOwnerReferences) BEFORE the owner goes: the
  // apiserver deletes it once its ORPHAN_FINALIZER is removed.
  // Tests: "08.6 garbage collection > ...", "08.6 on Docker > leaves the pods running ...".
  private async orphanDependents(item: Item, owner: KubeObject): Promise<void> {
    const uid = owner.metadata?.uid ?? "";
    todo("08.6");
  }

  /** Removes the owner references with these uids (merge patch, pinned to the version we read). */
  private async patchOwnerReferences(path: string, obj: KubeObject, uids: string[]): Promise<void> {
    const refs = (obj.metadata?.ownerReferences ?? []).filter((ref) => !uids.includes(ref.uid));
    const body = { metadata: { resourceVersion: obj.metadata?.resourceVersion, ownerReferences: refs.length > 0 ? refs : null } };
    try {
      await this.client.request("PATCH", path, { body, contentType: "application/merge-patch+json" });
    } catch (err) {
      if (isApiError(err, "NotFound")) return;
      throw err; // a Conflict: the queue retries with the fresh object
    }
  }
}

/** The factory for the controller manager: a garbage collector over these kinds (default: gcResources). */
export function newGarbageCollector(resources: readonly ResourceType[] = gcResources) {
  return (ctx: ControllerContext): Controller => new GarbageCollector(ctx, resources);
}
