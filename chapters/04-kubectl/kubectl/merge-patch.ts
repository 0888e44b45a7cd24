/**
 * Client-side apply computes a JSON merge patch (RFC 7386) from three
 * versions of an object:
 *
 *   original  what we applied last time (kept in the object's annotation
 *             kubectl.kubernetes.io/last-applied-configuration)
 *   modified  the manifest we apply now
 *   current   the live object on the server (with fields the server or
 *             other clients set: uid, status, defaults...)
 *
 * The patch sets every field of `modified` that `current` does not already
 * have, and sets to null (= remove, in a merge patch) every field that was in
 * `original` but is no longer in `modified`. Fields nobody applied (status,
 * defaults) are left alone: that is why the third version is needed.
 *
 *   original {a: 1, b: 2}   modified {a: 1, c: 3}   current {a: 1, b: 2, uid: "x"}
 *   patch    {b: null, c: 3}
 *
 * A merge patch replaces lists whole. The real kubectl uses a "strategic"
 * merge patch for built-in kinds instead, which merges lists of containers by
 * name; merge patch is what it uses for custom resources.
 */
import { todo } from "../../../shared/todo.ts";

export const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

export type JsonObject = { [key: string]: unknown };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The three-way merge patch that turns `current` into what `modified` asks for; {} when nothing changes. */
export function threeWayMergePatch(original: JsonObject | undefined, modified: JsonObject, current: JsonObject): JsonObject {
  // TODO(04.7): the smallest patch that makes `current` match `modified`
  // (the rules are in the comment at the top). Fields that only the server or
  // another client set must stay as they are.
  // Tests: "04.7 apply's three-way merge patch > sets what changed, removes what the manifest dropped, leaves fields nobody applied alone",
  // "04.7 apply's three-way merge patch > is empty when the live object already has everything (server defaults do not count as changes)".
  todo("04.7");
}

/**
 * Whether the live value already is what we want. Objects compare with the
 * patch above (extra live fields, such as defaults the server added, do not
 * count); lists must have the same length and unchanged elements.
 */
export function unchanged(original: unknown, wanted: unknown, live: unknown): boolean {
  if (isObject(wanted) && isObject(live)) {
    return Object.keys(threeWayMergePatch(isObject(original) ? original : undefined, wanted, live)).length === 0;
  }
  if (Array.isArray(wanted) && Array.isArray(live)) {
    const before = Array.isArray(original) ? original : [];
    return wanted.length === live.length && wanted.every((item, i) => unchanged(before[i], item, live[i]));
  }
  return wanted === live;
}

/** The manifest with its own copy (minus the annotation itself) stored in the last-applied annotation. */
export function withLastApplied<T extends JsonObject>(manifest: T): T {
  const copy = structuredClone(manifest);
  const metadata = (isObject(copy.metadata) ? copy.metadata : {}) as JsonObject;
  const annotations = isObject(metadata.annotations) ? { ...metadata.annotations } : {};
  delete annotations[LAST_APPLIED];
  const recorded = { ...copy, metadata: { ...metadata, annotations } };
  if (Object.keys(annotations).length === 0) delete (recorded.metadata as JsonObject).annotations;
  return {
    ...copy,
    metadata: { ...metadata, annotations: { ...annotations, [LAST_APPLIED]: JSON.stringify(recorded) } },
  };
}

/** The last-applied configuration stored on a live object, if any. */
export function lastApplied(live: JsonObject): JsonObject | undefined {
  const metadata = isObject(live.metadata) ? live.metadata : {};
  const annotations = isObject(metadata.annotations) ? metadata.annotations : {};
  const text = annotations[LAST_APPLIED];
  if (typeof text !== "string") return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
