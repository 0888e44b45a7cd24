/**
 * ResourceQuota and LimitRange: a namespace's budget and its defaults.
 * Both are plain stored objects; what makes them work is admission
 * (admission/resource-quota.ts, admission/limit-range.ts) and the quota
 * controller, which keeps a quota's status.used true.
 */
import { age } from "../../../shared/api/index.ts";
import * as schemas from "../../../shared/api/schema/tenancy.ts";
import type { ResourceQuota } from "../../../shared/api/tenancy.ts";
import { metadataField, type Message } from "../../03-apiserver/http/protobuf.ts";
import type { ResourceDefinition } from "../../03-apiserver/registry/types.ts";
import { ageColumn, column, nameColumn } from "../../03-apiserver/table/table.ts";

/** "pods: 1/2, requests.cpu: 500m/1": what `kubectl get quota` shows. */
function usageText(quota: ResourceQuota): string {
  const used = quota.status?.used ?? {};
  return Object.entries(quota.spec?.hard ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, hard]) => `${name}: ${String(used[name] ?? 0)}/${String(hard)}`)
    .join(", ");
}

/** ResourceQuota { 1 metadata, 2 spec { 1 hard, 2 scopes }, 3 status { 1 hard, 2 used } }: `kubectl create quota` sends protobuf. */
const ResourceQuotaMessage: Message = {
  1: metadataField,
  2: ["spec", { message: { 1: ["hard", { map: "quantity" }], 2: ["scopes", "string", "repeated"] } }],
  3: ["status", { message: { 1: ["hard", { map: "quantity" }], 2: ["used", { map: "quantity" }] } }],
};

export const resourceQuotas: ResourceDefinition = {
  protobuf: ResourceQuotaMessage,
  group: "",
  version: "v1",
  kind: "ResourceQuota",
  plural: "resourcequotas",
  singular: "resourcequota",
  shortNames: ["quota"],
  scope: "Namespaced",
  schema: schemas.resourceQuota,
  statusSubresource: true,
  description: "ResourceQuota sets aggregate quota restrictions enforced per namespace.",
  table: {
    columns: [nameColumn(), ageColumn(), column("Request", "Used and hard limits of each resource.")],
    cells: (obj, now) => [obj.metadata?.name ?? "", age(obj.metadata?.creationTimestamp, now), usageText(obj as ResourceQuota)],
  },
};

export const limitRanges: ResourceDefinition = {
  group: "",
  version: "v1",
  kind: "LimitRange",
  plural: "limitranges",
  singular: "limitrange",
  shortNames: ["limits"],
  scope: "Namespaced",
  schema: schemas.limitRange,
  description: "LimitRange sets resource usage limits for each kind of resource in a namespace.",
};
