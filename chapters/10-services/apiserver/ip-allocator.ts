/**
 * Cluster IPs: a Service's virtual address, taken from the service range
 * (kube-apiserver's --service-cluster-ip-range; kubeadm sets 10.96.0.0/12 by default).
 *
 * In this workshop the range is the upper half of the cluster's own Docker
 * network (shared/cluster/network.ts keeps containers in the lower half), so
 * pods reach a cluster IP directly on their bridge, where the proxy listens.
 */
import type { Store } from "../../../shared/store/types.ts";
import { RangeAllocator, type IntRange } from "./range-allocator.ts";

/** The store prefix of allocated cluster IPs. */
export const SERVICE_IPS_PREFIX = "/registry/serviceips/";

/** Used when the cluster has no Docker network (hollow nodes): Kubernetes' default range. */
export const DEFAULT_SERVICE_CIDR = "10.96.0.0/16";

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** "10.96.0.12" is a dotted IPv4 address (no leading zeros, each part 0-255). */
export function isIPv4(value: string): boolean {
  return IPV4.test(value);
}

/** "10.96.0.12" -> 174063628: an address as one 32-bit number, so a range is a pair of numbers. */
export function ipToInt(ip: string): number {
  return ip.split(".").reduce((n, part) => n * 256 + Number(part), 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

/** "10.96.0.0/16" -> its first and last address (network and broadcast included). */
export function parseCidr(cidr: string): { first: number; last: number; prefix: number } {
  const [ip = "", bits = ""] = cidr.split("/");
  const prefix = Number(bits);
  if (!isIPv4(ip) || !/^\d+$/.test(bits) || prefix > 30) {
    throw new Error(`"${cidr}" is not an IPv4 range such as 10.96.0.0/16 (at most /30)`);
  }
  const size = 2 ** (32 - prefix);
  const first = Math.floor(ipToInt(ip) / size) * size;
  return { first, last: first + size - 1, prefix };
}

/** The cluster IPs of a CIDR: every address but the first (network) and the last (broadcast). */
export function serviceIpRange(cidr: string): IntRange {
  const { first, last } = parseCidr(cidr);
  return { first: first + 1, last: last - 1, format: intToIp, description: cidr };
}

export function newServiceIpAllocator(store: Store, cidr: string, pickStart?: (size: number) => number): RangeAllocator {
  return new RangeAllocator(store, SERVICE_IPS_PREFIX, serviceIpRange(cidr), pickStart);
}
