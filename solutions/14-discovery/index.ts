/**
 * Chapter 14: discovery. Pods find Services by name (cluster DNS), and
 * HTTP requests from outside find Services by host and path (Ingress).
 *
 *   dns/message.ts, decode.ts, encode.ts   the RFC 1035 wire format
 *   dns/answer.ts                          the zone cluster.local, from Services and Endpoints
 *   dns/server.ts                          UDP and TCP on one port, fed by informers (given)
 *   kubelet/resolv-conf.ts                 each pod's /etc/resolv.conf, from its dnsPolicy
 *   kubelet/pod-dns.ts                     puts that file into the pod's containers (given)
 *   apiserver/ingress.ts                   Ingress and IngressClass on the apiserver (given)
 *   ingress/match.ts                       host and path matching
 *   ingress/controller.ts                  the reverse proxy that routes by the rules (given)
 *
 * The cluster bring-up (shared/cluster/components/14-discovery.ts) takes
 * from here: withPodDns() for every kubelet's runtime, installIngress() for
 * the apiserver, startDnsServer() and startIngressController().
 * Importing this file starts and registers nothing.
 */
import type { ApiServer } from "../03-apiserver/index.ts";
import { ingressClasses, ingresses } from "./apiserver/ingress.ts";

export { ingressClasses, ingresses, validateIngress, formatHosts } from "./apiserver/ingress.ts";
export { INGRESS_CLASSES, INGRESSES } from "./client/resources.ts";
export { answer, CLUSTER_DOMAIN, readyAddresses, replyTo, soaRecord, TTL, type ClusterRecords } from "./dns/answer.ts";
export { decodeFlags, decodeMessage, readName } from "./dns/decode.ts";
export { encodeFlags, encodeMessage, encodeName } from "./dns/encode.ts";
export * from "./dns/message.ts";
export { DnsServer, handleQuery, InformerRecords, startDnsServer, truncateForUdp } from "./dns/server.ts";
export { CONTROLLER_NAME, IngressController, startIngressController } from "./ingress/controller.ts";
export { hostMatches, hostOf, pathMatches, route, type Route } from "./ingress/match.ts";
export { withPodDns, type PodDnsOptions } from "./kubelet/pod-dns.ts";
export { formatResolvConf, podResolvConf, type ClusterDns, type PodDnsConfig, type ResolvConf } from "./kubelet/resolv-conf.ts";

/** The name and namespace of the cluster DNS Service, as in Kubernetes. */
export const DNS_SERVICE = { namespace: "kube-system", name: "kube-dns" } as const;

/** Serves ingresses and ingressclasses in networking.k8s.io/v1. Again for the same server: nothing. */
export function installIngress(apiserver: ApiServer): void {
  for (const resource of [ingresses, ingressClasses]) {
    if (apiserver.registry.lookup(resource.group, resource.version, resource.plural)) continue;
    apiserver.registry.register(resource);
  }
}
