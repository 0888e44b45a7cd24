/**
 * The cluster's own Docker bridge network. Every pause container attaches to
 * it, so pods get their addresses there (and reach each other directly, as
 * pods do in Kubernetes). One per cluster, labelled, removed on close.
 */
import type Docker from "dockerode";

export const CLUSTER_LABEL = "k8s-workshop.cluster";

export async function createClusterNetwork(docker: Docker, id: string, labels: Record<string, string>): Promise<string> {
  const name = `k8s-workshop-${id}`;
  await docker.createNetwork({ Name: name, Driver: "bridge", CheckDuplicate: true, Labels: labels });
  return name;
}

/** Removes every container and network carrying this cluster's label. */
export async function removeClusterObjects(docker: Docker, id: string): Promise<void> {
  const filter = { label: [`${CLUSTER_LABEL}=${id}`] };
  const containers = await docker.listContainers({ all: true, filters: filter });
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {})));
  const networks = await docker.listNetworks({ filters: filter });
  for (const n of networks) await docker.getNetwork(n.Id).remove().catch(() => {});
}
