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
import { todo } from "../../../shared/todo.ts";

export async function deleteObject(
  ctx: RestContext,
  resource: ResourceDefinition,
  namespace: string | undefined,
  name: string,
  options: DeleteOptions,
  scope: RequestScope,
): Promise<ApiObject> {
  // TODO(03.6): delete is a read-modify-write too. The client's preconditions
  // (uid, resourceVersion) must hold, else 409 Conflict. Admission sees the
  // object first. nextStateOnDelete() decides between "mark it and keep it" and
  // "remove it now"; either way the write must not overwrite a change made since
  // the read. A dry run writes nothing.
  // Tests: "03.6 delete > deletes an unbound pod at once and returns it",
  // "03.6 delete > deletes a bound pod gracefully: deletionTimestamp first, gone after gracePeriodSeconds=0",
  // "03.6 delete > keeps an object with finalizers until the last finalizer is removed",
  // "03.6 refuses a delete whose preconditions do not hold".
  todo("03.6");
}

/** What to store instead of removing the object, or undefined to remove it now. */
function nextStateOnDelete(resource: ResourceDefinition, current: ApiObject, options: DeleteOptions): ApiObject | undefined {
  todo("03.6");
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
