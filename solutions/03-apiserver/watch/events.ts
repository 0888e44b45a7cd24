/**
 * From store events to API watch events.
 *
 * The store reports PUT and DELETE on keys; clients want ADDED, MODIFIED and
 * DELETED on objects. With a filter (a label selector, chapter 07) an object
 * can also move in or out of what the client watches: moving in is ADDED,
 * moving out is DELETED, so the client's view stays exactly "the objects that
 * match".
 */
import type { WatchEvent as ApiWatchEvent } from "../../../shared/api/index.ts";
import type { WatchEvent as StoreEvent, KeyValue } from "../../../shared/store/types.ts";
import type { ObjectPredicate } from "../filters/filters.ts";
import type { ApiObject } from "../registry/types.ts";

export type Decode = (kv: KeyValue) => Promise<ApiObject>;

// STEP(03.7): the watch event the client sees for one store event, or undefined.
// The client's view must stay exactly "the objects that match" (see above). A
// DELETED event carries the last state the client could see (for an object
// that leaves the filter: its state before the change), with the event's
// revision as resourceVersion. Decoded objects may be shared by many watches:
// make a new object rather than change one.
// Tests: "03.7 watch > streams ADDED, MODIFIED and DELETED in order from a list's resourceVersion",
// "03.7 an object that leaves a label selector is DELETED for that watch".
export async function toWatchEvent(
  event: StoreEvent,
  decode: Decode,
  matches: ObjectPredicate | undefined,
): Promise<ApiWatchEvent<ApiObject> | undefined> {
  //#solution
  const match = matches ?? (() => true);
  const before = event.prevKv ? await decode(event.prevKv) : undefined;
  const lastSeen = (obj: ApiObject): ApiObject => ({
    ...obj,
    metadata: { ...obj.metadata, resourceVersion: String(event.kv.modRevision) },
  });
  if (event.type === "DELETE") {
    if (!before || !match(before)) return undefined;
    return { type: "DELETED", object: lastSeen(before) };
  }
  const after = await decode(event.kv);
  const wasIn = before !== undefined && match(before);
  const isIn = match(after);
  if (wasIn && isIn) return { type: "MODIFIED", object: after };
  if (isIn) return { type: "ADDED", object: after };
  if (wasIn) return { type: "DELETED", object: lastSeen(before) };
  return undefined;
  //#end
}
