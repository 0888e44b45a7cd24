/**
 * Delete, the Kubernetes way: not always at once.
 *
 * - An object with finalizers is only marked (deletionTimestamp); it goes
 *   away when the last finalizer is removed (see update.ts).
 * - Graceful deletion: a pod running on a node gets a deletionTimestamp and
 *   a grace period; its kubelet stops the containers, then deletes the pod
 *   for good with gracePeriodSeconds=0.
 * - A resource may store something else instead (a namespace becomes
 *   Terminating and is emptied first).
 */
import { conflict, deepEqual, isApiError, timestamp, type DeleteOptions } from "../../../shared/api/index.ts";
import type { ApiObject, ResourceDefinition } from "../registry/types.ts";
import type { RequestScope, RestContext } from "./context.ts";
import { secondsFromNow } from "./update.ts";

export async function deleteObject(
  ctx: RestContext,
  resource: ResourceDefinition,
  namespace: string | undefined,
  name: string,
  options: DeleteOptions,
  scope: RequestScope,
): Promise<ApiObject> {
  // STEP(03.6): delete is a read-modify-write too. The client's preconditions
  // (uid, resourceVersion) must hold, else 409 Conflict. Admission sees the
  // object first. nextStateOnDelete() decides between "mark it and keep it" and
  // "remove it now"; either way the write must not overwrite a change made since
  // the read. A dry run writes nothing.
  // Tests: "03.6 delete > deletes an unbound pod at once and returns it",
  // "03.6 delete > deletes a bound pod gracefully: deletionTimestamp first, gone after gracePeriodSeconds=0",
  // "03.6 delete > keeps an object with finalizers until the last finalizer is removed",
  // "03.6 refuses a delete whose preconditions do not hold".
  //#solution
  const ref = { resource: resource.plural, group: resource.group };
  for (let attempt = 0; ; attempt++) {
    const current = await ctx.storage.get(resource, namespace, name);
    const meta = current.metadata ?? {};
    const version = meta.resourceVersion ?? "";
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== meta.uid) {
      throw conflict(ref, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid ?? ""}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== version) {
      throw conflict(
        ref,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${version}`,
      );
    }
    await ctx.chain.admit({
      operation: "DELETE",
      resource,
      subresource: "",
      namespace,
      name,
      oldObject: current,
      user: scope.user,
    });

    const replacement = nextStateOnDelete(resource, current, options);
    try {
      if (replacement) {
        if (deepEqual(replacement, current) || scope.dryRun) return replacement;
        return await ctx.storage.update(resource, replacement, version);
      }
      if (scope.dryRun) return current;
      return await removeObject(ctx, resource, current, version);
    } catch (err) {
      // Someone wrote in between: look again (unless the client pinned a version).
      if (isApiError(err, "Conflict") && !pre?.resourceVersion && attempt < 20) continue;
      throw err;
    }
  }
  //#end
}

/** What to store instead of removing the object, or undefined to remove it now. */
function nextStateOnDelete(resource: ResourceDefinition, current: ApiObject, options: DeleteOptions): ApiObject | undefined {
  //#solution
  const meta = current.metadata ?? {};
  if ((meta.finalizers ?? []).length > 0) {
    // Wait for the finalizers; the object is only marked.
    if (meta.deletionTimestamp) return current;
    return { ...current, metadata: { ...meta, deletionTimestamp: timestamp(), deletionGracePeriodSeconds: 0 } };
  }
  const grace = resource.strategy?.gracePeriodSeconds?.(current, options) ?? 0;
  if (grace > 0) {
    // Already terminating with a shorter or equal grace period: nothing to change.
    if (meta.deletionTimestamp && (meta.deletionGracePeriodSeconds ?? 0) <= grace) return current;
    return { ...current, metadata: { ...meta, deletionTimestamp: secondsFromNow(grace), deletionGracePeriodSeconds: grace } };
  }
  return resource.strategy?.beforeDelete?.(current, options);
  //#end
}

/** Removes an object from the store for good, then lets its strategy release what it held (afterDelete). */
export async function removeObject(
  ctx: RestContext,
  resource: ResourceDefinition,
  obj: ApiObject,
  expectedResourceVersion?: string,
): Promise<ApiObject> {
  const removed = await ctx.storage.delete(resource, obj, expectedResourceVersion);
  await resource.strategy?.afterDelete?.(removed);
  return removed;
}
