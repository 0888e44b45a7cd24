/**
 * JSON merge patch (RFC 7386), Content-Type application/merge-patch+json.
 *
 * The patch looks like the object: fields it names are set, `null` removes a
 * field, nested objects merge recursively, anything else (arrays included)
 * replaces. `kubectl patch --type merge -p '{"metadata":{"labels":{"tier":"web"}}}'`.
 */
import { isObject } from "../../../shared/api/index.ts";

// STEP(03.6): apply a JSON merge patch to `target` and return the result (do
// not modify `target`). If `patch` is not an object, it replaces the target.
// Otherwise start from a copy of the target (an empty object if the target is
// not an object); for each field of the patch, null removes the field, any
// other value is merged in recursively.
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  //#solution
  if (!isObject(patch)) return patch;
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
  //#end
}
