/**
 * JSON merge patch (RFC 7386), Content-Type application/merge-patch+json.
 *
 * The patch looks like the object: fields it names are set, `null` removes a
 * field, nested objects merge recursively, anything else (arrays included)
 * replaces. `kubectl patch --type merge -p '{"metadata":{"labels":{"tier":"web"}}}'`.
 */
import { isObject } from "../../../shared/api/index.ts";

/** Applies a JSON merge patch to `target` and returns the result; `target` is not modified. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}
