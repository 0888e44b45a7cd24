/**
 * PATCH: read the object, apply the patch to it, then the same path as an
 * update. Three patch formats, chosen by Content-Type (see patch/).
 */
import { conflict, isObject } from "../../../shared/api/index.ts";
import { applyJsonPatch } from "../patch/json-patch.ts";
import { applyMergePatch } from "../patch/merge-patch.ts";
import { applyStrategicMergePatch } from "../patch/strategic-merge-patch.ts";
import type { ApiObject, ResourceDefinition } from "../registry/types.ts";
import type { RequestScope, RestContext } from "./context.ts";
import { decodeObject, type Decoded } from "./decode.ts";
import { checkNameMatches, guaranteedUpdate } from "./update.ts";

export type PatchType = "json" | "merge" | "strategic";

export const PATCH_CONTENT_TYPES: Record<string, PatchType> = {
  "application/json-patch+json": "json",
  "application/merge-patch+json": "merge",
  "application/strategic-merge-patch+json": "strategic",
};

export function applyPatch(type: PatchType, current: ApiObject, patch: unknown, resource: ResourceDefinition): unknown {
  switch (type) {
    case "json":
      return applyJsonPatch(current, patch);
    case "merge":
      return applyMergePatch(current, patch);
    case "strategic":
      return applyStrategicMergePatch(current, patch, resource.schema);
  }
}

export async function patchObject(
  ctx: RestContext,
  resource: ResourceDefinition,
  namespace: string | undefined,
  name: string,
  type: PatchType,
  patch: unknown,
  scope: RequestScope,
  subresource: string,
): Promise<Decoded> {
  // A patch that sets metadata.resourceVersion asks for optimistic concurrency.
  const pinned = isObject(patch) && isObject(patch.metadata) && typeof patch.metadata.resourceVersion === "string";
  let warnings: string[] = [];
  const obj = await guaranteedUpdate(ctx, resource, namespace, name, scope, subresource, pinned, (current) => {
    const patched = applyPatch(type, current, patch, resource);
    const decoded = decodeObject(resource, patched, scope.fieldValidation);
    warnings = decoded.warnings;
    checkNameMatches(resource, namespace, name, decoded.obj);
    if (decoded.obj.metadata?.resourceVersion !== current.metadata?.resourceVersion) {
      throw conflict({ resource: resource.plural, group: resource.group }, name);
    }
    return decoded.obj;
  });
  return { obj, warnings };
}
