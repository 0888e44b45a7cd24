/**
 * The Deployment resource (apps/v1, short name deploy): defaults,
 * validation, `kubectl get deploy` columns. The apiserver only stores the
 * wish; the deployment controller (deployment/) makes it true.
 */
import type { Deployment } from "../../../shared/api/apps.ts";
import { age, field, isObject, type FieldError } from "../../../shared/api/index.ts";
import * as schemas from "../../../shared/api/schema/apps.ts";
import type { ApiObject, ResourceDefinition, TableConvertor } from "../../03-apiserver/registry/types.ts";
import { ageColumn, column, nameColumn } from "../../03-apiserver/table/table.ts";
import { DeploymentMessage } from "./protobuf.ts";
import { withDeletionFinalizers } from "../../08-replication/garbage-collector/deletion-policy.ts";
import { isIntOrPercent, scaledValue } from "./int-or-percent.ts";
import { formatLabelSelector } from "./selector.ts";
import { defaultAppsSpec, validateAppsSpec, validateSelectorUnchanged } from "./template.ts";

/** Kubernetes' defaults for apps/v1 Deployments. */
export function defaultDeployment(d: Deployment): void {
  const spec = d.spec;
  if (!spec || typeof spec !== "object") return;
  defaultAppsSpec(spec);
  const strategy = (spec.strategy ??= {});
  strategy.type ??= "RollingUpdate";
  if (strategy.type === "RollingUpdate") {
    const rolling = (strategy.rollingUpdate ??= {});
    rolling.maxSurge ??= "25%";
    rolling.maxUnavailable ??= "25%";
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
}

export function validateDeployment(d: Deployment): FieldError[] {
  const spec = d.spec;
  const errs = validateAppsSpec(spec);
  if (!spec || typeof spec !== "object") return errs;
  const strategy = spec.strategy ?? {};
  if (strategy.type !== "RollingUpdate" && strategy.type !== "Recreate") {
    errs.push(field.notSupported("spec.strategy.type", strategy.type, ["Recreate", "RollingUpdate"]));
  }
  if (strategy.type === "Recreate" && strategy.rollingUpdate) {
    errs.push(field.forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'"));
  }
  const rolling = strategy.rollingUpdate;
  if (strategy.type === "RollingUpdate" && rolling) {
    for (const name of ["maxSurge", "maxUnavailable"] as const) {
      if (!isIntOrPercent(rolling[name]))
        errs.push(
          field.invalid(
            `spec.strategy.rollingUpdate.${name}`,
            rolling[name],
            "must be an integer >= 0 or a percentage such as '25%'",
          ),
        );
    }
    if (isIntOrPercent(rolling.maxSurge) && isIntOrPercent(rolling.maxUnavailable)) {
      if (scaledValue(rolling.maxSurge, 100, true) === 0 && scaledValue(rolling.maxUnavailable, 100, false) === 0) {
        errs.push(
          field.invalid(
            "spec.strategy.rollingUpdate.maxUnavailable",
            rolling.maxUnavailable,
            "may not be 0 when `maxSurge` is 0",
          ),
        );
      }
      if (typeof rolling.maxUnavailable === "string" && scaledValue(rolling.maxUnavailable, 100, false) > 100) {
        errs.push(
          field.invalid("spec.strategy.rollingUpdate.maxUnavailable", rolling.maxUnavailable, "must not be greater than 100%"),
        );
      }
    }
  }
  for (const name of ["revisionHistoryLimit", "progressDeadlineSeconds"] as const) {
    const value = spec[name];
    if (value !== undefined && (!Number.isInteger(value) || value < 0))
      errs.push(field.invalid(`spec.${name}`, value, "must be greater than or equal to 0"));
  }
  if (spec.progressDeadlineSeconds !== undefined && spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
    errs.push(
      field.invalid("spec.progressDeadlineSeconds", spec.progressDeadlineSeconds, "must be greater than minReadySeconds"),
    );
  }
  return errs;
}

/** The columns of `kubectl get deploy`, as the real apiserver serves them. */
export const deploymentTable: TableConvertor = {
  columns: [
    nameColumn(),
    column("Ready", "Number of the pod with ready state", 0),
    column(
      "Up-to-date",
      "Total number of non-terminated pods targeted by this deployment that have the desired template spec.",
      0,
      "integer",
    ),
    column(
      "Available",
      "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.",
      0,
      "integer",
    ),
    ageColumn(),
    column("Containers", "Names of each container in the template.", 1),
    column("Images", "Images referenced by each container in the template.", 1),
    column(
      "Selector",
      "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.",
      1,
    ),
  ],
  cells(obj, now) {
    const d = obj as Deployment;
    const containers = d.spec?.template?.spec?.containers ?? [];
    return [
      d.metadata?.name ?? "",
      `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`,
      d.status?.updatedReplicas ?? 0,
      d.status?.availableReplicas ?? 0,
      age(d.metadata?.creationTimestamp, now),
      containers.map((c) => c.name).join(","),
      containers.map((c) => c.image).join(","),
      formatLabelSelector(d.spec?.selector),
    ];
  },
};

export const deployments: ResourceDefinition = {
  group: "apps",
  // `kubectl create deployment` sends protobuf: ./protobuf.ts
  protobuf: DeploymentMessage,
  version: "v1",
  kind: "Deployment",
  plural: "deployments",
  singular: "deployment",
  shortNames: ["deploy"],
  categories: ["all"],
  scope: "Namespaced",
  schema: schemas.deployment,
  statusSubresource: true,
  description: "Deployment enables declarative updates for Pods and ReplicaSets.",
  strategy: {
    prepareForCreate(obj: ApiObject) {
      (obj as Deployment).status = {};
    },
    defaults: (obj) => defaultDeployment(obj as Deployment),
    validate: (obj) => validateDeployment(obj as Deployment),
    validateUpdate: (obj, old) => validateSelectorUnchanged((obj as Deployment).spec, (old as Deployment).spec),
    beforeDelete: (obj, options) => withDeletionFinalizers(obj, options),
  },
  table: deploymentTable,
};
