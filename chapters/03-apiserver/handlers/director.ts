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
import { IncomingMessage, ServerResponse, type ServerOptions } from "node:http";
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
  // res.type()...). Give them, as Express' own app.handle() does before it walks
  // its router: link the two objects, with Express' methods under them. The
  // server's own objects have those already (expressClasses()); one made
  // elsewhere (the response of an upgrade) gets them here.
  const request = Object.assign(req, { res }) as Request;
  const response = Object.assign(res, { req }) as Response;
  if (!others.request.isPrototypeOf(request)) Object.setPrototypeOf(request, others.request);
  if (!others.response.isPrototypeOf(response)) Object.setPrototypeOf(response, others.response);
  try {
    response.locals = await authenticateAndAuthorize(chain, req);
    if (response.locals.info) await resources(request, response);
    else others(request, response); // Express keeps the locals it finds
  } catch (err) {
    sendError(response, err);
  }
}

/**
 * The request and response classes for node:http's createServer(), with
 * Express' methods already on their prototypes. Express' app.handle() swaps
 * the prototype of each request and response instead; changing the prototype
 * of a live object makes V8 give up the fast layout it had for it, and Node's
 * own HTTP code reads those objects on every request.
 */
export function expressClasses(others: Express): ServerOptions {
  class ApiRequest extends IncomingMessage {}
  Object.setPrototypeOf(ApiRequest.prototype, others.request);
  class ApiResponse extends ServerResponse {}
  Object.setPrototypeOf(ApiResponse.prototype, others.response);
  return { IncomingMessage: ApiRequest, ServerResponse: ApiResponse as typeof ServerResponse };
}
