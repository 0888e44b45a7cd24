/**
 * The types of chapter 14 (group networking.k8s.io, version v1): Ingress
 * and IngressClass.
 *
 * An Ingress is a set of HTTP routing rules: "requests for host a.example
 * whose path starts with /api go to Service api, port 8080". An ingress
 * controller (a reverse proxy) reads them and does the routing. An
 * IngressClass names a controller; an Ingress picks one with
 * spec.ingressClassName, or gets the class marked as the default.
 */
import type { KubeObject } from "./meta.ts";

export interface IngressServiceBackend {
  name: string;
  /** By number or by the Service port's name. */
  port?: { number?: number; name?: string };
}

export interface IngressBackend {
  service?: IngressServiceBackend;
  /** A reference to another kind of object; not served here. */
  resource?: { apiGroup?: string; kind: string; name: string };
}

export type PathType = "Exact" | "Prefix" | "ImplementationSpecific";

export interface HTTPIngressPath {
  path?: string;
  pathType: PathType;
  backend: IngressBackend;
}

export interface IngressRule {
  /** A host name ("a.example") or a wildcard of one label ("*.example"); empty: any host. */
  host?: string;
  http?: { paths: HTTPIngressPath[] };
}

export interface IngressSpec {
  ingressClassName?: string;
  /** Where requests that match no rule go. */
  defaultBackend?: IngressBackend;
  tls?: { hosts?: string[]; secretName?: string }[];
  rules?: IngressRule[];
}

export interface IngressStatus {
  loadBalancer?: { ingress?: { ip?: string; hostname?: string; ports?: { port: number; protocol: string }[] }[] };
}

export interface Ingress extends KubeObject {
  apiVersion?: "networking.k8s.io/v1";
  kind?: "Ingress";
  spec?: IngressSpec;
  status?: IngressStatus;
}

export interface IngressClass extends KubeObject {
  apiVersion?: "networking.k8s.io/v1";
  kind?: "IngressClass";
  spec?: { controller?: string; parameters?: Record<string, unknown> };
}

/** The annotation that makes an IngressClass the default for Ingresses without ingressClassName. */
export const DEFAULT_INGRESS_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class";
