/**
 * The kubelet's summary of one node: CPU and memory of every running
 * container there, read from the Docker engine's stats.
 *
 * In Kubernetes the kubelet gets these figures from the container runtime
 * (and cAdvisor) and serves them at /stats/summary and /metrics/resource;
 * metrics-server scrapes every kubelet. Here all nodes share one engine,
 * so the summary of node-2 is the stats of the containers that carry the
 * label k8s-workshop.node=node-2 (and this cluster's label).
 *
 * CPU: the engine reports a counter of CPU time used (nanoseconds since the
 * container started), sampled twice about a second apart (cpu_stats and
 * precpu_stats, taken at `read` and `preread`). The rate is
 *
 *   nanocores = (usage now - usage before) / (seconds between the samples)
 *
 * Memory: the working set, as cAdvisor computes it: usage minus the
 * inactive page cache (file data the kernel can drop at once). It is the
 * figure the kubelet uses for memory-pressure eviction.
 */
import type Docker from "dockerode";
import {
  LABEL_CONTAINER_NAME,
  LABEL_NODE,
  LABEL_POD_NAME,
  LABEL_POD_NAMESPACE,
  LABEL_POD_UID,
} from "../../05-pods/kubelet/containers.ts";
import type { ContainerStats } from "./types.ts";

/** The parts of the engine's stats answer this file reads (GET /containers/{id}/stats?stream=false). */
interface EngineStats {
  read?: string;
  preread?: string;
  cpu_stats?: { cpu_usage?: { total_usage?: number } };
  precpu_stats?: { cpu_usage?: { total_usage?: number } };
  memory_stats?: { usage?: number; stats?: Record<string, number> };
}

/** Figures from one stats answer; undefined when the engine had only one sample. */
export function fromEngineStats(
  stats: EngineStats,
): { usageNanoCores: number; workingSetBytes: number; time: number; windowMs: number } | undefined {
  const time = Date.parse(stats.read ?? "");
  const before = Date.parse(stats.preread ?? "");
  const now = stats.cpu_stats?.cpu_usage?.total_usage;
  const then = stats.precpu_stats?.cpu_usage?.total_usage;
  // A first sample has preread "0001-01-01T00:00:00Z" and no precpu usage.
  if (!Number.isFinite(time) || !Number.isFinite(before) || before <= 0 || now === undefined || then === undefined)
    return undefined;
  const windowMs = time - before;
  if (windowMs <= 0) return undefined;
  const usageNanoCores = (Math.max(0, now - then) * 1000) / windowMs;
  const memory = stats.memory_stats ?? {};
  // cgroup v1 names it total_inactive_file, cgroup v2 inactive_file.
  const inactive = memory.stats?.total_inactive_file ?? memory.stats?.inactive_file ?? 0;
  const workingSetBytes = Math.max(0, (memory.usage ?? 0) - inactive);
  return { usageNanoCores, workingSetBytes, time, windowMs };
}

/** The stats of every running container of this node in this cluster. */
export async function nodeSummary(
  docker: Docker,
  node: string,
  clusterLabels: Record<string, string>,
): Promise<ContainerStats[]> {
  const label = [`${LABEL_NODE}=${node}`, ...Object.entries(clusterLabels).map(([k, v]) => `${k}=${v}`)];
  const containers = await docker.listContainers({ filters: { label, status: ["running"] } });
  const all = await Promise.all(
    containers.map(async (c): Promise<ContainerStats | undefined> => {
      let stats: EngineStats;
      try {
        stats = (await docker.getContainer(c.Id).stats({ stream: false })) as EngineStats;
      } catch {
        return undefined; // removed between the list and the stats
      }
      const figures = fromEngineStats(stats);
      if (!figures) return undefined;
      return {
        namespace: c.Labels[LABEL_POD_NAMESPACE] ?? "",
        pod: c.Labels[LABEL_POD_NAME] ?? "",
        podUid: c.Labels[LABEL_POD_UID] ?? "",
        container: c.Labels[LABEL_CONTAINER_NAME] ?? "",
        ...figures,
      };
    }),
  );
  return all.filter((s): s is ContainerStats => s !== undefined);
}
