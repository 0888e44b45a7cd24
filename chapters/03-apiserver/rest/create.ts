/**
 * Create: decode, fill in server-owned metadata, default, validate, admit,
 * store. The order is Kubernetes' own (see k8s.io/apiserver's rest.BeforeCreate).
 */
import { invalid, isApiError } from "../../../shared/api/index.ts";
import type { ApiObject, ResourceDefinition } from "../registry/types.ts";
import type { RequestScope, RestContext } from "./context.ts";
import { decodeObject, type Decoded } from "./decode.ts";
import { initializeMetadata, validateObjectMeta } from "./metadata.ts";
import { checkNamespaceMatches, requireActiveNamespace } from "./namespace-check.ts";

/** Creates an object from a request body. */
export async function createObject(
  ctx: RestContext,
  resource: ResourceDefinition,
  namespace: string | undefined,
  body: unknown,
  scope: RequestScope,
): Promise<Decoded> {
  const { obj, warnings } = decodeObject(resource, body, scope.fieldValidation);
  return { obj: await createDecoded(ctx, resource, namespace, obj, scope), warnings };
}

/** Creates an already decoded object (also used for the namespaces the server makes at start). */
export async function createDecoded(
  ctx: RestContext,
  resource: ResourceDefinition,
  namespace: string | undefined,
  obj: ApiObject,
  scope: RequestScope,
): Promise<ApiObject> {
  checkNamespaceMatches(resource, namespace, obj);
  if (obj.metadata?.resourceVersion) {
    throw invalid(resource.kind, obj.metadata.name ?? "", [
      { type: "FieldValueInvalid", field: "metadata.resourceVersion", value: obj.metadata.resourceVersion, detail: "must be empty on create: resourceVersion should not be set on objects to be created" },
    ], resource.group);
  }
  const generated = !obj.metadata?.name && !!obj.metadata?.generateName;
  // A generated name may collide with an existing object: try a few others.
  for (let attempt = 0; ; attempt++) {
    const candidate = structuredClone(obj);
    initializeMetadata(candidate);
    const name = candidate.metadata?.name ?? "";
    if (resource.scope === "Namespaced" && namespace) await requireActiveNamespace(ctx, resource, namespace, name);

    resource.strategy?.prepareForCreate?.(candidate);
    resource.strategy?.defaults?.(candidate);
    const errors = [...validateObjectMeta(resource, candidate), ...(resource.strategy?.validate?.(candidate) ?? [])];
    if (errors.length > 0) throw invalid(resource.kind, name || (obj.metadata?.generateName ?? ""), errors, resource.group);

    await ctx.chain.admit({ operation: "CREATE", resource, subresource: "", namespace, name, object: candidate, user: scope.user });
    const finish = (await resource.strategy?.beginCreate?.(candidate)) ?? undefined;
    if (scope.dryRun) {
      await finish?.(false);
      return candidate;
    }
    try {
      const created = await ctx.storage.create(resource, candidate);
      await finish?.(true);
      return created;
    } catch (err) {
      await finish?.(false);
      if (generated && attempt < 8 && isApiError(err, "AlreadyExists")) continue;
      throw err;
    }
  }
}
