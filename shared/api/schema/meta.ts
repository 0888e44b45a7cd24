/** Schemas of the shared meta/v1 parts: ObjectMeta and friends. */
import { arrayOf, boolean, dateTime, integer64, mapOf, mergeList, object, string, type Schema } from "./types.ts";

export const ownerReference: Schema = object(
  {
    apiVersion: string,
    kind: string,
    name: string,
    uid: string,
    controller: boolean,
    blockOwnerDeletion: boolean,
  },
  { required: ["apiVersion", "kind", "name", "uid"] },
);

export const objectMeta: Schema = object({
  name: string,
  generateName: string,
  namespace: string,
  uid: string,
  resourceVersion: string,
  generation: integer64,
  creationTimestamp: dateTime,
  deletionTimestamp: dateTime,
  deletionGracePeriodSeconds: integer64,
  labels: mapOf(string),
  annotations: mapOf(string),
  ownerReferences: mergeList(ownerReference, "uid"),
  finalizers: arrayOf(string, { strategy: "merge", listType: "set" }),
  selfLink: string,
  managedFields: arrayOf({ type: "object", "x-kubernetes-preserve-unknown-fields": true }),
});

export const objectReference: Schema = object({
  kind: string,
  namespace: string,
  name: string,
  uid: string,
  apiVersion: string,
  resourceVersion: string,
  fieldPath: string,
});

/** The schema of a whole kind: apiVersion, kind, metadata plus its own fields. */
export function kindSchema(properties: Record<string, Schema>, description?: string): Schema {
  return object({ apiVersion: string, kind: string, metadata: objectMeta, ...properties }, description ? { description } : {});
}
