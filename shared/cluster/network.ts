/**
 * The cluster's own Docker bridge network. Every pause container attaches to
 * it, so pods get their addresses there (and reach each other directly, as
 * pods do in Kubernetes). One per cluster, labelled, removed on close.
 *
 * Containers get addresses from the LOWER half of its subnet only (Docker's
 * ip-range): the upper half is where chapter 10 takes Services' cluster IPs
 * from, so Docker never gives a container an address a Service has.
 */
import type Docker from "dockerode";
import { removeLabelled } from "../docker.ts";

export const CLUSTER_LABEL = "k8s-workshop.cluster";

export async function createClusterNetwork(docker: Docker, id: string, labels: Record<string, string>): Promise<string> {
  const name = `k8s-workshop-${id}`;
  // Docker picks a free subnet only for a network created without one: create
  // it, read the subnet, and create it again on that subnet with the ip-range.
  for (let attempt = 1; ; attempt++) {
    const probe = await docker.createNetwork({ Name: name, Driver: "bridge", CheckDuplicate: true, Labels: labels });
    const ipam = (await probe.inspect()).IPAM?.Config?.[0] as { Subnet?: string; Gateway?: string } | undefined;
    const range = ipam?.Subnet ? lowerHalf(ipam.Subnet) : undefined;
    if (!range) return name; // not an IPv4 subnet we can split: keep Docker's network as it is
    await probe.remove();
    try {
      await docker.createNetwork({
        Name: name,
        Driver: "bridge",
        CheckDuplicate: true,
        Labels: labels,
        IPAM: { Driver: "default", Config: [{ Subnet: ipam!.Subnet!, Gateway: ipam!.Gateway, IPRange: range }] },
      });
      return name;
    } catch (err) {
      // Another network took the subnet in between: start over.
      if (attempt >= 3) throw err;
    }
  }
}

/** "172.21.0.0/16" -> "172.21.0.0/17"; undefined for anything but an IPv4 subnet of /8 to /28. */
export function lowerHalf(subnet: string): string | undefined {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(subnet);
  const bits = Number(m?.[2]);
  return m && bits >= 8 && bits <= 28 ? `${m[1]}/${bits + 1}` : undefined;
}

/** Removes every container and network carrying this cluster's label. */
export async function removeClusterObjects(docker: Docker, id: string): Promise<void> {
  await removeLabelled(docker, CLUSTER_LABEL, id);
}
