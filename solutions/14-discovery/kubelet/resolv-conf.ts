/**
 * /etc/resolv.conf for a pod: how the C library (and busybox) inside every
 * container finds a DNS server, and which suffixes it tries on a short name.
 * The kubelet writes one per pod from the pod's dnsPolicy
 * (pkg/kubelet/network/dns/dns.go in Kubernetes):
 *
 *   nameserver 172.21.128.10                                 the kube-dns Service's cluster IP
 *   search default.svc.cluster.local svc.cluster.local cluster.local
 *   options ndots:5
 *
 * "search": a name with fewer than `ndots` dots is tried with each suffix
 * first, so `web` becomes web.default.svc.cluster.local: a pod finds the
 * Services of its own namespace by their short name, and `web.other` finds
 * one in namespace "other" (web.other.svc.cluster.local).
 */
import type { Pod, PodDnsConfig } from "../../../shared/api/index.ts";

export type { PodDnsConfig };

/** What the kubelet knows of the cluster's DNS (the kubelet's --cluster-dns and --cluster-domain). */
export interface ClusterDns {
  /** The kube-dns Service's cluster IP. */
  nameserver: string;
  /** "cluster.local". */
  domain: string;
}

export interface ResolvConf {
  nameservers: string[];
  searches: string[];
  /** "ndots:5", "edns0", ... */
  options: string[];
}

/** Limits that the C library reads (glibc: 3 name servers); more would be silently ignored. */
export const MAX_NAMESERVERS = 3;
export const MAX_SEARCHES = 32;

/** The text of the file. */
export function formatResolvConf(conf: ResolvConf): string {
  const lines = conf.nameservers.map((ns) => `nameserver ${ns}`);
  if (conf.searches.length > 0) lines.push(`search ${conf.searches.join(" ")}`);
  if (conf.options.length > 0) lines.push(`options ${conf.options.join(" ")}`);
  return `${lines.join("\n")}\n`;
}

// STEP(14.4): the resolv.conf of `pod`, or undefined to leave the
// container's own (the node's). dnsPolicy ClusterFirst (the default, and
// ClusterFirstWithHostNet here; hostNetwork is not looked at: Kubernetes
// gives a hostNetwork pod with ClusterFirst the node's file; not done here) points at the cluster's DNS with the search
// list of the pod's namespace and ndots:5; Default keeps the node's; None
// uses only spec.dnsConfig. dnsConfig is added to ClusterFirst too: its
// name servers and searches after ours, without duplicates, and an option
// of the same name replaces ours. Keep at most MAX_NAMESERVERS and
// MAX_SEARCHES. Tests: "14.4 resolv.conf > ...".
export function podResolvConf(pod: Pod, cluster: ClusterDns): ResolvConf | undefined {
  //#solution
  const policy = pod.spec?.dnsPolicy ?? "ClusterFirst";
  const config: PodDnsConfig = pod.spec?.dnsConfig ?? {};
  if (policy === "Default") return undefined;
  const base: ResolvConf =
    policy === "None"
      ? { nameservers: [], searches: [], options: [] }
      : {
          nameservers: [cluster.nameserver],
          searches: [`${pod.metadata?.namespace ?? "default"}.svc.${cluster.domain}`, `svc.${cluster.domain}`, cluster.domain],
          options: ["ndots:5"],
        };
  const unique = (list: string[]) => [...new Set(list)];
  const options = new Map(base.options.map((o) => [o.split(":")[0]!, o]));
  for (const o of config.options ?? []) options.set(o.name, o.value === undefined ? o.name : `${o.name}:${o.value}`);
  return {
    nameservers: unique([...base.nameservers, ...(config.nameservers ?? [])]).slice(0, MAX_NAMESERVERS),
    searches: unique([...base.searches, ...(config.searches ?? [])]).slice(0, MAX_SEARCHES),
    options: [...options.values()],
  };
  //#end
}
