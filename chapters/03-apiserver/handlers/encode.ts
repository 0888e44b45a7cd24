/** Shapes of answers: lists, partial metadata, tables, per the client's Accept header. */
import { groupVersion, type List, type ListMeta, type PartialObjectMetadata } from "../../../shared/api/index.ts";
import type { Representation } from "../http/negotiation.ts";
import type { StreamedList } from "../http/stream.ts";
import type { ApiObject, ResourceDefinition } from "../registry/types.ts";
import { tableRow, toTable, type IncludeObject } from "../table/table.ts";

export function partial(obj: ApiObject): PartialObjectMetadata {
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: obj.metadata ?? {} };
}

/**
 * A list answer, to stream (http/stream.ts): the list's fields, then its
 * elements one at a time. `objects` may be a generator that decodes each
 * object only when its turn comes, so the whole list is never held twice.
 */
export function encodeList(
  resource: ResourceDefinition,
  objects: AsyncIterable<ApiObject> | Iterable<ApiObject>,
  resourceVersion: string,
  rep: Representation,
  include: IncludeObject,
  page: Omit<ListMeta, "resourceVersion"> = {},
): StreamedList {
  // A page of a list also carries continue and remainingItemCount (storage/paging.ts).
  const metadata: ListMeta = { resourceVersion };
  if (page.continue) metadata.continue = page.continue;
  if (page.remainingItemCount !== undefined) metadata.remainingItemCount = page.remainingItemCount;
  if (rep === "table") {
    const { rows: _none, ...table } = toTable(resource, [], resourceVersion, include);
    const now = new Date();
    return {
      head: { ...table, metadata },
      field: "rows",
      elements: each(objects, (obj) => tableRow(resource, obj, include, now)),
    };
  }
  if (rep === "metadata") {
    const head = { kind: "PartialObjectMetadataList", apiVersion: "meta.k8s.io/v1", metadata };
    return { head, field: "items", elements: each(objects, partial) };
  }
  const head: Omit<List<ApiObject>, "items"> = {
    kind: `${resource.kind}List`,
    apiVersion: groupVersion(resource.group, resource.version),
    metadata,
  };
  return { head, field: "items", elements: objects };
}

/** `f` of each element, as the elements come. */
async function* each<T, U>(elements: AsyncIterable<T> | Iterable<T>, f: (element: T) => U): AsyncGenerator<U> {
  for await (const element of elements) yield f(element);
}

export function encodeOne(resource: ResourceDefinition, obj: ApiObject, rep: Representation, include: IncludeObject): unknown {
  if (rep === "table") return toTable(resource, [obj], obj.metadata?.resourceVersion ?? "", include);
  if (rep === "metadata") return partial(obj);
  return obj;
}
