/**
 * Who is writing: the field manager of a request, and the storage wrapper
 * that records an Update in managedFields on every create and update.
 *
 * The wrapper sits between the REST code (yours: create, guaranteedUpdate)
 * and the store, so the fields are recorded on the object that is written,
 * after defaults and admission, whatever path the write took.
 */
import type { Request } from "express";
import { groupVersion, invalid } from "../../../shared/api/index.ts";
import type { ApiObject, ResourceDefinition } from "../registry/types.ts";
import type { RestContext } from "../rest/context.ts";
import type { ObjectStorage } from "../storage/object-storage.ts";
import { recordUpdate, type Manager } from "./managed-fields.ts";

/**
 * ?fieldManager=, or else the client's user agent up to the first "/"
 * ("kubectl/v1.32.0 (linux/amd64)" -> "kubectl"), as Kubernetes does.
 * Required for an apply: an applier must say who it is.
 */
export function fieldManagerName(
  query: URLSearchParams,
  req: Request,
  options: "CreateOptions" | "UpdateOptions" | "PatchOptions",
  required = false,
): string {
  const given = query.get("fieldManager");
  if (given !== null && given !== "") {
    if (given.length > 128 || !/^[\x20-\x7e]+$/.test(given)) {
      throw invalid(
        options,
        "",
        [
          {
            type: "FieldValueInvalid",
            field: "fieldManager",
            value: given,
            detail: "must be printable ASCII, at most 128 characters",
          },
        ],
        "meta.k8s.io",
      );
    }
    return given;
  }
  if (required) {
    throw invalid(
      "PatchOptions",
      "",
      [{ type: "FieldValueRequired", field: "fieldManager", detail: "is required for apply patch" }],
      "meta.k8s.io",
    );
  }
  const agent = req.headers["user-agent"] ?? "";
  return agent.split("/")[0]!.slice(0, 128) || "unknown";
}

export function managerFor(resource: ResourceDefinition, name: string, subresource: string): Manager {
  return { name, apiVersion: groupVersion(resource.group, resource.version), subresource, schema: resource.schema };
}

/** The same context, with a storage that records `manager`'s Update in managedFields on each write. */
export function trackingContext<C extends RestContext>(ctx: C, managerName: string, subresource: string): C {
  const inner = ctx.storage;
  const storage = Object.create(inner) as ObjectStorage;
  storage.create = (resource: ResourceDefinition, obj: ApiObject) => {
    recordUpdate(undefined, obj, managerFor(resource, managerName, subresource));
    return inner.create(resource, obj);
  };
  storage.update = async (resource: ResourceDefinition, obj: ApiObject, expectedResourceVersion: string) => {
    const old = await inner.get(resource, obj.metadata?.namespace, obj.metadata?.name ?? "");
    // Another write came in between: the store's compare-and-swap refuses this one anyway.
    if (old.metadata?.resourceVersion === expectedResourceVersion) {
      recordUpdate(old, obj, managerFor(resource, managerName, subresource));
    }
    return inner.update(resource, obj, expectedResourceVersion);
  };
  return { ...ctx, storage };
}
