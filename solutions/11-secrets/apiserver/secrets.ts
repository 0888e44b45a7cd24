/**
 * Secrets: small pieces of sensitive data (passwords, tokens, keys) that pods
 * consume as environment variables or files.
 *
 * On the wire a Secret's values are base64 under `data`, so they can be any
 * bytes. Clients may write plain text under `stringData` instead: the
 * apiserver encodes it into `data` and drops `stringData`, so it is never
 * stored and never returned. Base64 hides nothing; what protects a Secret is
 * who may read it (authorization) and how it is stored (encryption at rest).
 */
import { age, deepEqual, field, type FieldError } from "../../../shared/api/index.ts";
import type { Secret } from "../../../shared/api/config.ts";
import { metadataField, type Message } from "../../03-apiserver/http/protobuf.ts";
import * as schemas from "../../../shared/api/schema/config.ts";
import type { ApiObject, ResourceDefinition } from "../../03-apiserver/registry/types.ts";
import { ageColumn, column, nameColumn } from "../../03-apiserver/table/table.ts";
import { isBase64, MAX_DATA_BYTES, validateDataKey } from "./data-keys.ts";

/** Field errors must never echo a secret's value. */
const REDACTED = "<secret contents redacted>";

// STEP(11.3): stringData is write-only: it ends up in data (base64), wins
// over data for the same key, and is never stored. Tests: the "11.3" tests.
export function mergeStringData(secret: Secret): void {
  //#solution
  if (secret.stringData === undefined) return;
  const data = { ...secret.data };
  for (const [key, value] of Object.entries(secret.stringData)) data[key] = Buffer.from(String(value), "utf8").toString("base64");
  secret.data = data;
  delete secret.stringData;
  //#end
}

// STEP(11.3): keys that are valid file names, values that are base64, not
// too large in total; a bad value is never echoed back (REDACTED).
export function validateSecretData(secret: Secret): FieldError[] {
  //#solution
  const errors: FieldError[] = [];
  let total = 0;
  for (const [key, value] of Object.entries(secret.data ?? {})) {
    errors.push(...validateDataKey(key, `data[${key}]`));
    if (typeof value !== "string" || !isBase64(value)) {
      errors.push(
        field.invalid(
          `data[${key}]`,
          REDACTED,
          "illegal base64 data: values under data must be base64 (or write plain text under stringData)",
        ),
      );
      continue;
    }
    total += Buffer.from(value, "base64").length;
  }
  if (total > MAX_DATA_BYTES) errors.push(field.tooLong("data", MAX_DATA_BYTES));
  return errors;
  //#end
}

/** The number of keys, for the DATA column. */
export function dataCount(secret: Secret): number {
  return Object.keys(secret.data ?? {}).length;
}

/** The wire format of a Secret, for `kubectl create secret` (it sends protobuf; field numbers from Kubernetes). */
const SecretMessage: Message = {
  1: metadataField,
  2: ["data", { map: "bytes" }],
  3: ["type", "string"],
  4: ["stringData", { map: "string" }],
  5: ["immutable", "bool"],
};

export const secrets: ResourceDefinition = {
  protobuf: SecretMessage,
  group: "",
  version: "v1",
  kind: "Secret",
  plural: "secrets",
  singular: "secret",
  scope: "Namespaced",
  schema: schemas.secret,
  description: "Secret holds secret data of a certain type. Values in data are base64.",
  strategy: {
    // defaults() runs on create and on every update (and patch), so stringData is merged whatever the verb.
    defaults(obj) {
      const secret = obj as Secret;
      secret.type ||= "Opaque";
      mergeStringData(secret);
    },
    validate: (obj) => validateSecretData(obj as Secret),
    validateUpdate(obj, old) {
      const [secret, previous] = [obj as Secret, old as Secret];
      const errors: FieldError[] = [];
      if ((secret.type ?? "Opaque") !== (previous.type ?? "Opaque"))
        errors.push(field.invalid("type", secret.type, "field is immutable"));
      if (previous.immutable) {
        if (!deepEqual(secret.data ?? {}, previous.data ?? {}))
          errors.push(field.forbidden("data", "field is immutable when `immutable` is set"));
        if (!secret.immutable) errors.push(field.forbidden("immutable", "field is immutable when `immutable` is set"));
      }
      return errors;
    },
  },
  table: {
    columns: [
      nameColumn(),
      column("Type", "The type of the secret."),
      column("Data", "The number of keys in the secret.", 0, "integer"),
      ageColumn(),
    ],
    cells: (obj: ApiObject, now) => {
      const secret = obj as Secret;
      return [
        secret.metadata?.name ?? "",
        secret.type ?? "Opaque",
        dataCount(secret),
        age(secret.metadata?.creationTimestamp, now),
      ];
    },
  },
};
