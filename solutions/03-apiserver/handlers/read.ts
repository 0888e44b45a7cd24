/** GET: one object, a list, or a watch stream. */
import type { Request, Response } from "express";
import { badRequest } from "../../../shared/api/index.ts";
import { enumParam, intParam, resourceVersionParam, boolParam } from "../http/query.ts";
import { negotiate } from "../http/negotiation.ts";
import { sendJson } from "../http/respond.ts";
import { JsonText, sendJsonStream } from "../http/stream.ts";
import type { ObjectPredicate } from "../filters/filters.ts";
import type { ApiObject, ResourceDefinition } from "../registry/types.ts";
import type { KeyValue } from "../../../shared/store/types.ts";
import { resourcePrefix } from "../storage/keys.ts";
import type { ObjectStorage } from "../storage/object-storage.ts";
import { listPage } from "../storage/paging.ts";
import type { IncludeObject } from "../table/table.ts";
import { serveWatch } from "../watch/watch.ts";
import type { HandlerContext } from "./context.ts";
import { encodeList, encodeOne } from "./encode.ts";

const INCLUDE: readonly IncludeObject[] = ["None", "Metadata", "Object"];

export async function handleGet(
  ctx: HandlerContext,
  req: Request,
  res: Response,
  resource: ResourceDefinition,
  namespace: string | undefined,
  name: string,
  query: URLSearchParams,
): Promise<void> {
  const rep = negotiate(req.headers.accept);
  const include = enumParam(query, "includeObject", INCLUDE) ?? "Metadata";
  resourceVersionParam(query);
  const obj = resource.read ? await resource.read.get(namespace, name) : await ctx.storage.get(resource, namespace, name);
  sendJson(res, 200, encodeOne(resource, obj, rep, include));
}

export async function handleList(
  ctx: HandlerContext,
  req: Request,
  res: Response,
  resource: ResourceDefinition,
  namespace: string | undefined,
  query: URLSearchParams,
): Promise<void> {
  const rep = negotiate(req.headers.accept);
  const include = enumParam(query, "includeObject", INCLUDE) ?? "Metadata";
  // Accepted for compatibility; a first page always reads the latest state.
  const resourceVersion = resourceVersionParam(query);
  enumParam(query, "resourceVersionMatch", ["NotOlderThan", "Exact"]);
  const limit = intParam(query, "limit", { min: 0 });
  intParam(query, "timeoutSeconds", { min: 0 });
  const continueToken = query.get("continue") || undefined;
  if (continueToken && resourceVersion && resourceVersion !== "0") {
    throw badRequest("specifying resource version is not allowed when using continue");
  }
  const predicate = ctx.filters.predicate(query, resource);
  // A resource answered from elsewhere (chapter 12's metrics) is one page, read where it lives.
  if (resource.read) {
    const items = await resource.read.list(namespace);
    const selected = predicate ? items.filter(predicate) : items;
    return sendJsonStream(res, 200, encodeList(resource, selected, "", rep, include));
  }
  if (!limit && !continueToken) {
    // The whole list, streamed: each object is decoded as its turn to be written comes.
    const { kvs, revision } = await ctx.storage.store.range(resourcePrefix(resource, namespace));
    if (rep === "object" && !predicate) {
      // The plain list, without a selector, is the common and the largest answer: its items are the stored JSON text.
      const head = encodeList(resource, [], String(revision), rep, include);
      return sendJsonStream(res, 200, { ...head, elements: storedTextEach(ctx.storage, resource, kvs) });
    }
    const objects = decodeEach(ctx.storage, resource, kvs, predicate);
    return sendJsonStream(res, 200, encodeList(resource, objects, String(revision), rep, include));
  }
  // A page of a list (storage/paging.ts): every page reads the first page's revision.
  const page = await listPage(ctx.storage, resource, namespace, { limit, continueToken, predicate });
  const more = { continue: page.continueToken, remainingItemCount: page.remainingItemCount };
  await sendJsonStream(res, 200, encodeList(resource, page.items, String(page.revision), rep, include, more));
}

/**
 * The objects of a list, decoded one at a time. The store's values are already
 * in memory; decoding them all first would hold a second copy of the list.
 */
async function* decodeEach(
  storage: ObjectStorage,
  resource: ResourceDefinition,
  kvs: KeyValue[],
  predicate: ObjectPredicate | undefined,
): AsyncGenerator<ApiObject> {
  for (const kv of kvs) {
    const obj = await storage.decode(resource, kv);
    if (!predicate || predicate(obj)) yield obj;
  }
}

/**
 * The objects of a list as JSON text, each its stored text with its
 * resourceVersion (ObjectStorage.decodeText). A plain generator, not an async
 * one: the stream awaits only the items that need it (transformed ones).
 */
function* storedTextEach(
  storage: ObjectStorage,
  resource: ResourceDefinition,
  kvs: KeyValue[],
): Generator<JsonText | Promise<JsonText>> {
  for (const kv of kvs) {
    const pieces = storage.decodeText(resource, kv);
    yield Array.isArray(pieces) ? new JsonText(pieces) : pieces.then(toJsonText);
  }
}

const toJsonText = (pieces: string[]) => new JsonText(pieces);

export async function handleWatch(
  ctx: HandlerContext,
  req: Request,
  res: Response,
  resource: ResourceDefinition,
  namespace: string | undefined,
  name: string | undefined,
  query: URLSearchParams,
): Promise<void> {
  const rep = negotiate(req.headers.accept);
  const include = enumParam(query, "includeObject", INCLUDE) ?? "Metadata";
  const resourceVersion = resourceVersionParam(query);
  const timeoutSeconds = intParam(query, "timeoutSeconds", { min: 0 });
  const allowBookmarks = boolParam(query, "allowWatchBookmarks");
  const predicate = ctx.filters.predicate(query, resource);
  await serveWatch(
    ctx.storage,
    ctx.watches,
    ctx.watchOptions,
    {
      resource,
      namespace,
      name,
      resourceVersion,
      predicate,
      allowBookmarks,
      timeoutSeconds: timeoutSeconds === 0 ? undefined : timeoutSeconds,
      encode: (obj) => encodeOne(resource, obj, rep, include),
      // The object itself encodes the same for every watch: share the bytes. (A Table has an age in it.)
      encodingKey: rep === "table" ? undefined : rep,
    },
    res,
  );
}
