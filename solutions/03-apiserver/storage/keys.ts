/**
 * Where objects live in the store. Kubernetes keeps every object under one
 * key, /registry/{resource}/{namespace}/{name} (cluster-scoped objects have no
 * namespace segment), so a prefix read lists a namespace or a whole resource,
 * and a prefix watch follows it.
 */
import type { ResourceDefinition } from "../registry/types.ts";

// STEP(03.2): return the store key of one object: /registry/{plural}/{namespace}/{name}
// for namespaced resources, /registry/{plural}/{name} for cluster-scoped ones.
export function objectKey(resource: ResourceDefinition, namespace: string | undefined, name: string): string {
  //#solution
  if (resource.scope === "Cluster") return `/registry/${resource.plural}/${name}`;
  return `/registry/${resource.plural}/${namespace ?? ""}/${name}`;
  //#end
}

// STEP(03.2): return the prefix that holds all objects of a resource in one namespace
// (/registry/pods/default/), or in all namespaces when namespace is undefined
// (/registry/pods/). End it with "/" so that namespace "dev" does not match "dev2".
export function resourcePrefix(resource: ResourceDefinition, namespace?: string): string {
  //#solution
  if (resource.scope === "Namespaced" && namespace !== undefined) return `/registry/${resource.plural}/${namespace}/`;
  return `/registry/${resource.plural}/`;
  //#end
}
