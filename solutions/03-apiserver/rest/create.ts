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

/**
 * Creates an already decoded object (also used for the namespaces the server makes at start).
 * The object becomes the server's: it may be changed in place.
 */
export async function createDecoded(
  ctx: RestContext,
  resource: ResourceDefinition,
  namespace: string | undefined,
  obj: ApiObject,
  scope: RequestScope,
): Promise<ApiObject> {
  // STEP(03.3): the create path, in Kubernetes' order. The object must already be
  // in the URL's namespace (checkNamespaceMatches) and carry no resourceVersion
  // (422). Then: server-owned metadata, an active namespace, the strategy's
  // prepareForCreate and defaults, validation (all errors in one 422), admission,
  // the strategy's beginCreate/finish pair, and the write. A dry run does
  // everything but the write. A generated name can collide with an existing
  // object: try a new name a few times; a name the client chose gets the 409.
  // Tests: "03.3 answers 422 for a client-set resourceVersion on create",
  // "03.3 retries a generated name that is taken", "03.3 a dry run creates nothing".
  //#solution
  checkNamespaceMatches(resource, namespace, obj);
  if (obj.metadata?.resourceVersion) {
    throw invalid(
      resource.kind,
      obj.metadata.name ?? "",
      [
        {
          type: "FieldValueInvalid",
          field: "metadata.resourceVersion",
          value: obj.metadata.resourceVersion,
          detail: "must be empty on create: resourceVersion should not be set on objects to be created",
        },
      ],
      resource.group,
    );
  }
  const generated = !obj.metadata?.name && !!obj.metadata?.generateName;
  // A generated name may collide with an existing object: try a few others.
  for (let attempt = 0; ; attempt++) {
    // The steps below change the object in place. Only a retry needs the object
    // as it came in, so only a generated name pays for a copy (a deep copy costs
    // more than parsing the whole body did).
    const candidate = generated ? structuredClone(obj) : obj;
    initializeMetadata(candidate);
    const name = candidate.metadata?.name ?? "";
    if (resource.scope === "Namespaced" && namespace) await requireActiveNamespace(ctx, resource, namespace, name);

    resource.strategy?.prepareForCreate?.(candidate);
    resource.strategy?.defaults?.(candidate);
    const errors = [...validateObjectMeta(resource, candidate), ...(resource.strategy?.validate?.(candidate) ?? [])];
    if (errors.length > 0) throw invalid(resource.kind, name || (obj.metadata?.generateName ?? ""), errors, resource.group);

    await ctx.chain.admit({
      operation: "CREATE",
      resource,
      subresource: "",
      namespace,
      name,
      object: candidate,
      user: scope.user,
    });
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
  //#end
}
