/**
 * managedFields: who set which field of an object, and server-side apply.
 *
 * Every write names a field manager (?fieldManager=, or the client's user
 * agent). The object's metadata.managedFields lists, per manager and
 * operation, the set of fields that manager owns:
 *
 *   - Update (POST, PUT, PATCH): the manager takes the fields its write
 *     changed; other managers lose them. No conflicts: the last writer wins.
 *   - Apply (PATCH with application/apply-patch+yaml): the manager sends only
 *     the fields it cares about (its configuration). It owns exactly those.
 *     Changing a field that another manager owns, to another value, is a
 *     conflict (409), unless the applier forces (force=true) and takes it.
 *     A field the manager applied before and leaves out now is removed from
 *     the object, if no other manager owns it.
 *
 * Kubernetes does this in k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager
 * and sigs.k8s.io/structured-merge-diff; this is a small version of it.
 */
import { ApiError, deepEqual, isObject, statusOf, timestamp, type StatusCause } from "../../../shared/api/index.ts";
import type { Schema } from "../../../shared/api/schema/types.ts";
import type { ApiObject } from "../registry/types.ts";
import {
  deletePath,
  fieldsV1Of,
  fieldValues,
  fromFieldsV1,
  mergeApplied,
  pathKey,
  pathString,
  toFieldsV1,
  type FieldPath,
  type FieldValues,
} from "./fieldpath.ts";

export interface ManagedFieldsEntry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time?: string;
  fieldsType: "FieldsV1";
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

/** Who writes, and through which path. */
export interface Manager {
  name: string;
  apiVersion: string;
  /** "" for the object itself, "status" for /status... */
  subresource: string;
  schema: Schema | undefined;
}

interface Entry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  subresource: string;
  time?: string;
  /** pathKey -> path */
  fields: Map<string, FieldPath>;
}

/** Metadata the server sets: nobody owns it. */
const SERVER_METADATA = [
  "name",
  "namespace",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "selfLink",
  "managedFields",
];

/**
 * The fields a write through `subresource` can own, with their values:
 * /status owns only status; the object itself owns everything else (its
 * status is reset by the status strategy, step 03.4).
 */
export function ownedValues(obj: unknown, manager: Manager, nodes = false): FieldValues {
  if (!isObject(obj)) return new Map();
  return fieldValues(ownedView(obj, manager), manager.schema, nodes);
}

/** The part of an object a write through `manager.subresource` can own (see ownedValues()). */
function ownedView(obj: Record<string, unknown>, manager: Manager): Record<string, unknown> {
  if (manager.subresource === "status") return { status: obj.status };
  // A copy without apiVersion, kind, status and the server's metadata, made by
  // picking fields, not by deleting them (every write passes here).
  const view: Record<string, unknown> = {};
  for (const key in obj) {
    if (key === "apiVersion" || key === "kind" || key === "status" || key === "metadata") continue;
    view[key] = obj[key];
  }
  if (isObject(obj.metadata)) {
    const meta: Record<string, unknown> = {};
    let any = false;
    for (const key in obj.metadata) {
      if (SERVER_METADATA.includes(key)) continue;
      meta[key] = obj.metadata[key];
      any = true;
    }
    if (any) view.metadata = meta;
  }
  return view;
}

function readEntries(obj: ApiObject | undefined): Entry[] {
  const raw = obj?.metadata?.managedFields;
  if (!Array.isArray(raw)) return [];
  const entries: Entry[] = [];
  for (const e of raw) {
    if (!isObject(e) || typeof e.manager !== "string" || (e.operation !== "Apply" && e.operation !== "Update")) continue;
    const fields = new Map(fromFieldsV1(e.fieldsV1).map((p) => [pathKey(p), p]));
    entries.push({
      manager: e.manager,
      operation: e.operation,
      apiVersion: typeof e.apiVersion === "string" ? e.apiVersion : "",
      subresource: typeof e.subresource === "string" ? e.subresource : "",
      time: typeof e.time === "string" ? e.time : undefined,
      fields,
    });
  }
  return entries;
}

