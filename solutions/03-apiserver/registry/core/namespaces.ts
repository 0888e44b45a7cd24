/**
 * Namespaces: named scopes for objects. Deleting one is a process, not one
 * write: the namespace turns Terminating (nothing new may be created in it),
 * the namespace cleaner (namespaces/cleaner.ts) deletes everything inside,
 * and only then the namespace itself goes away.
 */
import { age, forbidden, timestamp } from "../../../../shared/api/index.ts";
import * as schemas from "../../../../shared/api/schema/core.ts";
import { ageColumn, column, nameColumn } from "../../table/table.ts";
import type { ApiObject, ResourceDefinition } from "../types.ts";
import { NamespaceMessage } from "../../http/protobuf.ts";

/** Namespaces the cluster needs and that cannot be deleted. */
export const SYSTEM_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

interface NamespaceShape {
  spec?: { finalizers?: string[] };
  status?: { phase?: string };
}

export const namespaces: ResourceDefinition = {
  group: "",
  version: "v1",
  kind: "Namespace",
  protobuf: NamespaceMessage,
  plural: "namespaces",
  singular: "namespace",
  shortNames: ["ns"],
  scope: "Cluster",
  nameFormat: "DNS1123Label",
  schema: schemas.namespace,
  statusSubresource: true,
  description: "Namespace provides a scope for names.",
  strategy: {
    prepareForCreate(obj) {
      const ns = obj as ApiObject & NamespaceShape;
      ns.spec = { ...ns.spec, finalizers: ["kubernetes"] };
      ns.status = { phase: "Active" };
    },
    defaults(obj) {
      // Every namespace carries its own name as a label, so selectors can pick namespaces by name.
      const meta = (obj.metadata ??= {});
      if (meta.name) meta.labels = { ...meta.labels, "kubernetes.io/metadata.name": meta.name };
    },
    beforeDelete(obj) {
      const name = obj.metadata?.name ?? "";
      if (SYSTEM_NAMESPACES.includes(name))
        throw forbidden({ resource: "namespaces" }, name, "this namespace may not be deleted");
      const ns = obj as ApiObject & NamespaceShape;
      if (ns.metadata?.deletionTimestamp) return obj;
      return {
        ...obj,
        metadata: { ...obj.metadata, deletionTimestamp: timestamp() },
        status: { ...ns.status, phase: "Terminating" },
      };
    },
  },
  table: {
    columns: [nameColumn(), column("Status", "The phase of the namespace (Active, Terminating)."), ageColumn()],
    cells: (obj, now) => [
      obj.metadata?.name ?? "",
      (obj as NamespaceShape).status?.phase ?? "",
      age(obj.metadata?.creationTimestamp, now),
    ],
  },
};
