/**
 * Ingress and IngressClass on the apiserver (networking.k8s.io/v1), with the
 * columns of `kubectl get ingress` and `kubectl get ingressclass` as the real
 * apiserver serves them, and the validation a controller relies on (in
 * Kubernetes' words, pkg/apis/networking/validation).
 */
import { age, field, isObject, type FieldError } from "../../../shared/api/index.ts";
import type { HTTPIngressPath, Ingress, IngressBackend, IngressClass } from "../../../shared/api/networking.ts";
import * as schemas from "../../../shared/api/schema/networking.ts";
import { isValidPortNumber } from "../../../shared/api/validation.ts";
import type { ApiObject, ResourceDefinition, TableConvertor } from "../../03-apiserver/registry/types.ts";
import { ageColumn, column, nameColumn } from "../../03-apiserver/table/table.ts";

export const PATH_TYPES = ["Exact", "Prefix", "ImplementationSpecific"] as const;

function validateBackend(backend: IngressBackend | undefined, path: string, errs: FieldError[]): void {
  if (!isObject(backend as unknown)) return void errs.push(field.required(path));
  const service = backend!.service;
  if (!service) return void errs.push(field.required(`${path}.service`, "only service backends are served here"));
  if (!service.name) errs.push(field.required(`${path}.service.name`));
  const port = service.port ?? {};
  if (port.number !== undefined && port.name !== undefined)
    errs.push(field.invalid(`${path}.service.port`, port, "cannot set both port name & port number"));
  else if (port.number === undefined && !port.name)
    errs.push(field.required(`${path}.service.port`, "port name or number is required"));
  else if (port.number !== undefined && !isValidPortNumber(port.number))
    errs.push(field.invalid(`${path}.service.port.number`, port.number, "must be between 1 and 65535, inclusive"));
}

function validatePath(p: HTTPIngressPath, path: string, errs: FieldError[]): void {
  if (!p.pathType) errs.push(field.required(`${path}.pathType`, "pathType must be specified"));
  else if (!(PATH_TYPES as readonly string[]).includes(p.pathType))
    errs.push(field.notSupported(`${path}.pathType`, p.pathType, PATH_TYPES));
  else if (!(p.path ?? "").startsWith("/")) errs.push(field.invalid(`${path}.path`, p.path, "must be an absolute path"));
  validateBackend(p.backend, `${path}.backend`, errs);
}

export function validateIngress(ingress: Ingress): FieldError[] {
  const spec = ingress.spec;
  if (!isObject(spec as unknown)) return [field.required("spec")];
  const errs: FieldError[] = [];
  const rules = spec!.rules ?? [];
  if (rules.length === 0 && !spec!.defaultBackend)
    errs.push(field.invalid("spec", spec, "either `defaultBackend` or `rules` must be specified"));
  if (spec!.defaultBackend) validateBackend(spec!.defaultBackend, "spec.defaultBackend", errs);
  rules.forEach((rule, i) => {
    const host = rule.host ?? "";
    if (host && !/^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(host))
      errs.push(
        field.invalid(`spec.rules[${i}].host`, host, "a lowercase RFC 1123 subdomain, or a wildcard such as '*.example.com'"),
      );
    (rule.http?.paths ?? []).forEach((p, j) => validatePath(p, `spec.rules[${i}].http.paths[${j}]`, errs));
  });
  return errs;
}

/** HOSTS: the rules' hosts, at most three and "+ N more..."; "*" when no rule names one (as kubectl's printer). */
export function formatHosts(ingress: Ingress): string {
  const rules = ingress.spec?.rules ?? [];
  const hosts = rules.map((r) => r.host ?? "").filter((h) => h !== "");
  const shown =
    rules.length > 3
      ? rules
          .slice(0, 3)
          .map((r) => r.host ?? "")
          .filter((h) => h !== "")
      : hosts;
  if (shown.length === 0) return "*";
  return rules.length > 3 ? `${shown.join(",")} + ${rules.length - 3} more...` : shown.join(",");
}

export const ingressTable: TableConvertor = {
  columns: [
    nameColumn(),
    column("Class", "The name of the IngressClass resource that should be used for ingress."),
    column("Hosts", "Hosts that incoming requests are matched against before the ingress rule"),
    column("Address", "Address is a list containing ingress points for the load-balancer"),
    column("Ports", "Ports of TLS configurations that open"),
    ageColumn(),
  ],
  cells(obj, now) {
    const ing = obj as Ingress;
    const addresses = (ing.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || "").filter(Boolean);
    return [
      ing.metadata?.name ?? "",
      ing.spec?.ingressClassName ?? "<none>",
      formatHosts(ing),
      addresses.join(","),
      (ing.spec?.tls ?? []).length > 0 ? "80, 443" : "80",
      age(ing.metadata?.creationTimestamp, now),
    ];
  },
};

export const ingresses: ResourceDefinition = {
  group: "networking.k8s.io",
  version: "v1",
  kind: "Ingress",
  plural: "ingresses",
  singular: "ingress",
  shortNames: ["ing"],
  scope: "Namespaced",
  schema: schemas.ingress,
  statusSubresource: true,
  description: "Ingress is a collection of rules that allow inbound connections to reach the endpoints defined by a backend.",
  strategy: {
    prepareForCreate(obj: ApiObject) {
      (obj as Ingress).status = {};
    },
    validate: (obj) => validateIngress(obj as Ingress),
  },
  table: ingressTable,
};

export const ingressClasses: ResourceDefinition = {
  group: "networking.k8s.io",
  version: "v1",
  kind: "IngressClass",
  plural: "ingressclasses",
  singular: "ingressclass",
  shortNames: [],
  scope: "Cluster",
  schema: schemas.ingressClass,
  description: "IngressClass represents the class of the Ingress, referenced by the Ingress Spec.",
  strategy: {
    validate: (obj) => ((obj as IngressClass).spec?.controller ? [] : [field.required("spec.controller")]),
  },
  table: {
    columns: [
      nameColumn(),
      column("Controller", "Controller that is responsible for handling this class"),
      column("Parameters", "A reference to a resource with additional parameters"),
      ageColumn(),
    ],
    cells: (obj, now) => [
      obj.metadata?.name ?? "",
      (obj as IngressClass).spec?.controller ?? "",
      "<none>",
      age(obj.metadata?.creationTimestamp, now),
    ],
  },
};
