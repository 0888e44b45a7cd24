/** POST, PUT, PATCH and DELETE of objects. */
import type { Request, Response } from "express";
import {
  badRequest,
  groupVersion,
  invalid,
  isApiError,
  isObject,
  unsupportedMediaType,
  type DeleteOptions,
  type List,
} from "../../../shared/api/index.ts";
import type { UserInfo } from "../chain/types.ts";
import { mediaType, parseBody, readBody } from "../http/body.ts";
import type { ProtobufKind } from "../http/protobuf.ts";
import { fieldManagerName, managerFor, trackingContext } from "../fieldmanager/tracking.ts";
import { boolParam, dryRunParam, enumParam, intParam } from "../http/query.ts";
import { sendJson } from "../http/respond.ts";
import { JsonText } from "../http/stream.ts";
import type { ApiObject, ResourceDefinition } from "../registry/types.ts";
import type { RequestScope } from "../rest/context.ts";
import { createObject } from "../rest/create.ts";
import { decodeObject, parseFieldValidation } from "../rest/decode.ts";
import { deleteObject } from "../rest/delete.ts";
import { APPLY_PATCH_CONTENT_TYPE, applyObject, PATCH_CONTENT_TYPES, patchObject } from "../rest/patch.ts";
import { updateObject } from "../rest/update.ts";
import { jsonOfCreated } from "../storage/object-storage.ts";
import type { HandlerContext } from "./context.ts";

export function requestScope(query: URLSearchParams, user: UserInfo): RequestScope {
  return { user, fieldValidation: parseFieldValidation(query.get("fieldValidation")), dryRun: dryRunParam(query) };
}

/** What a protobuf body for this resource must hold (none: the resource reads JSON and YAML only). */
function protobufKind(resource: ResourceDefinition): ProtobufKind | undefined {
  return (
    resource.protobuf && {
      apiVersion: groupVersion(resource.group, resource.version),
      kind: resource.kind,
      message: resource.protobuf,
    }
  );
}

export async function handleCreate(
  ctx: HandlerContext,
  req: Request,
  res: Response,
  resource: ResourceDefinition,
  namespace: string | undefined,
  query: URLSearchParams,
  user: UserInfo,
): Promise<void> {
  const scope = requestScope(query, user);
  const body = parseBody(await readBody(req), req.headers["content-type"] ?? "", undefined, protobufKind(resource));
  if (resource.answer) {
    // Answered, not stored (an access review): decode, ask, reply.
    const { obj, warnings } = decodeObject(resource, body, scope.fieldValidation);
    return sendJson(res, 201, await resource.answer(obj, { user, namespace }), warnings);
  }
  const tracked = trackingContext(ctx, fieldManagerName(query, req, "CreateOptions"), "");
  const { obj, warnings } = await createObject(tracked, resource, namespace, body, scope);
  // The storage layer kept the JSON it wrote: answer with it, not a second encoding of the object.
  const written = jsonOfCreated(obj);
  sendJson(res, 201, written === undefined ? obj : new JsonText(written), warnings);
}

export async function handleUpdate(
  ctx: HandlerContext,
  req: Request,
  res: Response,
  resource: ResourceDefinition,
  namespace: string | undefined,
  name: string,
  subresource: string,
  query: URLSearchParams,
  user: UserInfo,
): Promise<void> {
  const scope = requestScope(query, user);
  const body = parseBody(await readBody(req), req.headers["content-type"] ?? "", undefined, protobufKind(resource));
  const tracked = trackingContext(ctx, fieldManagerName(query, req, "UpdateOptions"), subresource);
  const { obj, warnings } = await updateObject(tracked, resource, namespace, name, body, scope, subresource);
  sendJson(res, 200, obj, warnings);
}

export async function handlePatch(
  ctx: HandlerContext,
  req: Request,
  res: Response,
  resource: ResourceDefinition,
  namespace: string | undefined,
  name: string,
  subresource: string,
  query: URLSearchParams,
  user: UserInfo,
): Promise<void> {
  const scope = requestScope(query, user);
  const media = mediaType(req.headers["content-type"]);
  const apply = media === APPLY_PATCH_CONTENT_TYPE;
  const type = PATCH_CONTENT_TYPES[media];
  const raw = await readBody(req);
  if (!type && !apply) throw unsupportedMediaType(media, [...Object.keys(PATCH_CONTENT_TYPES), APPLY_PATCH_CONTENT_TYPE]);
  const force = boolParam(query, "force");
  const manager = fieldManagerName(query, req, "PatchOptions", apply);
  if (apply || !type) {
    // An apply body is YAML (JSON is YAML too).
    const config = parseBody(raw, "application/yaml");
    const applier = managerFor(resource, manager, subresource);
    const { obj, warnings, created } = await applyObject(
      ctx,
      resource,
      namespace,
      name,
      config,
      scope,
      subresource,
      applier,
      force,
    );
    return sendJson(res, created ? 201 : 200, obj, warnings);
  }
  if (query.has("force")) {
    throw invalid(
      "PatchOptions",
      "",
      [{ type: "FieldValueForbidden", field: "force", detail: "may not be specified for non-apply patch" }],
      "meta.k8s.io",
    );
  }
  const patch = parseBody(raw, req.headers["content-type"] ?? "", Object.keys(PATCH_CONTENT_TYPES));
  const tracked = trackingContext(ctx, manager, subresource);
  const { obj, warnings } = await patchObject(tracked, resource, namespace, name, type, patch, scope, subresource);
  sendJson(res, 200, obj, warnings);
}

