/**
 * Small helpers every component needs around API objects.
 */
import type { KubeObject } from "./meta.ts";

/** A timestamp as Kubernetes writes it: RFC 3339, UTC, whole seconds ("2024-05-01T12:00:00Z"). */
export function timestamp(date?: Date): string {
  if (date) return date.toISOString().replace(/\.\d{3}Z$/, "Z");
  // "Now" changes once a second, and every write asks for it (creationTimestamp,
  // managedFields): format it once per second, not once per call.
  const second = Math.floor(Date.now() / 1000);
  if (second !== thisSecond.second) thisSecond = { second, text: timestamp(new Date(second * 1000)) };
  return thisSecond.text;
}
let thisSecond = { second: -1, text: "" };

/** A plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A deep copy of a JSON value: exactly what JSON.parse(JSON.stringify(value))
 * gives, without making the text in between. Every update copies the object it
 * read (rest/update.ts), and on a pod the walk below costs about a tenth of
 * the round trip through text. Plain objects and arrays are walked; anything
 * else (a Date, a class instance, a BigInt) goes through JSON text, so the
 * answer never differs from the round trip.
 */
export function deepClone<T>(value: T): T {
  return value === undefined ? value : (copyJson(value) as T);
}

function copyJson(value: unknown): unknown {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  // JSON has no NaN, Infinity or -0: the round trip gives null, null and 0.
  if (typeof value === "number") return Number.isFinite(value) ? value + 0 : null;
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length);
    // JSON writes an item it cannot hold (undefined, a function) as null.
    for (let i = 0; i < value.length; i++) copy[i] = skippedByJson(value[i]) ? null : copyJson(value[i]);
    return copy;
  }
  if (typeof value === "object" && isPlainData(value)) {
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key];
      if (skippedByJson(item)) continue; // JSON leaves such a field out
      // JSON.parse makes "__proto__" an own field; a plain assignment would set the prototype.
      if (key === "__proto__")
        Object.defineProperty(copy, key, { value: copyJson(item), enumerable: true, writable: true, configurable: true });
      else copy[key] = copyJson(item);
    }
    return copy;
  }
  return JSON.parse(JSON.stringify(value));
}

function skippedByJson(value: unknown): boolean {
  return value === undefined || typeof value === "function" || typeof value === "symbol";
}

/** An object JSON writes field by field: a plain or null prototype, no toJSON(). */
function isPlainData(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && typeof (value as { toJSON?: unknown }).toJSON !== "function";
}

/**
 * Structural equality of two JSON values (key order does not matter; a field
 * set to undefined counts as absent). Plain loops: every update compares whole
 * objects a few times, and this runs once per field.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (isObject(a) && isObject(b)) {
    // Every defined field of a is in b with an equal value, and b has no other defined field.
    let defined = 0;
    for (const key of Object.keys(a)) {
      if (a[key] === undefined) continue;
      defined++;
      if (!deepEqual(a[key], b[key])) return false;
    }
    for (const key of Object.keys(b)) if (b[key] !== undefined) defined--;
    return defined === 0;
  }
  return false;
}

/** "namespace/name" (or "name" for cluster-scoped objects): the usual key of a cache. */
export function objectKey(obj: KubeObject): string {
  const { namespace, name } = obj.metadata ?? {};
  return namespace ? `${namespace}/${name ?? ""}` : (name ?? "");
}

/**
 * How old something is, the way kubectl prints ages: "45s", "5m3s", "12m",
 * "3h5m", "26h", "4d2h", "120d", "2y10d".
 */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (days < 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (years < 8) {
    const d = days % 365;
    return d === 0 ? `${years}y` : `${years}y${d}d`;
  }
  return `${years}y`;
}

/** The age of an object from its creationTimestamp ("<unknown>" without one). */
export function age(creationTimestamp: string | undefined, now: Date = new Date()): string {
  if (!creationTimestamp) return "<unknown>";
  const t = Date.parse(creationTimestamp);
  if (Number.isNaN(t)) return "<unknown>";
  return humanDuration(now.getTime() - t);
}

/** "v1" for the core group, "group/version" otherwise. */
export function groupVersion(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** Splits an apiVersion into group and version: "v1" -> ["", "v1"], "apps/v1" -> ["apps", "v1"]. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf("/");
  return i < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}
