/**
 * The Service resource on the apiserver (core/v1, namespaced, short name
 * svc): defaults and validation (service-validation.ts), the cluster IP and
 * node ports it is given on create (allocation.ts), and the columns of
 * `kubectl get services`.
 */
import { age } from "../../../shared/api/index.ts";
import type { Service } from "../../../shared/api/service.ts";
import * as schemas from "../../../shared/api/schema/service.ts";
import type { ApiObject, ResourceDefinition, TableConvertor } from "../../03-apiserver/registry/types.ts";
import { ageColumn, column, nameColumn } from "../../03-apiserver/table/table.ts";
import type { ServiceAllocator } from "./allocation.ts";
import { defaultService, keepAllocatedValues, validateService, validateServiceUpdate } from "./service-validation.ts";

/** A selector map as kubectl shows it: "app=web,tier=db", or <none>. */
export function formatSelector(selector: Record<string, string> | undefined): string {
  const entries = Object.entries(selector ?? {});
  return entries.length === 0 ? "<none>" : entries.map(([k, v]) => `${k}=${v}`).join(",");
}

/** The PORT(S) column: "8000/TCP", or "8000:30080/TCP" with a node port. */
export function formatPorts(service: Service): string {
  const ports = service.spec?.ports ?? [];
  if (ports.length === 0) return "<none>";
  return ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ""}/${p.protocol ?? "TCP"}`).join(",");
}

export const serviceTable: TableConvertor = {
  columns: [
    nameColumn(),
    column("Type", "The type of the service."),
    column("Cluster-IP", "The cluster IP of the service."),
    column("External-IP", "The external IPs of the service."),
    column("Port(s)", "The ports of the service."),
    ageColumn(),
    column("Selector", "The label selector of the service.", 1),
  ],
  cells(obj, now) {
    const service = obj as Service;
    const external = service.spec?.externalIPs ?? [];
    return [
      service.metadata?.name ?? "",
      service.spec?.type ?? "ClusterIP",
      service.spec?.clusterIP || "<none>",
      external.length > 0 ? external.join(",") : "<none>",
      formatPorts(service),
      age(service.metadata?.creationTimestamp, now),
      formatSelector(service.spec?.selector),
    ];
  },
};

/** The services resource of one apiserver: its allocator holds that apiserver's store. */
export function servicesResource(allocator: ServiceAllocator): ResourceDefinition {
  return {
    group: "",
    version: "v1",
    kind: "Service",
    plural: "services",
    singular: "service",
    shortNames: ["svc"],
    categories: ["all"],
    scope: "Namespaced",
    schema: schemas.service,
    statusSubresource: true,
    description:
      "Service is a named abstraction of software service consisting of local port that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.",
    strategy: {
      prepareForCreate(obj: ApiObject) {
        (obj as Service).status = { loadBalancer: {} };
      },
      prepareForUpdate: (obj, old) => keepAllocatedValues(obj as Service, old as Service),
      defaults: (obj) => defaultService(obj as Service),
      validate: (obj) => validateService(obj as Service),
      validateUpdate: (obj, old) => validateServiceUpdate(obj as Service, old as Service),
      beginCreate: (obj) => allocator.allocate(obj as Service),
      afterDelete: (obj) => allocator.release(obj as Service),
    },
    table: serviceTable,
  };
}
