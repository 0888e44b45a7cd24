/**
 * The front door of every request, as Kubernetes' APIServerHandler: the
 * request chain first (authentication, authorization), then a "director"
 * that sends a resource path to the resource handler and anything else to
 * the mux of the other paths (here Express: discovery, OpenAPI, 404).
 *
 *   request ──> chain (chain/middleware.ts) ──> resource path? ──yes──> resourceHandler
 *                                                     │ no
 *                                                     v
 *                                        Express: discovery, OpenAPI, 404
 *
 * Nearly every request is a resource request, and its path is read once
 * (parseResourcePath) by the chain anyway. Express' router would then try
 * its layers one by one (match the path, call next()) on every request:
 * about 7% of the apiserver's busy time in the write benchmark. So a
 * resource request does not go through the router at all.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Express, Request, Response } from "express";
import { authenticateAndAuthorize } from "../chain/middleware.ts";
import type { RequestChain } from "../chain/chain.ts";
import { sendError } from "../http/respond.ts";

/** The handler of resource paths: resourceHandler(ctx). */
export type ResourceHandler = (req: Request, res: Response) => Promise<void>;

export function director(chain: RequestChain, resources: ResourceHandler, others: Express) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    void serve(chain, resources, others, req, res);
  };
}

async function serve(
  chain: RequestChain,
  resources: ResourceHandler,
  others: Express,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  // The resource handlers use Express' request and response helpers (res.status(),
  // res.type()...). Give them, exactly as Express' own app.handle() does before it
  // walks its router: link the two objects, and put Express' methods under them.
  const request = Object.setPrototypeOf(Object.assign(req, { res }), others.request) as Request;
  const response = Object.setPrototypeOf(Object.assign(res, { req }), others.response) as Response;
  try {
    response.locals = await authenticateAndAuthorize(chain, req);
    if (response.locals.info) await resources(request, response);
    else others(request, response); // Express keeps the locals it finds
  } catch (err) {
    sendError(response, err);
  }
}
