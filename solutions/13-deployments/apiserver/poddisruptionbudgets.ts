/**
 * The PodDisruptionBudget resource (policy/v1, short name pdb): validation,
 * `kubectl get pdb` columns, and /status for the disruption controller and
 * the eviction subresource. Kubernetes: pkg/apis/policy/validation.
 */
import type { PodDisruptionBudget } from "../../../shared/api/policy.ts";
import { age, field, isObject, type FieldError } from "../../../shared/api/index.ts";
import { labelSelector } from "../../../shared/api/schema/apps.ts";
import { kindSchema } from "../../../shared/api/schema/meta.ts";
import { arrayOf, dateTime, integer, integer64, intOrString, mapOf, object, string } from "../../../shared/api/schema/types.ts";
import type { ApiObject, ResourceDefinition, TableConvertor } from "../../03-apiserver/registry/types.ts";
import { ageColumn, column, nameColumn } from "../../03-apiserver/table/table.ts";
import { isIntOrPercent } from "./int-or-percent.ts";
import { PodDisruptionBudgetMessage } from "./protobuf.ts";
import { validateSelectorSpec } from "./selector.ts";

const schema = kindSchema(
  {
    spec: object({
      minAvailable: intOrString,
      maxUnavailable: intOrString,
      selector: labelSelector,
      unhealthyPodEvictionPolicy: string,
    }),
    status: object({
      observedGeneration: integer64,
      disruptedPods: mapOf(dateTime),
      disruptionsAllowed: integer,
      currentHealthy: integer,
      desiredHealthy: integer,
      expectedPods: integer,
      conditions: arrayOf(
        object(
          {
            type: string,
            status: string,
            observedGeneration: integer64,
            lastTransitionTime: dateTime,
            reason: string,
            message: string,
          },
          { required: ["type", "status"] },
        ),
        { mergeKey: "type", strategy: "merge", listType: "map" },
      ),
    }),
  },
  "PodDisruptionBudget is an object to define the max disruption that can be caused to a collection of pods.",
);

function validateIntOrPercent(value: unknown, path: string): FieldError[] {
  if (value === undefined) return [];
  if (!isIntOrPercent(value)) return [field.invalid(path, value, 'must be a non-negative integer or a percentage ("50%")')];
  if (typeof value === "string" && Number(value.slice(0, -1)) > 100)
    return [field.invalid(path, value, "must not be greater than 100%")];
  return [];
}

export function validatePodDisruptionBudget(pdb: PodDisruptionBudget): FieldError[] {
  const spec = pdb.spec;
  if (!isObject(spec)) return [field.required("spec")];
  const errs = [
    ...validateIntOrPercent(spec.minAvailable, "spec.minAvailable"),
    ...validateIntOrPercent(spec.maxUnavailable, "spec.maxUnavailable"),
  ];
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined)
    errs.push(field.invalid("spec", spec, "minAvailable and maxUnavailable cannot be both set"));
  // An empty selector ({}) is allowed here: it selects every pod of the namespace.
  const selector = spec.selector as Record<string, unknown> | undefined;
  if (isObject(selector) && Object.keys(selector).length > 0)
    errs.push(...validateSelectorSpec(selector, "spec.selector").filter((e) => !e.detail?.startsWith("empty selector")));
  return errs;
}

/** `kubectl get pdb`: NAME, MIN AVAILABLE, MAX UNAVAILABLE, ALLOWED DISRUPTIONS, AGE. */
export const podDisruptionBudgetTable: TableConvertor = {
  columns: [
    nameColumn(),
    column("Min Available", "The minimum number of pods that must be available simultaneously.", 0),
    column("Max Unavailable", "The maximum number of pods that may be unavailable simultaneously.", 0),
    column("Allowed Disruptions", "Calculated number of pods that may be disrupted at this time.", 0, "integer"),
    ageColumn(),
  ],
  cells(obj, now) {
    const pdb = obj as PodDisruptionBudget;
    return [
      pdb.metadata?.name ?? "",
      pdb.spec?.minAvailable === undefined ? "N/A" : String(pdb.spec.minAvailable),
      pdb.spec?.maxUnavailable === undefined ? "N/A" : String(pdb.spec.maxUnavailable),
      pdb.status?.disruptionsAllowed ?? 0,
      age(pdb.metadata?.creationTimestamp, now),
    ];
  },
};

export const podDisruptionBudgets: ResourceDefinition = {
  group: "policy",
  version: "v1",
  kind: "PodDisruptionBudget",
  plural: "poddisruptionbudgets",
  singular: "poddisruptionbudget",
  shortNames: ["pdb"],
  scope: "Namespaced",
  schema,
  statusSubresource: true,
  description: "PodDisruptionBudget is an object to define the max disruption that can be caused to a collection of pods.",
  strategy: {
    // Nothing is allowed until the disruption controller has counted.
    prepareForCreate(obj: ApiObject) {
      (obj as PodDisruptionBudget).status = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
    },
    validate: (obj) => validatePodDisruptionBudget(obj as PodDisruptionBudget),
  },
  table: podDisruptionBudgetTable,
  // `kubectl create pdb` sends protobuf.
  protobuf: PodDisruptionBudgetMessage,
};
