/**
 * The ReplicationController resource on the apiserver (core/v1, namespaced,
 * short name rc): its defaults, its validation, its `kubectl get` columns,
 * its status subresource, and what DELETE does with its pods.
 *
 * The apiserver only stores the wish ("3 pods like this"); the replication
 * controller in the controller manager makes it true.
 */
import { age, field, isObject, type FieldError, type Pod } from "../../../shared/api/index.ts";
import type { ReplicationController } from "../../../shared/api/replication.ts";
import * as schemas from "../../../shared/api/schema/replication.ts";
import type { ApiObject, ResourceDefinition, TableConvertor } from "../../03-apiserver/registry/types.ts";
import { defaultPod, validatePod } from "../../03-apiserver/registry/core/pod-validation.ts";
import { validateLabels } from "../../03-apiserver/rest/metadata.ts";
import { ageColumn, column, nameColumn } from "../../03-apiserver/table/table.ts";
import { withDeletionFinalizers } from "../garbage-collector/deletion-policy.ts";

/** A selector map written as kubectl shows it: "app=web,tier=db". */
export function formatSelector(selector: Record<string, string> | undefined): string {
  const entries = Object.entries(selector ?? {});
  return entries.length === 0 ? "<none>" : entries.map(([k, v]) => `${k}=${v}`).join(",");
}

// Given: Kubernetes' defaults (selector and labels from the template, replicas 1).
export function defaultReplicationController(rc: ReplicationController): void {
  const spec = rc.spec;
  if (!isObject(rc.spec) || !spec) return;
  const labels = spec.template?.metadata?.labels;
  const templateLabels = isObject(labels) ? labels : undefined;
  if (templateLabels && Object.keys(templateLabels).length > 0) {
    if (!spec.selector || Object.keys(spec.selector).length === 0) spec.selector = { ...templateLabels };
    const meta = (rc.metadata ??= {});
    if (!meta.labels || Object.keys(meta.labels).length === 0) meta.labels = { ...templateLabels };
  }
  spec.replicas ??= 1;
  spec.minReadySeconds ??= 0;
  const podSpec = spec.template?.spec;
  if (podSpec && isObject(podSpec)) defaultPod({ spec: podSpec });
}

/** The pod's validation errors, re-pathed under spec.template ("spec.containers" -> "spec.template.spec.containers"). */
function validateTemplateSpec(rc: ReplicationController): FieldError[] {
  const template = rc.spec?.template;
  const errs = validatePod({ spec: template?.spec } as Pod).map((e) => ({ ...e, field: e.field.replace(/^spec/, "spec.template.spec") }));
  const restartPolicy = template?.spec?.restartPolicy;
  if (restartPolicy !== undefined && restartPolicy !== "Always") {
    errs.push(field.notSupported("spec.template.spec.restartPolicy", restartPolicy, ["Always"]));
  }
  return errs;
}

// Given: Kubernetes' checks, with its field paths and messages.
export function validateReplicationController(rc: ReplicationController): FieldError[] {
  const spec = rc.spec;
  if (!isObject(rc.spec) || !spec) return [field.required("spec")];
  const errs: FieldError[] = [];
  for (const name of ["replicas", "minReadySeconds"] as const) {
    const value = spec[name];
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) errs.push(field.invalid(`spec.${name}`, value, "must be greater than or equal to 0"));
  }
  const selector = spec.selector ?? {};
  if (Object.keys(selector).length === 0) errs.push(field.required("spec.selector"));
  errs.push(...validateLabels(selector, "spec.selector"));
  const labels = spec.template?.metadata?.labels ?? {};
  if (!isObject(spec.template)) {
    errs.push(field.required("spec.template"));
    return errs;
  }
  errs.push(...validateLabels(labels, "spec.template.metadata.labels"));
  const matches = Object.entries(selector).every(([key, value]) => Object.hasOwn(labels, key) && labels[key] === value);
  if (Object.keys(selector).length > 0 && !matches) {
    errs.push(field.invalid("spec.template.metadata.labels", labels, "`selector` does not match template `labels`"));
  }
  errs.push(...validateTemplateSpec(rc));
  return errs;
}

/** The columns of `kubectl get rc` (and -o wide), as the real apiserver serves them. */
export const replicationControllerTable: TableConvertor = {
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
    const rc = obj as ReplicationController;
    const containers = rc.spec?.template?.spec?.containers ?? [];
    return [
      rc.metadata?.name ?? "",
      rc.spec?.replicas ?? 0,
      rc.status?.replicas ?? 0,
      rc.status?.readyReplicas ?? 0,
      age(rc.metadata?.creationTimestamp, now),
      containers.map((c) => c.name).join(","),
      containers.map((c) => c.image).join(","),
      formatSelector(rc.spec?.selector),
    ];
  },
};

export const replicationControllers: ResourceDefinition = {
  group: "",
  version: "v1",
  kind: "ReplicationController",
  plural: "replicationcontrollers",
  singular: "replicationcontroller",
  shortNames: ["rc"],
  categories: ["all"],
  scope: "Namespaced",
  schema: schemas.replicationController,
  statusSubresource: true,
  description: "ReplicationController represents the configuration of a replication controller.",
  strategy: {
    prepareForCreate(obj: ApiObject) {
      // Nothing has been observed yet: the controller writes the status.
      (obj as ReplicationController).status = { replicas: 0 };
    },
    defaults: (obj) => defaultReplicationController(obj as ReplicationController),
    validate: (obj) => validateReplicationController(obj as ReplicationController),
    // DELETE with propagationPolicy=Orphan: keep the RC until the garbage collector has let go of its pods.
    beforeDelete: (obj, options) => withDeletionFinalizers(obj, options),
  },
  table: replicationControllerTable,
};
