/**
 * Lists in pages: `?limit=N` and `?continue=TOKEN`.
 *
 * A list of 50,000 pods is one huge answer: a lot of memory in the server and
 * a long wait for the client. With `limit`, the answer holds at most N items
 * and, when more are left, `metadata.continue`: a token the client sends back
 * to get the next page.
 *
 * All pages of one list show the same moment. The token holds the revision of
 * the first page and the key to start from, and the next page reads the store
 * AT that revision (etcd keeps old revisions until a compaction). An object
 * written between two pages does not make the list skip or repeat anything.
 * When the revision has been compacted the list cannot go on consistently:
 * 410 Expired, and the client starts a new list.
 *
 * The token is base64 of {"v":"meta.k8s.io/v1","rv":<revision>,"start":"<key>"},
 * the shape Kubernetes uses (k8s.io/apiserver/pkg/storage/continue.go). It is
 * opaque to clients, and not signed: a changed token can only ask for keys of
 * this resource, and a malformed one is a 400.
 */
import { ApiError, badRequest, internalError, isObject, statusOf } from "../../../shared/api/index.ts";
import { isStoreError } from "../../../shared/store/types.ts";
import type { ApiObject, ResourceDefinition } from "../registry/types.ts";
import type { ObjectStorage } from "./object-storage.ts";
import { resourcePrefix } from "./keys.ts";

export interface PageRequest {
  /** At most this many items (undefined or 0: all of them). */
  limit?: number;
  /** The token from the previous page's metadata.continue. */
  continueToken?: string;
  /** A label or field selector: only matching objects count toward the limit. */
  predicate?: (obj: ApiObject) => boolean;
}

export interface Page {
  items: ApiObject[];
  /** The revision every page of this list reads: the list's resourceVersion. */
  revision: number;
  /** Set when more items are left: send it back as ?continue=. */
  continueToken?: string;
  /** How many objects are left after this page (only without a selector, as in Kubernetes). */
  remainingItemCount?: number;
}

const TOKEN_VERSION = "meta.k8s.io/v1";

const TOO_OLD =
  "The provided continue parameter is too old to display a consistent list result. " +
  "You can start a new list without the continue parameter, or use the continue token in this response " +
  "to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - " +
  "objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

export function encodeContinue(revision: number, startKey: string): string {
  return Buffer.from(JSON.stringify({ v: TOKEN_VERSION, rv: revision, start: startKey })).toString("base64url");
}

/**
 * The revision and the start key (relative to the prefix) of a token. rv -1
 * is the token a 410 hands out: "go on at the latest revision".
 */
export function decodeContinue(token: string): { revision: number; startKey: string } {
  const invalid = (why: string) => badRequest(`invalid continue token: continue key is not valid: ${why}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw invalid("not base64 of a JSON object; use the token of the previous page as it came");
  }
  if (!isObject(parsed)) throw invalid("not base64 of a JSON object; use the token of the previous page as it came");
  if (parsed.v !== TOKEN_VERSION) throw invalid(`server does not recognize this encoded version ${JSON.stringify(parsed.v)}`);
  const { rv, start } = parsed;
  if (typeof rv !== "number" || !Number.isInteger(rv) || rv === 0 || rv < -1) {
    throw invalid(`incorrect encoded start resourceVersion (version ${TOKEN_VERSION})`);
  }
  if (typeof start !== "string" || start === "") throw invalid(`encoded start key empty (version ${TOKEN_VERSION})`);
  // The start key stays inside the resource's prefix: no "..", no "/" games.
  if (start.startsWith("/") || start.split("/").some((part) => part === ".." || part === ".")) {
    throw invalid(JSON.stringify(start));
  }
  return { revision: rv, startKey: start };
}

/** One page of a list, read at the first page's revision. */
export async function listPage(
  storage: ObjectStorage,
  resource: ResourceDefinition,
  namespace: string | undefined,
  request: PageRequest,
): Promise<Page> {
  const prefix = resourcePrefix(resource, namespace);
  const limit = request.limit || undefined;
  let fromKey: string | undefined;
  let revision: number | undefined;
  if (request.continueToken) {
    const token = decodeContinue(request.continueToken);
    fromKey = prefix + token.startKey;
    if (token.revision > 0) {
      revision = token.revision;
      const now = await storage.store.revision();
      if (revision > now) throw badRequest(`invalid continue token: revision ${revision} is in the future`);
    }
  }

  const items: ApiObject[] = [];
  let remainingItemCount: number | undefined;
  let lastKey: string | undefined;
  let more = false;
  // With a selector, a page of the store may match fewer than `limit` objects:
  // read on (at the same revision) until the page is full or the keys run out.
  for (;;) {
    let result;
    try {
      result = await storage.store.range(prefix, { limit: limit && limit - items.length, fromKey, revision });
    } catch (err) {
      if (isStoreError(err, "Compacted") && request.continueToken) throw tooOld(fromKey!.slice(prefix.length));
      throw err;
    }
    // A Store that ignores the page options would serve page one forever: fail loudly instead.
    if ((fromKey !== undefined && result.kvs.some((kv) => kv.key < fromKey!)) || (revision && result.revision !== revision)) {
      throw internalError("the store ignored range's fromKey or revision: its range() must support RangeOptions");
    }
    revision = result.revision;
    for (const kv of result.kvs) {
      const obj = await storage.decode(resource, kv);
      lastKey = kv.key;
      if (!request.predicate || request.predicate(obj)) items.push(obj);
    }
    const total = result.count ?? result.kvs.length;
    more = result.kvs.length < total;
    if (!request.predicate && more) remainingItemCount = total - result.kvs.length;
    if (!more || !limit || items.length >= limit) break;
    fromKey = `${lastKey}\0`;
  }

  const page: Page = { items, revision };
  if (more && lastKey !== undefined) {
    // The next page starts just after the last key read ("\0" sorts right after it).
    page.continueToken = encodeContinue(revision, `${lastKey.slice(prefix.length)}\0`);
    if (remainingItemCount !== undefined) page.remainingItemCount = remainingItemCount;
  }
  return page;
}

/** 410 Expired for a compacted page, with a token that goes on at the latest revision (rv -1). */
function tooOld(startKey: string): ApiError {
  const status = statusOf(410, "Expired", TOO_OLD, {});
  status.metadata = { continue: encodeContinue(-1, startKey) };
  return new ApiError(status);
}
