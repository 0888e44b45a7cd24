/**
 * PATCH: read the object, apply the patch to it, then the same path as an
 * update. Three patch formats, chosen by Content-Type (see patch/), and
 * server-side apply (see fieldmanager/): the fourth type, which also creates
 * the object when it does not exist.
 */
import { conflict, isApiError, isObject } from "../../../shared/api/index.ts";
import { applyConfig, type Manager } from "../fieldmanager/managed-fields.ts";
import { applyJsonPatch } from "../patch/json-patch.ts";
import { applyMergePatch } from "../patch/merge-patch.ts";
import { applyStrategicMergePatch } from "../patch/strategic-merge-patch.ts";
import type { ApiObject, ResourceDefinition } from "../registry/types.ts";
import type { RequestScope, RestContext } from "./context.ts";
import { createDecoded } from "./create.ts";
import { decodeObject, type Decoded } from "./decode.ts";
import { checkNameMatches, guaranteedUpdate } from "./update.ts";

export type PatchType = "json" | "merge" | "strategic";

export const PATCH_CONTENT_TYPES: Record<string, PatchType> = {
  "application/json-patch+json": "json",
  "application/merge-patch+json": "merge",
  "application/strategic-merge-patch+json": "strategic",
};

/** Server-side apply's Content-Type (applyObject below). */
export const APPLY_PATCH_CONTENT_TYPE = "application/apply-patch+yaml";

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

/**
 * Server-side apply (PATCH with application/apply-patch+yaml): merge the
 * manager's configuration into the object, or create the object from it.
 * `created` says which happened (201 or 200).
 */
export async function applyObject(
  ctx: RestContext,
  resource: ResourceDefinition,
  namespace: string | undefined,
  name: string,
  body: unknown,
  scope: RequestScope,
  subresource: string,
  manager: Manager,
  force: boolean,
): Promise<Decoded & { created: boolean }> {
  const { obj: config, warnings } = decodeObject(resource, body, scope.fieldValidation);
  checkNameMatches(resource, namespace, name, config);
  const pinned = typeof config.metadata?.resourceVersion === "string";
  for (let attempt = 0; ; attempt++) {
    try {
      const obj = await guaranteedUpdate(ctx, resource, namespace, name, scope, subresource, pinned, (current) =>
        applyConfig(current, config, manager, force),
      );
      return { obj, warnings, created: false };
    } catch (err) {
      if (!isApiError(err, "NotFound") || subresource !== "") throw err;
    }
    // Not there yet: an apply creates it (and someone may create it first: then apply again).
    try {
      const obj = await createDecoded(ctx, resource, namespace, applyConfig(undefined, config, manager, force), scope);
      return { obj, warnings, created: true };
    } catch (err) {
      if (!isApiError(err, "AlreadyExists") || attempt >= 3) throw err;
    }
  }
}
