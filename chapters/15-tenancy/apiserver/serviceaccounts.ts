/**
 * ServiceAccounts: identities for programs, not people. A pod runs as one
 * account of its namespace ("default" unless it names another), and the
 * token in its volume says so to the apiserver. The object itself holds
 * almost nothing: the identity is its namespace, its name and its uid.
 */
import { age } from "../../../shared/api/index.ts";
import * as schemas from "../../../shared/api/schema/tenancy.ts";
import { metadataField, type Message } from "../../03-apiserver/http/protobuf.ts";
import type { ResourceDefinition } from "../../03-apiserver/registry/types.ts";
import { ageColumn, column, nameColumn } from "../../03-apiserver/table/table.ts";

/** The wire format of a ServiceAccount, for `kubectl create serviceaccount` (it sends protobuf). */
const ServiceAccountMessage: Message = {
  1: metadataField,
  2: ["secrets", { message: { 3: ["name", "string"] } }, "repeated"],
  3: ["imagePullSecrets", { message: { 1: ["name", "string"] } }, "repeated"],
  4: ["automountServiceAccountToken", "bool"],
};

export const serviceAccounts: ResourceDefinition = {
  group: "",
  version: "v1",
  kind: "ServiceAccount",
  protobuf: ServiceAccountMessage,
  plural: "serviceaccounts",
  singular: "serviceaccount",
  shortNames: ["sa"],
  scope: "Namespaced",
  schema: schemas.serviceAccount,
  description: "ServiceAccount binds together a name understood by users, and perhaps by peripheral systems, for an identity.",
  table: {
    columns: [nameColumn(), column("Secrets", "The number of secrets of the account.", 0, "integer"), ageColumn()],
    cells: (obj, now) => [
      obj.metadata?.name ?? "",
      ((obj as { secrets?: unknown[] }).secrets ?? []).length,
      age(obj.metadata?.creationTimestamp, now),
    ],
  },
};
