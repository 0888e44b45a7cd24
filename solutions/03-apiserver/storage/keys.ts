/**
 * Where objects live in the store. Kubernetes keeps every object under one
 * key, /registry/{resource}/{namespace}/{name} (cluster-scoped objects have no
 * namespace segment), so a prefix read lists a namespace or a whole resource,
 * and a prefix watch follows it.
 */
import type { ResourceDefinition } from "../registry/types.ts";

// STEP(03.1): where objects live in the store (see the comment above). A prefix
// read of one namespace must never include another namespace, even "dev2" for "dev".
// Tests: "03.1 keeps each object under its key in the store".
export function objectKey(resource: ResourceDefinition, namespace: string | undefined, name: string): string {
  //#solution
  if (resource.scope === "Cluster") return `/registry/${resource.plural}/${name}`;
  return `/registry/${resource.plural}/${namespace ?? ""}/${name}`;
  //#end
}

/** The prefix of every object of a resource in one namespace, or in all namespaces when `namespace` is undefined. */
export function resourcePrefix(resource: ResourceDefinition, namespace?: string): string {
  //#solution
  if (resource.scope === "Namespaced" && namespace !== undefined) return `/registry/${resource.plural}/${namespace}/`;
  return `/registry/${resource.plural}/`;
  //#end
}
