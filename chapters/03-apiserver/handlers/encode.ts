/** Shapes of answers: lists, partial metadata, tables, per the client's Accept header. */
import { groupVersion, type List, type ListMeta, type PartialObjectMetadata } from "../../../shared/api/index.ts";
import type { Representation } from "../http/negotiation.ts";
import type { ApiObject, ResourceDefinition } from "../registry/types.ts";
import { toTable, type IncludeObject } from "../table/table.ts";

export function partial(obj: ApiObject): PartialObjectMetadata {
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: obj.metadata ?? {} };
}

export function encodeList(
  resource: ResourceDefinition,
  items: ApiObject[],
  resourceVersion: string,
  rep: Representation,
  include: IncludeObject,
  page: Omit<ListMeta, "resourceVersion"> = {},
): unknown {
  // A page of a list also carries continue and remainingItemCount (storage/paging.ts).
  const metadata: ListMeta = { resourceVersion };
  if (page.continue) metadata.continue = page.continue;
  if (page.remainingItemCount !== undefined) metadata.remainingItemCount = page.remainingItemCount;
  if (rep === "table") return { ...toTable(resource, items, resourceVersion, include), metadata };
  if (rep === "metadata") {
    return {
      kind: "PartialObjectMetadataList",
      apiVersion: "meta.k8s.io/v1",
      metadata,
      items: items.map(partial),
    };
  }
  const list: List<ApiObject> = {
    kind: `${resource.kind}List`,
    apiVersion: groupVersion(resource.group, resource.version),
    metadata,
    items,
  };
  return list;
}

export function encodeOne(resource: ResourceDefinition, obj: ApiObject, rep: Representation, include: IncludeObject): unknown {
  if (rep === "table") return toTable(resource, [obj], obj.metadata?.resourceVersion ?? "", include);
  if (rep === "metadata") return partial(obj);
  return obj;
}
