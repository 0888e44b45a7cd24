/**
 * The request chain at the front of every request: authenticate it, work out
 * what it is about (RequestInfo), authorize it. Admission runs later, inside
 * create/update/delete, once the object is known. handlers/director.ts calls
 * it first for every request; the handlers read what it found with locals(res).
 */
import type { IncomingMessage } from "node:http";
import type { Response } from "express";
import { parseResourcePath, type ResourceRequestInfo } from "../handlers/request-info.ts";
import type { RequestChain } from "./chain.ts";
import type { RequestAttributes, UserInfo } from "./types.ts";

export interface RequestLocals {
  user: UserInfo;
  url: URL;
  info: ResourceRequestInfo | undefined;
}

export function locals(res: Response): RequestLocals {
  return res.locals as RequestLocals;
}

/** Who sent the request and what it is about; throws 401 or 403 (an ApiError) when the chain refuses it. */
export async function authenticateAndAuthorize(chain: RequestChain, req: IncomingMessage): Promise<RequestLocals> {
  const method = req.method ?? "GET";
  const url = new URL(req.url ?? "/", "http://apiserver.local");
  const watchValue = url.searchParams.get("watch");
  const info = parseResourcePath(url.pathname, method, watchValue === "true" || watchValue === "1");
  const user = await chain.authenticate(req);
  const attributes: RequestAttributes = info
    ? {
        user,
        verb: info.verb ?? method.toLowerCase(),
        isResourceRequest: true,
        path: url.pathname,
        apiGroup: info.group,
        apiVersion: info.version,
        resource: info.resource,
        subresource: info.subresource ?? "",
        // For namespaces themselves the "namespace" in the path is the object's name.
        namespace: info.resource === "namespaces" && info.group === "" ? "" : (info.namespace ?? ""),
        name: info.name ?? "",
      }
    : {
        user,
        verb: method.toLowerCase(),
        isResourceRequest: false,
        path: url.pathname,
        apiGroup: "",
        apiVersion: "",
        resource: "",
        subresource: "",
        namespace: "",
        name: "",
      };
  await chain.authorize(attributes);
  return { user, url, info };
}
