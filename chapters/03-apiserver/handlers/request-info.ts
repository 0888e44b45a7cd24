/**
 * Reading a request path the way the apiserver does (k8s.io/apiserver's
 * RequestInfoFactory):
 *
 *   /api/v1/namespaces/{ns}/{resource}/{name}/{subresource}
 *   /apis/{group}/{version}/{resource}/{name}          (cluster-scoped)
 *   /api/v1/watch/namespaces/{ns}/{resource}           (legacy watch paths)
 *
 * The verb comes from the HTTP method and the shape of the path: GET of a
 * collection is list (or watch with ?watch=1), DELETE of one is delete, etc.
 */
import { badRequest } from "../../../shared/api/index.ts";
import type { Verb } from "../registry/types.ts";

export interface ResourceRequestInfo {
  apiPrefix: "api" | "apis";
  group: string;
  version: string;
  namespace: string | undefined;
  resource: string;
  name: string | undefined;
  subresource: string | undefined;
  /** The API verb, or undefined for an HTTP method the API does not use (405). */
  verb: Verb | undefined;
}

/** Subresources of namespaces, which look like namespaced resources in the path. */
const NAMESPACE_SUBRESOURCES = new Set(["status", "finalize"]);

/** Returns undefined when the path is not a resource path (then it is discovery or 404). */
export function parseResourcePath(path: string, method: string, watchParam: boolean): ResourceRequestInfo | undefined {
  const parts = path
    .split("/")
    .filter((p) => p !== "")
    .map(decodeSegment);
  let apiPrefix: "api" | "apis";
  let group = "";
  let version: string;
  let rest: string[];
  if (parts[0] === "api" && parts.length >= 3) {
    apiPrefix = "api";
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === "apis" && parts.length >= 4) {
    apiPrefix = "apis";
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  let watchPath = false;
  if (rest[0] === "watch") {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === "namespaces" && rest.length > 1) {
    namespace = rest[1];
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2]!)) rest = rest.slice(2);
  }
  if (rest.length === 0 || rest.length > 3) return undefined;
  const [resource, name, subresource] = rest as [string, string | undefined, string | undefined];
  if (name === "") return undefined;

  const collection = name === undefined;
  let verb: Verb | undefined;
  switch (method) {
    case "GET":
    case "HEAD":
      verb = watchPath || watchParam ? "watch" : collection ? "list" : "get";
      break;
    case "POST":
      verb = "create";
      break;
    case "PUT":
      verb = "update";
      break;
    case "PATCH":
      verb = "patch";
      break;
    case "DELETE":
      verb = collection ? "deletecollection" : "delete";
      break;
    default:
      verb = undefined;
  }
  return { apiPrefix, group, version, namespace, resource, name, subresource, verb };
}

function decodeSegment(segment: string): string {
  // Every request decodes its path; a segment without "%" decodes to itself.
  if (!segment.includes("%")) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`the path segment "${segment.slice(0, 100)}" is not valid URL encoding`);
  }
}
