/**
 * A small subset of OpenAPI v3 schemas, enough to describe Kubernetes kinds.
 *
 * The apiserver uses one schema per kind for three things: it publishes the
 * schemas at /openapi/v3 (kubectl reads them), it checks request bodies
 * against them (wrong types are a 400; unknown fields are rejected when the
 * client asks for fieldValidation=Strict, which kubectl does), and its
 * strategic merge patch reads the list merge keys from them.
 */
export interface Schema {
  type?: "object" | "array" | "string" | "integer" | "number" | "boolean";
  format?: string;
  description?: string;
  properties?: Record<string, Schema>;
  /** For maps (labels, annotations, data): the schema of every value. */
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: string[];
  /** A value that may be an integer or a string (ports, quantities). */
  "x-kubernetes-int-or-string"?: true;
  /** Any content is accepted and kept (opaque sub-documents). */
  "x-kubernetes-preserve-unknown-fields"?: true;
  /** Strategic merge patch: list elements are matched by this field. */
  "x-kubernetes-patch-merge-key"?: string;
  /** Strategic merge patch: "merge", "retainKeys" or "merge,retainKeys". */
  "x-kubernetes-patch-strategy"?: string;
  "x-kubernetes-list-type"?: "atomic" | "set" | "map";
  "x-kubernetes-list-map-keys"?: string[];
  "x-kubernetes-map-type"?: "atomic" | "granular";
}

export const string: Schema = { type: "string" };
export const integer: Schema = { type: "integer", format: "int32" };
export const integer64: Schema = { type: "integer", format: "int64" };
export const number: Schema = { type: "number", format: "double" };
export const boolean: Schema = { type: "boolean" };
export const dateTime: Schema = { type: "string", format: "date-time" };
export const intOrString: Schema = { "x-kubernetes-int-or-string": true };
/** A resource quantity ("100m", "64Mi", 2). */
export const quantity: Schema = { "x-kubernetes-int-or-string": true };
/** Any JSON object, kept as is. */
export const anyObject: Schema = { type: "object", "x-kubernetes-preserve-unknown-fields": true };

export function object(properties: Record<string, Schema>, options: { required?: string[]; description?: string } = {}): Schema {
  return {
    type: "object",
    properties,
    ...(options.required ? { required: options.required } : {}),
    ...(options.description ? { description: options.description } : {}),
  };
}

export function mapOf(values: Schema): Schema {
  return { type: "object", additionalProperties: values };
}

export function arrayOf(
  items: Schema,
  options: { mergeKey?: string; strategy?: string; listType?: "atomic" | "set" | "map" } = {},
): Schema {
  const s: Schema = { type: "array", items };
  if (options.mergeKey) s["x-kubernetes-patch-merge-key"] = options.mergeKey;
  if (options.strategy) s["x-kubernetes-patch-strategy"] = options.strategy;
  if (options.listType) s["x-kubernetes-list-type"] = options.listType;
  if (options.mergeKey && options.listType === "map") s["x-kubernetes-list-map-keys"] = [options.mergeKey];
  return s;
}

/** A list merged by key under strategic merge patch (containers by name, ports by containerPort...). */
export function mergeList(items: Schema, mergeKey: string, strategy = "merge"): Schema {
  return arrayOf(items, { mergeKey, strategy });
}
