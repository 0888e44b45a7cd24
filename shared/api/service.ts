/**
 * The types of chapter 10: Service and Endpoints (core/v1).
 *
 * A Service is a stable name and address in front of a changing set of pods:
 * "the pods labelled app=web, on port 80, reachable at 10.96.0.12:8000". The
 * apiserver gives it a cluster IP; the endpoints controller writes down which
 * pods are behind it (an Endpoints object of the same name); the proxy on
 * every node forwards connections to them.
 */
import type { IntOrString } from "./core.ts";
import type { KubeObject } from "./meta.ts";

export type ServiceType = "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName";

export interface ServicePort {
  /** Required when the Service has more than one port; a DNS label ("http"). */
  name?: string;
  /** Only TCP is proxied in this workshop. Default TCP. */
  protocol?: "TCP" | "UDP" | "SCTP";
  /** The port clients connect to, on the cluster IP. */
  port: number;
  /** The pods' port: a number, or the name of a container port ("http"). Default: `port`. */
  targetPort?: IntOrString;
  /** type NodePort: the port on every node (here: 127.0.0.1), 30000-32767. Allocated when left out. */
  nodePort?: number;
  appProtocol?: string;
}

export interface ServiceSpec {
  /** Which pods are behind the Service. Without a selector, nobody writes its Endpoints (you may). */
  selector?: Record<string, string>;
  ports?: ServicePort[];
  /** Allocated by the apiserver when left out; "None" makes a headless Service (no proxying). */
  clusterIP?: string;
  clusterIPs?: string[];
  /** Default ClusterIP. */
  type?: ServiceType;
  /** Only "None" here (ClientIP affinity is not implemented). */
  sessionAffinity?: "None" | "ClientIP";
  externalName?: string;
  externalIPs?: string[];
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
  internalTrafficPolicy?: string;
  externalTrafficPolicy?: string;
  publishNotReadyAddresses?: boolean;
}

export interface ServiceStatus {
  loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] };
}

export interface Service extends KubeObject {
  apiVersion?: "v1";
  kind?: "Service";
  spec?: ServiceSpec;
  status?: ServiceStatus;
}

/** Who is behind one address: the pod, by reference. */
export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: { kind?: string; namespace?: string; name?: string; uid?: string; resourceVersion?: string };
}

export interface EndpointPort {
  /** The Service port's name (the proxy matches them by name). */
  name?: string;
  port: number;
  protocol?: "TCP" | "UDP" | "SCTP";
  appProtocol?: string;
}

/**
 * A set of addresses that all serve the same ports. Ready pods are in
 * `addresses` (the proxy uses only these), the others in `notReadyAddresses`.
 */
export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

/** The pods behind a Service, written by the endpoints controller; same name and namespace as the Service. */
export interface Endpoints extends KubeObject {
  apiVersion?: "v1";
  kind?: "Endpoints";
  subsets?: EndpointSubset[];
}