/** DeleteOptions from the body (optional) and the query (?gracePeriodSeconds, ?propagationPolicy). */
async function deleteOptions(req: Request, query: URLSearchParams): Promise<DeleteOptions> {
  const raw = await readBody(req);
  let options: DeleteOptions = {};
  if (raw.length > 0 && raw.toString("utf8").trim() !== "") {
    const body = parseBody(raw, req.headers["content-type"] || "application/json");
    if (!isObject(body)) throw badRequest("the body of a DELETE must be a DeleteOptions object");
    if (body.kind !== undefined && body.kind !== "DeleteOptions")
      throw badRequest(`the body of a DELETE must be a DeleteOptions object, not ${JSON.stringify(body.kind)}`);
    const grace = body.gracePeriodSeconds;
    if (grace !== undefined && grace !== null && (typeof grace !== "number" || !Number.isInteger(grace))) {
      throw badRequest("DeleteOptions.gracePeriodSeconds must be an integer");
    }
    const pre = body.preconditions;
    if (pre !== undefined && pre !== null && !isObject(pre)) throw badRequest("DeleteOptions.preconditions must be an object");
    if (
      isObject(pre) &&
      ((pre.uid !== undefined && typeof pre.uid !== "string") ||
        (pre.resourceVersion !== undefined && typeof pre.resourceVersion !== "string"))
    ) {
      throw badRequest("DeleteOptions.preconditions.uid and .resourceVersion must be strings");
    }
    const policy = body.propagationPolicy;
    if (policy !== undefined && policy !== null && !["Orphan", "Background", "Foreground"].includes(policy as string)) {
      throw badRequest(
        `DeleteOptions.propagationPolicy: unsupported value ${JSON.stringify(policy)}: supported values: "Orphan", "Background", "Foreground"`,
      );
    }
    options = body as DeleteOptions;
  }
  const grace = intParam(query, "gracePeriodSeconds");
  if (grace !== undefined) options.gracePeriodSeconds = grace;
  const policy = enumParam(query, "propagationPolicy", ["Orphan", "Background", "Foreground"] as const);
  if (policy !== undefined) options.propagationPolicy = policy;
  if (options.gracePeriodSeconds === null) delete options.gracePeriodSeconds;
  return options;
}

export async function handleDelete(
  ctx: HandlerContext,
  req: Request,
  res: Response,
  resource: ResourceDefinition,
  namespace: string | undefined,
  name: string,
  query: URLSearchParams,
  user: UserInfo,
): Promise<void> {
  const scope = requestScope(query, user);
  const options = await deleteOptions(req, query);
  const obj = await deleteObject(ctx, resource, namespace, name, options, scope);
  sendJson(res, 200, obj);
}

/** DELETE of a collection: every (selected) object, one by one. Answers the list of what was deleted. */
export async function handleDeleteCollection(
  ctx: HandlerContext,
  req: Request,
  res: Response,
  resource: ResourceDefinition,
  namespace: string | undefined,
  query: URLSearchParams,
  user: UserInfo,
): Promise<void> {
  const scope = requestScope(query, user);
  const options = await deleteOptions(req, query);
  const predicate = ctx.filters.predicate(query, resource);
  const { items, revision } = await ctx.storage.list(resource, namespace);
  const deleted: ApiObject[] = [];
  for (const item of predicate ? items.filter(predicate) : items) {
    try {
      deleted.push(
        await deleteObject(
          ctx,
          resource,
          item.metadata?.namespace,
          item.metadata?.name ?? "",
          { ...options, preconditions: undefined },
          scope,
        ),
      );
    } catch (err) {
      if (!isApiError(err, "NotFound")) throw err;
    }
  }
  const list: List<ApiObject> = {
    kind: `${resource.kind}List`,
    apiVersion: groupVersion(resource.group, resource.version),
    metadata: { resourceVersion: String(revision) },
    items: deleted,
  };
  sendJson(res, 200, list);
}
