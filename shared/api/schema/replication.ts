/** Schemas of the kinds in shared/api/replication.ts: ReplicationController and Scale. */
import { podTemplateSpec } from "./core.ts";
import { kindSchema } from "./meta.ts";
import { arrayOf, dateTime, integer, integer64, mapOf, object, string, type Schema } from "./types.ts";

const replicationControllerCondition = object(
  { type: string, status: string, lastTransitionTime: dateTime, reason: string, message: string },
  { required: ["type", "status"] },
);

export const replicationController: Schema = kindSchema(
  {
    spec: object({
      replicas: integer,
      minReadySeconds: integer,
      selector: { ...mapOf(string), "x-kubernetes-map-type": "atomic" },
      template: podTemplateSpec,
    }),
    status: object({
      replicas: integer,
      fullyLabeledReplicas: integer,
      readyReplicas: integer,
      availableReplicas: integer,
      observedGeneration: integer64,
      conditions: arrayOf(replicationControllerCondition, { mergeKey: "type", strategy: "merge" }),
    }),
  },
  "ReplicationController represents the configuration of a replication controller.",
);

export const scale: Schema = kindSchema(
  {
    spec: object({ replicas: integer }),
    status: object({ replicas: integer, selector: string }, { required: ["replicas"] }),
  },
  "Scale represents a scaling request for a resource.",
);
