/** Schemas of the kinds in shared/api/apps.ts: ReplicaSet and Deployment (apps/v1). */
import { podTemplateSpec } from "./core.ts";
import { kindSchema } from "./meta.ts";
import { arrayOf, boolean, dateTime, integer, integer64, intOrString, mapOf, object, string, type Schema } from "./types.ts";

export const labelSelector: Schema = {
  ...object({
    matchLabels: mapOf(string),
    matchExpressions: arrayOf(object({ key: string, operator: string, values: arrayOf(string, { listType: "atomic" }) }, { required: ["key", "operator"] }), { listType: "atomic" }),
  }),
  "x-kubernetes-map-type": "atomic",
};

const condition = object(
  { type: string, status: string, lastUpdateTime: dateTime, lastTransitionTime: dateTime, reason: string, message: string },
  { required: ["type", "status"] },
);

export const replicaSet: Schema = kindSchema(
  {
    spec: object({ replicas: integer, minReadySeconds: integer, selector: labelSelector, template: podTemplateSpec }, { required: ["selector"] }),
    status: object({
      replicas: integer,
      fullyLabeledReplicas: integer,
      readyReplicas: integer,
      availableReplicas: integer,
      observedGeneration: integer64,
      conditions: arrayOf(condition, { mergeKey: "type", strategy: "merge", listType: "map" }),
    }),
  },
  "ReplicaSet ensures that a specified number of pod replicas are running at any given time.",
);

export const deployment: Schema = kindSchema(
  {
    spec: object(
      {
        replicas: integer,
        selector: labelSelector,
        template: podTemplateSpec,
        strategy: object({ type: string, rollingUpdate: object({ maxSurge: intOrString, maxUnavailable: intOrString }) }),
        minReadySeconds: integer,
        revisionHistoryLimit: integer,
        paused: boolean,
        progressDeadlineSeconds: integer,
      },
      { required: ["selector", "template"] },
    ),
    status: object({
      observedGeneration: integer64,
      replicas: integer,
      updatedReplicas: integer,
      readyReplicas: integer,
      availableReplicas: integer,
      unavailableReplicas: integer,
      conditions: arrayOf(condition, { mergeKey: "type", strategy: "merge", listType: "map" }),
      collisionCount: integer,
    }),
  },
  "Deployment enables declarative updates for Pods and ReplicaSets.",
);
