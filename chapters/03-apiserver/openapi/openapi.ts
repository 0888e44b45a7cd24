/**
 * OpenAPI v3, generated from the registry: what kubectl reads to decide how
 * to validate. For each kind it looks for a PATCH operation tagged with
 * x-kubernetes-group-version-kind that takes a `fieldValidation` parameter;
 * finding one, it leaves validation to the server and sends
 * ?fieldValidation=Strict (so unknown fields in a manifest are an error).
 *
 *   GET /openapi/v3                -> { paths: { "api/v1": { serverRelativeURL } } }
 *   GET /openapi/v3/api/v1?hash=.. -> the document of the core group
 *   GET /openapi/v3/apis/{g}/{v}   -> the document of another group
 */
import { createHash } from "node:crypto";
import { Router } from "express";
import { groupVersion, pathNotFound } from "../../../shared/api/index.ts";
import type { Schema } from "../../../shared/api/schema/types.ts";
import { sendJson } from "../http/respond.ts";
import { verbsOf, type ResourceRegistry } from "../registry/registry.ts";
import type { ResourceDefinition } from "../registry/types.ts";

type Json = Record<string, unknown>;

/** "io.k8s.api.core.v1.Pod", the name real Kubernetes gives the schema. */
export function schemaName(r: ResourceDefinition): string {
  const group = r.group === "" ? "core" : r.group.split(".")[0];
  return `io.k8s.api.${group}.${r.version}.${r.kind}`;
}

function param(name: string, where: "query" | "path", description: string, required = false): Json {
  return { name, in: where, description, required, schema: { type: "string", uniqueItems: true } };
}

const WRITE_PARAMS = [
  param("dryRun", "query", "When present, indicates that modifications should not be persisted. Valid value: All."),
  param("fieldManager", "query", "A name associated with the actor or entity that is making these changes."),
  param(
    "fieldValidation",
    "query",
    "How the server treats unknown fields in the object: Ignore, Warn (the default) or Strict (reject them).",
  ),
];

function op(r: ResourceDefinition, action: string, id: string, ref: string | undefined, params: Json[] = [], body = false): Json {
  const gvk = { group: r.group, version: r.version, kind: r.kind };
  const content = ref
    ? { "application/json": { schema: { $ref: ref } } }
    : { "application/json": { schema: { type: "object" } } };
  const o: Json = {
    operationId: id,
    description: `${action} ${r.kind}`,
    tags: [r.group === "" ? "core_v1" : `${r.group}_${r.version}`],
    parameters: params,
    responses: { "200": { description: "OK", content }, "401": { description: "Unauthorized" } },
    "x-kubernetes-action": action,
    "x-kubernetes-group-version-kind": gvk,
  };
  if (body) o.requestBody = { content: action === "patch" ? patchContent() : content, required: true };
  return o;
}

function patchContent(): Json {
  const schema = { schema: { type: "object" } };
  return {
    "application/json-patch+json": schema,
    "application/merge-patch+json": schema,
    "application/strategic-merge-patch+json": schema,
  };
}

