/** Query parameters, checked: a bad value is a 400 that names the parameter. */
import { badRequest } from "../../../shared/api/index.ts";

export function boolParam(query: URLSearchParams, name: string): boolean {
  const v = query.get(name);
  if (v === null || v === "" || v === "false" || v === "0") return false;
  if (v === "true" || v === "1") return true;
  throw badRequest(`${name}: invalid value "${v}": must be true or false`);
}

export function intParam(query: URLSearchParams, name: string, { min = -Infinity } = {}): number | undefined {
  const v = query.get(name);
  if (v === null || v === "") return undefined;
  if (!/^-?\d{1,15}$/.test(v)) throw badRequest(`${name}: invalid value "${v}": must be an integer`);
  const n = Number(v);
  if (n < min) throw badRequest(`${name}: invalid value "${v}": must be at least ${min}`);
  return n;
}

export function enumParam<T extends string>(query: URLSearchParams, name: string, allowed: readonly T[]): T | undefined {
  const v = query.get(name);
  if (v === null || v === "") return undefined;
  if (!(allowed as readonly string[]).includes(v)) {
    throw badRequest(`${name}: invalid value "${v}": supported values: ${allowed.map((a) => `"${a}"`).join(", ")}`);
  }
  return v as T;
}

/** A resourceVersion in a query: digits only (they are store revisions). */
export function resourceVersionParam(query: URLSearchParams): string | undefined {
  const v = query.get("resourceVersion");
  if (v === null || v === "") return undefined;
  if (!/^\d{1,15}$/.test(v))
    throw badRequest(`resourceVersion: invalid value "${v}": use a resourceVersion from a previous response`);
  return v;
}

/** ?dryRun=All: validate and admit but do not store. */
export function dryRunParam(query: URLSearchParams): boolean {
  const values = query.getAll("dryRun").filter((v) => v !== "");
  for (const v of values) if (v !== "All") throw badRequest(`dryRun: unsupported value "${v}": supported values: "All"`);
  return values.length > 0;
}
