/**
 * What ReplicaSets and Deployments share on the apiserver: the defaults of
 * their pod template, the checks of selector + template, and the rule that
 * an apps/v1 selector never changes.
 */
import type { LabelSelectorSpec } from "../../../shared/api/apps.ts";
import { field, isObject, type FieldError, type Pod, type PodTemplateSpec } from "../../../shared/api/index.ts";
import { defaultPod, validatePod } from "../../03-apiserver/registry/core/pod-validation.ts";
import { validateLabels } from "../../03-apiserver/rest/metadata.ts";
import { deepEqual } from "../../../shared/api/index.ts";
import { toLabelSelector, validateSelectorSpec } from "./selector.ts";

interface AppsSpec {
  replicas?: number;
  minReadySeconds?: number;
  selector?: LabelSelectorSpec;
  template?: PodTemplateSpec;
}

/** replicas 1, minReadySeconds 0, and the pod defaults in the template. */
export function defaultAppsSpec(spec: AppsSpec | undefined): void {
  if (!spec || typeof spec !== "object") return;
  spec.replicas ??= 1;
  const podSpec = spec.template?.spec;
  if (podSpec && typeof podSpec === "object") defaultPod({ spec: podSpec });
}

/** replicas >= 0, a valid non-empty selector, a template whose labels it selects, a valid pod spec. */
export function validateAppsSpec(spec: AppsSpec | undefined): FieldError[] {
  if (!spec || typeof spec !== "object") return [field.required("spec")];
  const errs: FieldError[] = [];
  for (const name of ["replicas", "minReadySeconds"] as const) {
    const value = spec[name];
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) errs.push(field.invalid(`spec.${name}`, value, "must be greater than or equal to 0"));
  }
  errs.push(...validateSelectorSpec(spec.selector, "spec.selector"));
  if (!spec.template || typeof spec.template !== "object") return [...errs, field.required("spec.template")];
  const labels = spec.template.metadata?.labels ?? {};
  errs.push(...validateLabels(labels, "spec.template.metadata.labels"));
  if (errs.length === 0 && !toLabelSelector(spec.selector).matches(labels)) {
    errs.push(field.invalid("spec.template.metadata.labels", labels, "`selector` does not match template `labels`"));
  }
  errs.push(...validatePod({ spec: spec.template.spec } as Pod).map((e) => ({ ...e, field: e.field.replace(/^spec/, "spec.template.spec") })));
  const restartPolicy = spec.template.spec?.restartPolicy;
  if (restartPolicy !== undefined && restartPolicy !== "Always") errs.push(field.notSupported("spec.template.spec.restartPolicy", restartPolicy, ["Always"]));
  return errs;
}

/** apps/v1 selectors are immutable: a changed selector would orphan every pod. */
export function validateSelectorUnchanged(spec: AppsSpec | undefined, old: AppsSpec | undefined): FieldError[] {
  return deepEqual(spec?.selector, old?.selector) ? [] : [field.invalid("spec.selector", spec?.selector, "field is immutable")];
}
