/**
 * Namespaced objects live in a namespace that must exist and must not be
 * going away (the real apiserver's NamespaceLifecycle admission plugin).
 */
import { badRequest, forbidden, isApiError, notFound } from "../../../shared/api/index.ts";
import type { ApiObject, ResourceDefinition } from "../registry/types.ts";
import type { RestContext } from "./context.ts";

/**
 * Fills metadata.namespace from the URL, or checks it matches. Cluster-scoped
 * objects must not carry a namespace.
 */
export function checkNamespaceMatches(resource: ResourceDefinition, namespace: string | undefined, obj: ApiObject): void {
  const meta = (obj.metadata ??= {});
  if (resource.scope === "Cluster") {
    delete meta.namespace;
    return;
  }
  if (meta.namespace && meta.namespace !== namespace) {
    throw badRequest(
      `the namespace of the provided object (${meta.namespace}) does not match the namespace sent on the request (${namespace})`,
    );
  }
  meta.namespace = namespace;
}

/** 404 if the namespace does not exist, 403 if it is being deleted. */
export async function requireActiveNamespace(
  ctx: RestContext,
  resource: ResourceDefinition,
  namespace: string,
  name: string,
): Promise<void> {
  const namespaces = ctx.registry.lookup("", "v1", "namespaces");
  if (!namespaces || resource === namespaces) return;
  // Known active: no store read (namespaces/lister.ts). Anything else is read live.
  if (ctx.namespaces?.isActive(namespace)) return;
  let ns: ApiObject;
  try {
    ns = await ctx.storage.get(namespaces, undefined, namespace);
  } catch (err) {
    if (isApiError(err, "NotFound")) throw notFound({ resource: "namespaces" }, namespace);
    throw err;
  }
  const phase = (ns.status as { phase?: string } | undefined)?.phase;
  if (phase === "Terminating" || ns.metadata?.deletionTimestamp) {
    throw forbidden(
      { resource: resource.plural, group: resource.group },
      name,
      `unable to create new content in namespace ${namespace} because it is being terminated`,
    );
  }
}