/** Entries in Kubernetes' order: Apply before Update, then by time, manager and apiVersion. */
function writeEntries(obj: ApiObject, entries: Entry[]): void {
  const kept = entries.filter((e) => e.fields.size > 0);
  kept.sort(
    (a, b) =>
      a.operation.localeCompare(b.operation) ||
      (a.time ?? "").localeCompare(b.time ?? "") ||
      (a.manager < b.manager ? -1 : a.manager > b.manager ? 1 : 0) ||
      (a.apiVersion < b.apiVersion ? -1 : a.apiVersion > b.apiVersion ? 1 : 0),
  );
  const encoded: ManagedFieldsEntry[] = kept.map((e) => ({
    manager: e.manager,
    operation: e.operation,
    apiVersion: e.apiVersion,
    ...(e.time ? { time: e.time } : {}),
    fieldsType: "FieldsV1",
    fieldsV1: toFieldsV1(e.fields.values()),
    ...(e.subresource ? { subresource: e.subresource } : {}),
  }));
  const meta = (obj.metadata ??= {});
  if (encoded.length > 0) meta.managedFields = encoded;
  else delete meta.managedFields;
}

function sameManager(e: Entry, name: string, operation: Entry["operation"], manager: Manager): boolean {
  // An applier is one manager whatever the version it applies with (as in Kubernetes).
  return (
    e.manager === name &&
    e.operation === operation &&
    e.subresource === manager.subresource &&
    (operation === "Apply" || e.apiVersion === manager.apiVersion)
  );
}

/**
 * An Update (create, PUT, or a JSON/merge/strategic PATCH): the manager takes
 * every field the write added or changed; other managers lose those and the
 * fields the write removed. Sets next.metadata.managedFields.
 */
export function recordUpdate(old: ApiObject | undefined, next: ApiObject, manager: Manager): void {
  if (old === undefined) return recordCreate(next, manager);
  const entries = readEntries(old);
  const before = ownedValues(old, manager, true);
  const after = ownedValues(next, manager, true);
  const changed = [...after].filter(([k, v]) => before.get(k)?.value !== v.value || !before.has(k));
  const removed = [...before.keys()].filter((k) => !after.has(k));
  let own = entries.find((e) => sameManager(e, manager.name, "Update", manager));
  for (const e of entries) {
    if (e === own) continue;
    for (const [k] of changed) e.fields.delete(k);
    for (const k of removed) e.fields.delete(k);
  }
  if (!own && changed.length > 0) {
    own = {
      manager: manager.name,
      operation: "Update",
      apiVersion: manager.apiVersion,
      subresource: manager.subresource,
      fields: new Map(),
    };
    entries.push(own);
  }
  if (own) {
    for (const k of removed) own.fields.delete(k);
    for (const [k, v] of changed) own.fields.set(k, v.path);
    if (changed.length > 0) own.time = timestamp();
  }
  writeEntries(next, entries);
}

/**
 * recordUpdate() of a new object: nobody owned anything before, so the
 * manager owns every field the object sets, in one entry (or none, when it
 * sets nothing). The same entry recordUpdate() would write, built straight
 * from the object: every create passes here.
 */
function recordCreate(next: ApiObject, manager: Manager): void {
  const fieldsV1 = fieldsV1Of(ownedView(next, manager), manager.schema, true);
  const meta = (next.metadata ??= {});
  if (Object.keys(fieldsV1).length === 0) {
    delete meta.managedFields;
    return;
  }
  const entry: ManagedFieldsEntry = {
    manager: manager.name,
    operation: "Update",
    apiVersion: manager.apiVersion,
    time: timestamp(),
    fieldsType: "FieldsV1",
    fieldsV1,
  };
  if (manager.subresource) entry.subresource = manager.subresource;
  meta.managedFields = [entry];
}

interface Conflict {
  path: FieldPath;
  entry: Entry;
}