function paths(registry: ResourceRegistry, r: ResourceDefinition): Json {
  const prefix = r.group === "" ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  const ref = `#/components/schemas/${schemaName(r)}`;
  const verbs = verbsOf(r);
  const k = `${r.kind}`;
  const ns = r.scope === "Namespaced";
  const nsParam = param("namespace", "path", "object name and auth scope, such as for teams and projects", true);
  const nameParam = param("name", "path", `name of the ${k}`, true);
  const collection = ns ? `${prefix}/namespaces/{namespace}/${r.plural}` : `${prefix}/${r.plural}`;
  const item = `${collection}/{name}`;
  const out: Json = {};
  const coll: Json = { parameters: ns ? [nsParam] : [] };
  if (verbs.includes("list")) coll.get = op(r, "list", `list${k}`, undefined, [param("watch", "query", "Watch for changes.")]);
  if (verbs.includes("create")) coll.post = op(r, "post", `create${k}`, ref, WRITE_PARAMS, true);
  if (verbs.includes("deletecollection")) coll.delete = op(r, "deletecollection", `deleteCollection${k}`, undefined);
  out[collection] = coll;
  const one: Json = { parameters: ns ? [nameParam, nsParam] : [nameParam] };
  if (verbs.includes("get")) one.get = op(r, "get", `read${k}`, ref);
  if (verbs.includes("update")) one.put = op(r, "put", `replace${k}`, ref, WRITE_PARAMS, true);
  if (verbs.includes("patch"))
    one.patch = op(r, "patch", `patch${k}`, ref, [...WRITE_PARAMS, param("force", "query", "Force apply requests.")], true);
  if (verbs.includes("delete"))
    one.delete = op(r, "delete", `delete${k}`, ref, [
      param("gracePeriodSeconds", "query", "Seconds before the object is deleted."),
    ]);
  out[item] = one;
  if (ns && verbs.includes("list")) out[`${prefix}/${r.plural}`] = { get: op(r, "list", `list${k}ForAllNamespaces`, undefined) };
  if (r.statusSubresource) {
    out[`${item}/status`] = {
      parameters: ns ? [nameParam, nsParam] : [nameParam],
      get: op(r, "get", `read${k}Status`, ref),
      put: op(r, "put", `replace${k}Status`, ref, WRITE_PARAMS, true),
      patch: op(r, "patch", `patch${k}Status`, ref, WRITE_PARAMS, true),
    };
  }
  for (const sub of registry.subresourcesOf(r)) {
    out[`${item}/${sub.name}`] = { parameters: ns ? [nameParam, nsParam] : [nameParam] };
  }
  return out;
}

/** The OpenAPI v3 document of one group/version. */
export function openApiDocument(registry: ResourceRegistry, group: string, version: string): Json | undefined {
  const resources = registry.all().filter((r) => r.group === group && r.version === version);
  if (resources.length === 0) return undefined;
  const schemas: Json = {};
  let allPaths: Json = {};
  for (const r of resources) {
    schemas[schemaName(r)] = {
      ...(r.schema as Json),
      description: r.description ?? r.schema.description ?? r.kind,
      "x-kubernetes-group-version-kind": [{ group: r.group, kind: r.kind, version: r.version }],
    };
    allPaths = { ...allPaths, ...paths(registry, r) };
  }
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes (workshop)", version: "v1.32.0" },
    paths: allPaths,
    components: { schemas },
  };
}

export function openApiRouter(registry: ResourceRegistry): Router {
  const router = Router();
  // Documents are cached by group/version until a resource is registered.
  let cache = new Map<string, { json: string; hash: string }>();
  registry.onChange(() => (cache = new Map()));
  const documentFor = (group: string, version: string) => {
    const key = groupVersion(group, version);
    let entry = cache.get(key);
    if (!entry) {
      const doc = openApiDocument(registry, group, version);
      if (!doc) return undefined;
      const json = JSON.stringify(doc);
      entry = { json, hash: createHash("sha512").update(json).digest("hex").toUpperCase() };
      cache.set(key, entry);
    }
    return entry;
  };
  const send = (res: import("express").Response, entry: { json: string } | undefined) => {
    if (!entry) throw pathNotFound();
    res.status(200).type("application/json").send(entry.json);
  };

  router.get("/openapi/v3", (_req, res) => {
    const out: Record<string, { serverRelativeURL: string }> = {};
    for (const { group, version } of registry.groupVersions()) {
      const path = group === "" ? `api/${version}` : `apis/${group}/${version}`;
      const entry = documentFor(group, version);
      if (entry) out[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${entry.hash}` };
    }
    sendJson(res, 200, { paths: out });
  });
  router.get("/openapi/v3/api/:version", (req, res) => send(res, documentFor("", req.params.version)));
  router.get("/openapi/v3/apis/:group/:version", (req, res) => send(res, documentFor(req.params.group, req.params.version)));
  return router;
}

export type { Schema };
