/**
 * The ReplicaSet resource (apps/v1, short name rs): chapter 08's
 * ReplicationController with a set-based selector, in the apps group.
 */
import type { ReplicaSet } from "../../../shared/api/apps.ts";
import { age } from "../../../shared/api/index.ts";
import * as schemas from "../../../shared/api/schema/apps.ts";
import type { ApiObject, ResourceDefinition, TableConvertor } from "../../03-apiserver/registry/types.ts";
import { ageColumn, column, nameColumn } from "../../03-apiserver/table/table.ts";
import { ReplicaSetMessage } from "./protobuf.ts";
import { withDeletionFinalizers } from "../../08-replication/garbage-collector/deletion-policy.ts";
import { formatLabelSelector } from "./selector.ts";
import { defaultAppsSpec, validateAppsSpec, validateSelectorUnchanged } from "./template.ts";

/** The columns of `kubectl get rs`, as the real apiserver serves them. */
export const replicaSetTable: TableConvertor = {
  columns: [
    nameColumn(),
    column("Desired", "Number of desired pods.", 0, "integer"),
    column("Current", "Number of actually running pods.", 0, "integer"),
    column("Ready", "Number of pods ready.", 0, "integer"),
    ageColumn(),
    column("Containers", "Names of each container in the template.", 1),
    column("Images", "Images referenced by each container in the template.", 1),
    column("Selector", "Label selector for pods.", 1),
  ],
  cells(obj, now) {
    const rs = obj as ReplicaSet;
    const containers = rs.spec?.template?.spec?.containers ?? [];
    return [
      rs.metadata?.name ?? "",
      rs.spec?.replicas ?? 0,
      rs.status?.replicas ?? 0,
      rs.status?.readyReplicas ?? 0,
      age(rs.metadata?.creationTimestamp, now),
      containers.map((c) => c.name).join(","),
      containers.map((c) => c.image).join(","),
      formatLabelSelector(rs.spec?.selector),
    ];
  },
};

export const replicaSets: ResourceDefinition = {
  group: "apps",
  // `kubectl create deployment` sends protobuf: ./protobuf.ts
  protobuf: ReplicaSetMessage,
  version: "v1",
  kind: "ReplicaSet",
  plural: "replicasets",
  singular: "replicaset",
  shortNames: ["rs"],
  categories: ["all"],
  scope: "Namespaced",
  schema: schemas.replicaSet,
  statusSubresource: true,
  description: "ReplicaSet ensures that a specified number of pod replicas are running at any given time.",
  strategy: {
    prepareForCreate(obj: ApiObject) {
      (obj as ReplicaSet).status = { replicas: 0 };
    },
    defaults: (obj) => defaultAppsSpec((obj as ReplicaSet).spec),
    validate: (obj) => validateAppsSpec((obj as ReplicaSet).spec),
    validateUpdate: (obj, old) => validateSelectorUnchanged((obj as ReplicaSet).spec, (old as ReplicaSet).spec),
    beforeDelete: (obj, options) => withDeletionFinalizers(obj, options),
  },
  table: replicaSetTable,
};
