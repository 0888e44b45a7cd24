/**
 * The Endpoints resource (core/v1, namespaced, short name ep): the list of
 * pod addresses behind a Service, of the same name. The endpoints controller
 * writes it; the proxy reads it. (Kubernetes 1.21+ also has EndpointSlices,
 * which split a big Service over several objects; Endpoints is the original.)
 */
import { age, field, isObject, type FieldError } from "../../../shared/api/index.ts";
import type { Endpoints } from "../../../shared/api/service.ts";
import * as schemas from "../../../shared/api/schema/service.ts";
import { isValidPortNumber } from "../../../shared/api/validation.ts";
import type { ResourceDefinition, TableConvertor } from "../../03-apiserver/registry/types.ts";
import { ageColumn, column, nameColumn } from "../../03-apiserver/table/table.ts";
import { isIPv4 } from "./ip-allocator.ts";

/** The ENDPOINTS column: "172.21.0.3:80,172.21.0.4:80", the first three and "+ N more...", or <none>. */
export function formatEndpoints(endpoints: Endpoints): string {
  const all = (endpoints.subsets ?? []).flatMap((s) =>
    (s.addresses ?? []).flatMap((a) => (s.ports?.length ? s.ports.map((p) => `${a.ip}:${p.port}`) : [a.ip])),
  );
  if (all.length === 0) return "<none>";
  return all.length > 3 ? `${all.slice(0, 3).join(",")} + ${all.length - 3} more...` : all.join(",");
}

export function validateEndpoints(endpoints: Endpoints): FieldError[] {
  const errs: FieldError[] = [];
  if (endpoints.subsets !== undefined && !Array.isArray(endpoints.subsets))
    return [field.invalid("subsets", endpoints.subsets, "must be a list")];
  (endpoints.subsets ?? []).forEach((subset, i) => {
    if (!isObject(subset as unknown)) return errs.push(field.invalid(`subsets[${i}]`, subset, "must be an object"));
    for (const list of ["addresses", "notReadyAddresses"] as const) {
      (subset[list] ?? []).forEach((a, j) => {
        if (!isIPv4(String(a?.ip ?? "")))
          errs.push(field.invalid(`subsets[${i}].${list}[${j}].ip`, a?.ip, "must be a valid IPv4 address"));
      });
    }
    (subset.ports ?? []).forEach((p, j) => {
      if (!isValidPortNumber(p?.port))
        errs.push(field.invalid(`subsets[${i}].ports[${j}].port`, p?.port, "must be between 1 and 65535, inclusive"));
    });
    return undefined;
  });
  return errs;
}

export const endpointsTable: TableConvertor = {
  columns: [nameColumn(), column("Endpoints", "Endpoints of the service: ready addresses and ports."), ageColumn()],
  cells: (obj, now) => [obj.metadata?.name ?? "", formatEndpoints(obj as Endpoints), age(obj.metadata?.creationTimestamp, now)],
};

export const endpointsResource: ResourceDefinition = {
  group: "",
  version: "v1",
  kind: "Endpoints",
  plural: "endpoints",
  singular: "endpoints",
  shortNames: ["ep"],
  scope: "Namespaced",
  schema: schemas.endpoints,
  description: "Endpoints is a collection of endpoints that implement the actual service.",
  strategy: {
    validate: (obj) => validateEndpoints(obj as Endpoints),
  },
  table: endpointsTable,
};
