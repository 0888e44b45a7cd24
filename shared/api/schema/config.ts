/** Schemas of the kinds in shared/api/config.ts: Secret and ConfigMap. */
import { kindSchema } from "./meta.ts";
import { boolean, mapOf, string, type Schema } from "./types.ts";

const bytes: Schema = { type: "string", format: "byte" };

export const secret: Schema = kindSchema(
  { type: string, data: mapOf(bytes), stringData: mapOf(string), immutable: boolean },
  "Secret holds secret data of a certain type. Values in data are base64.",
);

export const configMap: Schema = kindSchema(
  { data: mapOf(string), binaryData: mapOf(bytes), immutable: boolean },
  "ConfigMap holds configuration data for pods to consume.",
);
