/**
 * The resource endpoint: one handler for every /api/... and /apis/... resource path.
 * It finds the resource in the registry and dispatches on the verb.
 */
import type { Request, Response } from "express";
import { isApiError, methodNotAllowed, pathNotFound } from "../../../shared/api/index.ts";
import { locals } from "../chain/middleware.ts";
import { parseBody, readBody } from "../http/body.ts";
import { sendJson } from "../http/respond.ts";
import { verbsOf } from "../registry/registry.ts";
import type { ApiObject, ResourceDefinition, SubresourceApi, Verb } from "../registry/types.ts";
import { createDecoded } from "../rest/create.ts";
import { guaranteedUpdate } from "../rest/update.ts";
import type { HandlerContext } from "./context.ts";
import { handleGet, handleList, handleWatch } from "./read.ts";
import type { ResourceRequestInfo } from "./request-info.ts";
import { handleCreate, handleDelete, handleDeleteCollection, handlePatch, handleUpdate, requestScope } from "./write.ts";

/** Serves a request whose path is a resource path (the director sends only those here). */
export function resourceHandler(ctx: HandlerContext) {
  return async (req: Request, res: Response): Promise<void> => {
    const { info, url, user } = locals(res);
    if (!info) throw pathNotFound();
    const resource = ctx.registry.lookup(info.group, info.version, info.resource);
    if (!resource) throw pathNotFound();
    if (!info.verb) throw methodNotAllowed(req.method);
    const query = url.searchParams;

    // Namespaces are cluster-scoped; in /api/v1/namespaces/{name} the "namespace" is the name.
    const isNamespaces = resource.scope === "Cluster" && info.resource === "namespaces" && info.group === "";
    const namespace = isNamespaces ? undefined : info.namespace;
    if (resource.scope === "Cluster" && namespace !== undefined) throw pathNotFound();
    if (resource.scope === "Namespaced" && namespace === undefined && info.name !== undefined) throw pathNotFound();

    if (info.subresource !== undefined) {
      await handleSubresource(ctx, req, res, resource, namespace, info, query);
      return;
    }
    if (!verbsOf(resource).includes(info.verb)) throw methodNotAllowed(req.method);
    const needsNamespace = resource.scope === "Namespaced" && namespace === undefined;
    switch (info.verb) {
      case "get":
        return handleGet(ctx, req, res, resource, namespace, info.name!, query);
      case "list":
        return handleList(ctx, req, res, resource, namespace, query);
      case "watch":
        return handleWatch(ctx, req, res, resource, namespace, info.name, query);
      case "create":
        if (needsNamespace)
          throw methodNotAllowed(`POST: create ${resource.plural} under /api/v1/namespaces/{namespace}/${resource.plural}`);
        if (info.name !== undefined) throw methodNotAllowed("POST: create objects on the collection path, without the name");
        return handleCreate(ctx, req, res, resource, namespace, query, user);
      case "update":
        if (info.name === undefined) throw methodNotAllowed("PUT: update one object by its name");
        return handleUpdate(ctx, req, res, resource, namespace, info.name, "", query, user);
      case "patch":
        if (info.name === undefined) throw methodNotAllowed("PATCH: patch one object by its name");
        return handlePatch(ctx, req, res, resource, namespace, info.name, "", query, user);
      case "delete":
        return handleDelete(ctx, req, res, resource, namespace, info.name!, query, user);
      case "deletecollection":
        return handleDeleteCollection(ctx, req, res, resource, namespace, query, user);
    }
  };
}

async function handleSubresource(
  ctx: HandlerContext,
  req: Request,
  res: Response,
  resource: ResourceDefinition,
  namespace: string | undefined,
  info: ResourceRequestInfo,
  query: URLSearchParams,
): Promise<void> {
  const { user } = locals(res);
  const name = info.name!;
  const sub = info.subresource!;
  const verb = info.verb as Verb;

  // The built-in status subresource: GET, PUT, PATCH of .status only.
  if (sub === "status" && resource.statusSubresource) {
    if (verb === "get") return handleGet(ctx, req, res, resource, namespace, name, query);
    if (verb === "update") return handleUpdate(ctx, req, res, resource, namespace, name, "status", query, user);
    if (verb === "patch") return handlePatch(ctx, req, res, resource, namespace, name, "status", query, user);
    throw methodNotAllowed(req.method);
  }
  const subresource = ctx.registry.subresource(resource, sub);
  if (!subresource) throw pathNotFound();
  if (!subresource.verbs.includes(verb)) throw methodNotAllowed(req.method);
  const scope = requestScope(query, user);
  const api: SubresourceApi = {
    get: (r, ns, n) => ctx.storage.get(r, ns, n),
    update: (r, ns, n, mutate) => guaranteedUpdate(ctx, r, ns, n, scope, sub, false, mutate),
    create: (r, ns, obj: ApiObject) => createDecoded(ctx, r, ns, obj, scope),
    updateInStorage: (r, ns, n, mutate) => updateInStorage(ctx, r, ns, n, mutate),
  };
  let parsed: Promise<unknown> | undefined;
  const result = await subresource.handle(
    {
      req,
      res,
      verb,
      resource,
      namespace,
      name,
      query,
      body: () =>
        (parsed ??= readBody(req).then((b) => parseBody(b, req.headers["content-type"] ?? "", undefined, subresource.protobuf))),
    },
    api,
  );
  if (result) sendJson(res, result.code, result.body);
}

/** SubresourceApi.updateInStorage(): the compare-and-swap loop alone (see rest/update.ts for the full one). */
async function updateInStorage(
  ctx: HandlerContext,
  resource: ResourceDefinition,
  namespace: string | undefined,
  name: string,
  mutate: (current: ApiObject) => ApiObject,
): Promise<ApiObject> {
  for (let attempt = 0; ; attempt++) {
    // Each get() parses the stored JSON again: a copy that nobody else holds.
    const current = await ctx.storage.get(resource, namespace, name);
    const version = current.metadata?.resourceVersion ?? "";
    try {
      return await ctx.storage.update(resource, mutate(current), version);
    } catch (err) {
      if (isApiError(err, "Conflict") && attempt < 20) continue;
      throw err;
    }
  }
}
