/**
 * What a Service may look like: its defaults and its validation, in
 * Kubernetes' words (pkg/apis/core/validation: ValidateService).
 *
 * This workshop serves the two types that need nothing outside the cluster:
 * ClusterIP (the default) and NodePort. Its proxy forwards TCP only.
 */
import { field, isObject, type FieldError } from "../../../shared/api/index.ts";
import type { Service, ServicePort } from "../../../shared/api/service.ts";
import { isValidPortNumber } from "../../../shared/api/validation.ts";
import { validateLabels } from "../../03-apiserver/rest/metadata.ts";
import { isIPv4 } from "./ip-allocator.ts";

export const SUPPORTED_TYPES = ["ClusterIP", "NodePort"] as const;

/** A port name (and a named targetPort) is an IANA service name: "http", "metrics-2". */
const PORT_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

function isPortName(value: string): boolean {
  return value.length <= 15 && PORT_NAME.test(value) && !value.includes("--");
}

export function defaultService(service: Service): void {
  const spec = service.spec;
  if (!spec || !isObject(spec as unknown)) return;
  spec.type ??= "ClusterIP";
  spec.sessionAffinity ??= "None";
  for (const port of Array.isArray(spec.ports) ? spec.ports : []) {
    if (!isObject(port as unknown)) continue;
    port.protocol ??= "TCP";
    port.targetPort ??= port.port;
  }
  if (spec.clusterIP && !spec.clusterIPs) spec.clusterIPs = [spec.clusterIP];
}

/** The problems of one port, under spec.ports[i]. */
function validatePort(port: ServicePort, i: number, service: Service, errs: FieldError[]): void {
  const path = `spec.ports[${i}]`;
  if (!isValidPortNumber(port.port)) errs.push(field.invalid(`${path}.port`, port.port, "must be between 1 and 65535, inclusive"));
  if (port.protocol !== "TCP") errs.push(field.notSupported(`${path}.protocol`, port.protocol, ["TCP"]));
  if (port.name !== undefined && port.name !== "" && !isPortName(port.name)) {
    errs.push(field.invalid(`${path}.name`, port.name, "must be a lower-case name of at most 15 characters (letters, digits, '-'), such as 'http'"));
  }
  const target = port.targetPort;
  if (typeof target === "number" ? !isValidPortNumber(target) : typeof target !== "string" || !isPortName(target)) {
    errs.push(field.invalid(`${path}.targetPort`, target, "must be a port number between 1 and 65535 or the name of a container port, such as 'http'"));
  }
  if (port.nodePort !== undefined && port.nodePort !== 0) {
    if (service.spec?.type !== "NodePort") errs.push(field.forbidden(`${path}.nodePort`, `may not be used when \`type\` is '${service.spec?.type}'`));
    else if (!isValidPortNumber(port.nodePort)) errs.push(field.invalid(`${path}.nodePort`, port.nodePort, "must be between 1 and 65535, inclusive"));
  }
}

export function validateService(service: Service): FieldError[] {
  const spec = service.spec;
  if (!spec || !isObject(spec as unknown)) return [field.required("spec")];
  const errs: FieldError[] = [];
  if (!(SUPPORTED_TYPES as readonly string[]).includes(spec.type ?? "")) errs.push(field.notSupported("spec.type", spec.type, SUPPORTED_TYPES));
  const ip = spec.clusterIP ?? "";
  if (ip !== "" && ip !== "None" && !isIPv4(ip)) errs.push(field.invalid("spec.clusterIP", ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
  if (ip === "None" && spec.type === "NodePort") errs.push(field.invalid("spec.clusterIP", ip, "may not be set to 'None' for NodePort services"));
  const ports = Array.isArray(spec.ports) ? spec.ports : [];
  if (ports.length === 0 && ip !== "None") errs.push(field.required("spec.ports"));
  const names = new Set<string>();
  ports.forEach((port, i) => {
    if (!isObject(port as unknown)) {
      errs.push(field.invalid(`spec.ports[${i}]`, port, "must be an object"));
      return;
    }
    if (ports.length > 1 && !port.name) errs.push(field.required(`spec.ports[${i}].name`));
    if (port.name && names.has(port.name)) errs.push(field.duplicate(`spec.ports[${i}].name`, port.name));
    if (port.name) names.add(port.name);
    validatePort(port, i, service, errs);
  });
  errs.push(...validateLabels(spec.selector ?? {}, "spec.selector"));
  if (spec.sessionAffinity !== "None") errs.push(field.notSupported("spec.sessionAffinity", spec.sessionAffinity, ["None"]));
  return errs;
}

/**
 * On update, the allocated values stay: a PUT that leaves out clusterIP or a
 * port's nodePort keeps the ones the Service has (as Kubernetes does since 1.20).
 */
export function keepAllocatedValues(service: Service, old: Service): void {
  const spec = service.spec;
  if (!spec || !isObject(spec as unknown)) return;
  if (!spec.clusterIP && old.spec?.clusterIP) {
    spec.clusterIP = old.spec.clusterIP;
    spec.clusterIPs = old.spec.clusterIPs ?? [old.spec.clusterIP];
  }
  if (spec.type !== "NodePort" || !Array.isArray(spec.ports)) return;
  for (const port of spec.ports) {
    if (!isObject(port as unknown) || port.nodePort) continue;
    const before = old.spec?.ports?.find((p) => p.port === port.port && (p.protocol ?? "TCP") === (port.protocol ?? "TCP"));
    if (before?.nodePort) port.nodePort = before.nodePort;
  }
}

/**
 * What an update may not change. The cluster IP is immutable in Kubernetes
 * too. This apiserver allocates only on create, so the type and the node
 * ports are immutable here as well: delete the Service and create it again.
 */
export function validateServiceUpdate(service: Service, old: Service): FieldError[] {
  const errs: FieldError[] = [];
  const spec = service.spec;
  if (!spec || !isObject(spec as unknown)) return errs;
  if ((spec.clusterIP ?? "") !== (old.spec?.clusterIP ?? "")) errs.push(field.invalid("spec.clusterIP", spec.clusterIP, "field is immutable"));
  const again = "is immutable in this workshop's apiserver: delete the Service and create it again";
  if (spec.type !== old.spec?.type) errs.push(field.invalid("spec.type", spec.type, `${again} (it allocates node ports only on create)`));
  const nodePorts = (s: Service) => (s.spec?.ports ?? []).map((p) => p.nodePort ?? 0).filter((n) => n > 0).sort((a, b) => a - b).join(",");
  if (spec.type === old.spec?.type && nodePorts(service) !== nodePorts(old)) errs.push(field.invalid("spec.ports", nodePorts(service), `the set of node ports ${again}`));
  return errs;
}
