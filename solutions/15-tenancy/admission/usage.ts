/**
 * What one object costs a namespace, in the resource names of a quota:
 *
 *   a pod        pods=1, requests.cpu, requests.memory, limits.cpu, limits.memory
 *                (the sums over its containers; a pod that has finished costs nothing)
 *   a service    services=1        a secret     secrets=1        a config map   configmaps=1
 *
 * CPU is counted in thousandths of a core and memory in bytes, so that sums
 * are whole numbers; formatQuantity() turns them back into "500m" or "64Mi".
 */
import type { Pod } from "../../../shared/api/index.ts";
import { cpuMillis, memoryBytes } from "../../../shared/api/quantity.ts";
import type { ResourceList } from "../../../shared/api/tenancy.ts";

export type Usage = Map<string, number>;

/** The kinds a quota counts, by plural, with the name of their count in a quota. */
export const COUNTED: Readonly<Record<string, string>> = {
  pods: "pods",
  services: "services",
  secrets: "secrets",
  configmaps: "configmaps",
};

const COMPUTE = ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"] as const;

/** The numeric value of a quota resource: cpu in millicores, memory in bytes, counts as they are. */
export function quantityValue(resource: string, q: string | number): number {
  if (resource.endsWith(".cpu") || resource === "cpu") return cpuMillis(q);
  if (resource.endsWith(".memory") || resource === "memory") return memoryBytes(q);
  return Math.ceil(Number(q));
}

/** The inverse of quantityValue, in the shortest exact form: 1500 millicores -> "1500m", 2000 -> "2", 64 MiB -> "64Mi". */
export function formatQuantity(resource: string, value: number): string {
  if (resource.endsWith(".cpu") || resource === "cpu") return value % 1000 === 0 ? String(value / 1000) : `${value}m`;
  if (resource.endsWith(".memory") || resource === "memory") {
    for (const [suffix, size] of [
      ["Gi", 2 ** 30],
      ["Mi", 2 ** 20],
      ["Ki", 2 ** 10],
    ] as const)
      if (value !== 0 && value % size === 0) return `${value / size}${suffix}`;
  }
  return String(value);
}

/** What an object of this kind costs. */
export function usageOf(plural: string, obj: unknown): Usage {
  const usage: Usage = new Map();
  const count = COUNTED[plural];
  if (!count) return usage;
  if (plural === "pods") {
    const pod = obj as Pod;
    const phase = pod.status?.phase;
    if (phase === "Succeeded" || phase === "Failed") return usage;
    for (const resource of COMPUTE) usage.set(resource, 0);
    for (const c of pod.spec?.containers ?? []) {
      for (const resource of COMPUTE) {
        const [kind, name] = resource.split(".") as ["requests" | "limits", string];
        const q = c.resources?.[kind]?.[name];
        if (q !== undefined) usage.set(resource, usage.get(resource)! + quantityValue(resource, q));
      }
    }
  }
  usage.set(count, 1);
  return usage;
}

/** The sum of several usages, restricted to the resources of `hard`. */
export function sumUsage(usages: Iterable<Usage>, hard: ResourceList): Usage {
  const total: Usage = new Map(Object.keys(hard).map((r) => [r, 0]));
  for (const usage of usages) for (const [r, v] of usage) if (total.has(r)) total.set(r, total.get(r)! + v);
  return total;
}

/** A Usage as a quota's status.used, with formatted quantities. */
export function toResourceList(usage: Usage): ResourceList {
  return Object.fromEntries([...usage].sort(([a], [b]) => (a < b ? -1 : 1)).map(([r, v]) => [r, formatQuantity(r, v)]));
}
