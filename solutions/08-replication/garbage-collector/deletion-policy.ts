/**
 * What DELETE of an owner means for its dependents: the propagation policy.
 *
 *   Background (our default)  the owner goes now; the garbage collector then
 *                             deletes every dependent whose owner is gone.
 *   Orphan                    the owner is only marked (deletionTimestamp) and
 *                             gets the finalizer "orphan"; the garbage collector
 *                             removes the owner references from its dependents,
 *                             then the finalizer, and the owner goes. The
 *                             dependents stay, owned by nobody.
 *
 * A finalizer is a name in metadata.finalizers: "someone still has work to
 * do before this object may go". The apiserver (chapter 03) keeps an object
 * with finalizers, marked, until the last one is removed.
 *
 * (The real apiserver does this for every resource; and for v1
 * ReplicationControllers its default is Orphan, for backwards compatibility,
 * which is why the real kubectl always sends propagationPolicy=Background.)
 */
import { timestamp, type DeleteOptions } from "../../../shared/api/index.ts";
import type { ApiObject } from "../../03-apiserver/registry/types.ts";

export const ORPHAN_FINALIZER = "orphan";

/** The object to store instead of deleting it now, or undefined to delete it now. */
export function withDeletionFinalizers(obj: ApiObject, options: DeleteOptions): ApiObject | undefined {
  const orphan =
    options.propagationPolicy === "Orphan" || (options.propagationPolicy === undefined && options.orphanDependents === true);
  if (!orphan) return undefined;
  const meta = obj.metadata ?? {};
  const finalizers = [...new Set([...(meta.finalizers ?? []), ORPHAN_FINALIZER])];
  return { ...obj, metadata: { ...meta, finalizers, deletionTimestamp: timestamp(), deletionGracePeriodSeconds: 0 } };
}
