/**
 * replicationcontrollers/NAME/scale: the Scale view of a replication controller.
 *
 *   GET    -> { apiVersion: autoscaling/v1, kind: Scale, spec: { replicas: 2 }, status: { replicas: 2, selector: "app=web" } }
 *   PUT    a Scale with spec.replicas: 5          (kubectl scale --current-replicas, an autoscaler)
 *   PATCH  {"spec":{"replicas":3}}                (what the real `kubectl scale rc web --replicas=3` sends)
 *
 * Why a subresource instead of editing spec.replicas? Scale is one small
 * shape shared by every scalable kind (RCs, ReplicaSets, Deployments,
 * StatefulSets), so kubectl scale and the autoscaler work with all of them,
 * and access control can allow "scale" without allowing "edit everything".
 * Discovery says which kind it speaks (group autoscaling, version v1, Scale).
 */
import { badRequest, conflict, field, invalid, isObject, unsupportedMediaType } from "../../../shared/api/index.ts";
import type { ReplicationController, Scale } from "../../../shared/api/replication.ts";
import * as schemas from "../../../shared/api/schema/replication.ts";
import { mediaType, parseBody, readBody } from "../../03-apiserver/http/body.ts";
import { applyJsonPatch } from "../../03-apiserver/patch/json-patch.ts";
import { applyMergePatch } from "../../03-apiserver/patch/merge-patch.ts";
import { applyStrategicMergePatch } from "../../03-apiserver/patch/strategic-merge-patch.ts";
import type { ApiObject, Subresource, SubresourceRequest } from "../../03-apiserver/registry/types.ts";
import { PATCH_CONTENT_TYPES } from "../../03-apiserver/rest/patch.ts";
import { formatSelector } from "./replicationcontrollers.ts";

// Given: an RC seen as a Scale (autoscaling/v1), the selector as a string.
export function scaleOf(rc: ReplicationController): Scale {
  const meta = rc.metadata ?? {};
  return {
    apiVersion: "autoscaling/v1",
    kind: "Scale",
    metadata: {
      name: meta.name,
      namespace: meta.namespace,
      uid: meta.uid,
      resourceVersion: meta.resourceVersion,
      creationTimestamp: meta.creationTimestamp,
    },
    spec: { replicas: rc.spec?.replicas ?? 0 },
    status: { replicas: rc.status?.replicas ?? 0, selector: formatSelector(rc.spec?.selector) },
  };
}

/** Reads a PATCH body; returns how to apply it to a Scale. */
async function readPatch(request: SubresourceRequest): Promise<(scale: Scale) => unknown> {
  const type = PATCH_CONTENT_TYPES[mediaType(request.req.headers["content-type"])];
  if (!type) throw unsupportedMediaType(mediaType(request.req.headers["content-type"]), Object.keys(PATCH_CONTENT_TYPES));
  const patch = parseBody(await readBody(request.req), request.req.headers["content-type"] ?? "", Object.keys(PATCH_CONTENT_TYPES));
  switch (type) {
    case "json":
      return (scale) => applyJsonPatch(scale, patch);
    case "merge":
      return (scale) => applyMergePatch(scale, patch);
    case "strategic":
      return (scale) => applyStrategicMergePatch(scale, patch, schemas.scale);
  }
}

/** Reads a PUT body (the real kubectl's scale client sends it without a Content-Type: parseBody reads that as JSON). */
async function readScale(request: SubresourceRequest): Promise<unknown> {
  return parseBody(await readBody(request.req), request.req.headers["content-type"] ?? "");
}

/** The wanted replica count of a Scale a client sent; a 4xx for anything else. */
function wantedReplicas(body: unknown, name: string): { replicas: number; resourceVersion: string | undefined } {
  if (!isObject(body)) throw badRequest("the body must be a Scale object");
  if (body.kind !== undefined && body.kind !== "Scale") throw badRequest(`expected kind "Scale", got ${JSON.stringify(body.kind)}`);
  const spec = isObject(body.spec) ? body.spec : {};
  const replicas = spec.replicas ?? 0;
  if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) {
    throw invalid("Scale", name, [field.invalid("spec.replicas", replicas, "must be greater than or equal to 0")], "autoscaling");
  }
  const meta = isObject(body.metadata) ? body.metadata : {};
  return { replicas, resourceVersion: typeof meta.resourceVersion === "string" && meta.resourceVersion !== "" ? meta.resourceVersion : undefined };
}

export const scaleSubresource: Subresource = {
  name: "scale",
  kind: "Scale",
  group: "autoscaling",
  version: "v1",
  verbs: ["get", "patch", "update"],
  async handle(request, api) {
    const { resource, namespace, name } = request;
    const current = (await api.get(resource, namespace, name)) as ReplicationController;
    if (request.verb === "get") return { code: 200, body: scaleOf(current) };

    // STEP(08.5): PUT (`sent`) and PATCH (`patch`) of the Scale change only
    // the RC's spec.replicas (api.update). A stale resourceVersion is a 409,
    // as for any write. Answer 200 with the new Scale.
    // Tests: "08.5 the scale subresource > ...".
    const sent = request.verb === "update" ? await readScale(request) : undefined;
    const patch = request.verb === "patch" ? await readPatch(request) : undefined;
    //#solution
    const updated = await api.update(resource, namespace, name, (obj) => {
      const rc = obj as ReplicationController;
      const wanted = wantedReplicas(patch ? patch(scaleOf(rc)) : sent, name);
      if (wanted.resourceVersion && wanted.resourceVersion !== rc.metadata?.resourceVersion) {
        throw conflict({ resource: "replicationcontrollers" }, name);
      }
      return { ...rc, spec: { ...rc.spec, replicas: wanted.replicas } } as ApiObject;
    });
    return { code: 200, body: scaleOf(updated as ReplicationController) };
    //#end
  },
};
