/**
 * What `kubectl label` and `kubectl annotate` change, worked out before
 * anything is sent:
 *
 *   kubectl label pod web tier=frontend env-     set tier, remove env
 *   kubectl label pod web tier=backend --overwrite
 *
 * Both commands edit one map of metadata (labels or annotations) the same
 * way. Setting a key that already has a *different* value is refused unless
 * --overwrite is given, so a typo cannot silently re-point an object from
 * one selection to another. The change goes to the server as a JSON merge
 * patch of just that map: { metadata: { labels: { tier: "frontend", env: null } } }
 * (null removes a key), so labels that other people set are left alone.
 */
import { validateLabelValue, validateQualifiedName } from "../../../shared/api/validation.ts";
import { UsageError } from "../../04-kubectl/kubectl/args.ts";

export type MetadataMap = "labels" | "annotations";

/** One change from the command line: set `key` to `value`, or remove `key` (value undefined). */
export interface MetadataChange {
  key: string;
  value?: string;
}

/** The word for one entry of the map, in messages. */
export function entryWord(map: MetadataMap): string {
  return map === "labels" ? "label" : "annotation";
}

/**
 * Splits the arguments into objects and changes: `KEY=VALUE` sets, `KEY-`
 * removes, anything else names an object (`pod web`, `pod/web`). Keys and
 * label values are checked here, so a bad one never reaches the server.
 */
export function splitChangeArgs(args: string[], map: MetadataMap): { objects: string[]; changes: MetadataChange[] } {
  const objects: string[] = [];
  const changes: MetadataChange[] = [];
  for (const arg of args) {
    const eq = arg.indexOf("=");
    let change: MetadataChange | undefined;
    if (eq >= 0) change = { key: arg.slice(0, eq), value: arg.slice(eq + 1) };
    else if (arg.endsWith("-") && changes.length + objects.length > 0) change = { key: arg.slice(0, -1) };
    if (!change) {
      if (changes.length > 0) throw new UsageError(`give the objects first, then the ${map}: "${arg}" is neither KEY=VALUE nor KEY-`);
      objects.push(arg);
      continue;
    }
    const keyProblems = validateQualifiedName(change.key);
    if (keyProblems.length > 0) throw new UsageError(`invalid ${entryWord(map)} key "${change.key}": ${keyProblems.join("; ")}`);
    if (map === "labels" && change.value !== undefined) {
      const valueProblems = validateLabelValue(change.value);
      if (valueProblems.length > 0) throw new UsageError(`invalid label value "${change.key}=${change.value}": ${valueProblems.join("; ")}`);
    }
    if (changes.some((c) => c.key === change.key)) throw new UsageError(`the ${entryWord(map)} "${change.key}" is given twice`);
    changes.push(change);
  }
  if (changes.length === 0) throw new UsageError(`at least one ${entryWord(map)} update is required (KEY=VALUE to set, KEY- to remove)`);
  return { objects, changes };
}

export interface ChangePlan {
  /** The merge patch of the map: new values, and null for removed keys. Empty when nothing changes. */
  patch: Record<string, string | null>;
  /** Keys asked to be removed that the object does not have (kubectl says "not found"). */
  missing: string[];
}

/**
 * Plans the changes against the object's current map. Throws a UsageError
 * when a key already has a different value and `overwrite` is false, e.g.
 *   'tier' already has a value (frontend), and --overwrite is false
 */
export function planChanges(current: Record<string, string> | undefined, changes: MetadataChange[], overwrite: boolean): ChangePlan {
  const patch: Record<string, string | null> = {};
  const missing: string[] = [];
  // STEP(07.6): the merge patch for these changes. Removing a key that is
  // not there goes to `missing`. Changing a value needs `overwrite`: report
  // every refused key in ONE UsageError, as kubectl does:
  //   'KEY' already has a value (OLD); ..., and --overwrite is false
  // Tests: "07.6 kubectl label and annotate: what changes > ...".
  //#solution
  const map = current ?? {};
  const refused: string[] = [];
  for (const { key, value } of changes) {
    const has = Object.hasOwn(map, key);
    if (value === undefined) {
      if (has) patch[key] = null;
      else missing.push(key);
    } else if (has && map[key] === value) {
      continue;
    } else if (has && !overwrite) {
      refused.push(`'${key}' already has a value (${map[key]})`);
    } else {
      patch[key] = value;
    }
  }
  if (refused.length > 0) throw new UsageError(`${refused.join("; ")}, and --overwrite is false`);
  //#end
  return { patch, missing };
}
