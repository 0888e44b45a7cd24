/**
 * ConfigMaps: configuration that is not secret (a config file, feature
 * flags, a URL). The same shape as a Secret, but text goes in `data` as is;
 * only binary content goes in `binaryData`, as base64.
 */
import { age, deepEqual, field, type FieldError } from "../../../shared/api/index.ts";
import type { ConfigMap } from "../../../shared/api/config.ts";
import { metadataField, type Message } from "../../03-apiserver/http/protobuf.ts";
import * as schemas from "../../../shared/api/schema/config.ts";
import type { ApiObject, ResourceDefinition } from "../../03-apiserver/registry/types.ts";
import { ageColumn, column, nameColumn } from "../../03-apiserver/table/table.ts";
import { isBase64, MAX_DATA_BYTES, validateDataKey } from "./data-keys.ts";

export function validateConfigMap(cm: ConfigMap): FieldError[] {
  const errors: FieldError[] = [];
  let total = 0;
  for (const [key, value] of Object.entries(cm.data ?? {})) {
    errors.push(...validateDataKey(key, `data[${key}]`));
    total += Buffer.byteLength(String(value));
  }
  for (const [key, value] of Object.entries(cm.binaryData ?? {})) {
    errors.push(...validateDataKey(key, `binaryData[${key}]`));
    if (cm.data && key in cm.data) errors.push(field.invalid(`binaryData[${key}]`, key, "duplicate of key present in data"));
    if (!isBase64(String(value))) errors.push(field.invalid(`binaryData[${key}]`, "<binary>", "illegal base64 data"));
    else total += Buffer.from(String(value), "base64").length;
  }
  if (total > MAX_DATA_BYTES) errors.push(field.tooLong("data", MAX_DATA_BYTES));
  return errors;
}

/** The wire format of a ConfigMap, for `kubectl create configmap` (it sends protobuf). */
const ConfigMapMessage: Message = {
  1: metadataField,
  2: ["data", { map: "string" }],
  3: ["binaryData", { map: "bytes" }],
  4: ["immutable", "bool"],
};

export const configMaps: ResourceDefinition = {
  protobuf: ConfigMapMessage,
  group: "",
  version: "v1",
  kind: "ConfigMap",
  plural: "configmaps",
  singular: "configmap",
  shortNames: ["cm"],
  scope: "Namespaced",
  schema: schemas.configMap,
  description: "ConfigMap holds configuration data for pods to consume.",
  strategy: {
    validate: (obj) => validateConfigMap(obj as ConfigMap),
    validateUpdate(obj, old) {
      const [cm, previous] = [obj as ConfigMap, old as ConfigMap];
      if (!previous.immutable) return [];
      const same = deepEqual(cm.data ?? {}, previous.data ?? {}) && deepEqual(cm.binaryData ?? {}, previous.binaryData ?? {});
      return same && cm.immutable ? [] : [field.forbidden("data", "field is immutable when `immutable` is set")];
    },
  },
  table: {
    columns: [nameColumn(), column("Data", "The number of keys in the config map.", 0, "integer"), ageColumn()],
    cells: (obj: ApiObject, now) => {
      const cm = obj as ConfigMap;
      const count = Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length;
      return [cm.metadata?.name ?? "", count, age(cm.metadata?.creationTimestamp, now)];
    },
  },
};