/**
 * Server-side apply: merges `config` into `live` (undefined: the object does
 * not exist yet) for the manager, and returns the new object with its
 * managedFields. 409 Conflict when the configuration changes a field another
 * manager owns, unless `force`.
 */
export function applyConfig(live: ApiObject | undefined, config: ApiObject, manager: Manager, force: boolean): ApiObject {
  const entries = readEntries(live);
  const { managedFields: _ignored, ...configMeta } = config.metadata ?? {};
  const cfg: ApiObject = { ...config, metadata: configMeta };
  const applied = ownedValues(cfg, manager);
  const current = ownedValues(live, manager);
  const own = entries.find((e) => sameManager(e, manager.name, "Apply", manager));
  const others = entries.filter((e) => e !== own);

  // A conflict: a field another manager owns, set here to another value.
  const conflicts: Conflict[] = [];
  for (const entry of others) {
    for (const [k, path] of entry.fields) {
      const mine = applied.get(k);
      const theirs = current.get(k);
      if (mine?.leaf && theirs && theirs.value !== mine.value) conflicts.push({ path, entry });
    }
  }
  if (conflicts.length > 0 && !force) throw applyConflict(conflicts);
  for (const { path, entry } of conflicts) entry.fields.delete(pathKey(path));

  const { managedFields: _m, ...liveMeta } = live?.metadata ?? {};
  const merged = mergeApplied(live ? { ...live, metadata: liveMeta } : {}, cfg, manager.schema) as ApiObject;

  // Fields this manager applied before and leaves out now go, unless someone else owns them (or something below them).
  const ownedByOthers = (key: string): boolean => {
    const prefix = key.slice(0, -1);
    return others.some((e) => e.fields.has(key) || [...e.fields.keys()].some((k) => k.startsWith(`${prefix},`)));
  };
  for (const [k, path] of own?.fields ?? []) {
    if (!applied.has(k) && !ownedByOthers(k)) deletePath(merged, path, manager.schema);
  }

  // The same configuration applied again changes nothing: keep the time, so that nothing is written.
  const same =
    own !== undefined &&
    conflicts.length === 0 &&
    own.fields.size === applied.size &&
    [...applied.keys()].every((k) => own.fields.has(k)) &&
    deepEqual(merged, { ...live, metadata: liveMeta });
  const mine: Entry = {
    manager: manager.name,
    operation: "Apply",
    apiVersion: manager.apiVersion,
    subresource: manager.subresource,
    time: same ? own.time : timestamp(),
    fields: new Map([...applied].map(([k, v]) => [k, v.path])),
  };
  writeEntries(merged, [...others, mine]);
  return merged;
}

/** 'conflict with "kubectl-client-side-apply" using v1' (an Update) or 'conflict with "alice"' (an Apply). */
function printManager(e: Entry): string {
  return e.operation === "Update" ? `"${e.manager}" using ${e.apiVersion}` : `"${e.manager}"`;
}

/** 409 Conflict in Kubernetes' words, with one cause per field (reason FieldManagerConflict). */
function applyConflict(conflicts: Conflict[]): ApiError {
  const causes: StatusCause[] = conflicts.map((c) => ({
    reason: "FieldManagerConflict",
    message: `conflict with ${printManager(c.entry)}`,
    field: pathString(c.path),
  }));
  let detail: string;
  if (conflicts.length === 1) {
    detail = `conflict with ${printManager(conflicts[0]!.entry)}: ${pathString(conflicts[0]!.path)}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) {
      const who = printManager(c.entry);
      byManager.set(who, [...(byManager.get(who) ?? []), pathString(c.path)]);
    }
    detail = [...byManager.keys()]
      .sort()
      .flatMap((who) => [`conflicts with ${who}:`, ...byManager.get(who)!.map((p) => `- ${p}`)])
      .join("\n");
  }
  const n = conflicts.length;
  return new ApiError(statusOf(409, "Conflict", `Apply failed with ${n} conflict${n === 1 ? "" : "s"}: ${detail}`, { causes }));
}
