/**
 * The request chain as Express middleware: authenticate every request, work
 * out what it is about (RequestInfo), authorize it. Admission runs later,
 * inside create/update/delete, once the object is known.
 */
import type { NextFunction, Request, Response } from "express";
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

export function chainMiddleware(chain: RequestChain) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const url = new URL(req.originalUrl, "http://apiserver.local");
    const watchValue = url.searchParams.get("watch");
    const info = parseResourcePath(url.pathname, req.method, watchValue === "true" || watchValue === "1");
    const user = await chain.authenticate(req);
    Object.assign(res.locals, { user, url, info } satisfies RequestLocals);
    const attributes: RequestAttributes = info
      ? {
          user,
          verb: info.verb ?? req.method.toLowerCase(),
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
          verb: req.method.toLowerCase(),
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
    next();
  };
}
