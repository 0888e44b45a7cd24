/**
 * How much a pod asks for. The scheduler only ever looks at REQUESTS (what a
 * container is guaranteed), never at limits or at real usage: a node is
 * "full" when the requests of its pods add up to its allocatable.
 *
 *   pod request = max( sum of the containers,  the largest init container )
 *
 * (init containers run one after another, before the others, so only the
 * largest of them matters.) CPU is counted in millicores, memory in bytes,
 * anything else ("nvidia.com/gpu", "ephemeral-storage") as a plain number.
 */
import type { Container, Pod, ResourceList } from "../../../shared/api/index.ts";
import { cpuMillis, memoryBytes, parseQuantity } from "../../../shared/api/quantity.ts";

/** Amounts by resource name: "cpu" in millicores, "memory" in bytes, others as numbers. */
export type Resources = Record<string, number>;

/** What kube-scheduler assumes for a container that requests nothing, when it SCORES (never when it filters). */
export const DEFAULT_MILLI_CPU_REQUEST = 100; // 0.1 core
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024; // 200Mi

/** One quantity in the unit the scheduler counts that resource in. */
export function quantityOf(resource: string, value: string | number): number {
  if (resource === "cpu") return cpuMillis(value);
  if (resource === "memory") return memoryBytes(value);
  return parseQuantity(value);
}

/** A ResourceList ("cpu": "500m", "memory": "1Gi") as numbers; a malformed quantity is an Error naming it. */
export function toResources(list: ResourceList | undefined): Resources {
  const out: Resources = {};
  for (const [name, value] of Object.entries(list ?? {})) {
    try {
      out[name] = quantityOf(name, value);
    } catch (err) {
      throw new Error(`${name}: ${(err as Error).message}`);
    }
  }
  return out;
}

function containerRequests(c: Container, nonZero: boolean): Resources {
  const r = toResources(c.resources?.requests);
  if (nonZero) {
    r.cpu ||= DEFAULT_MILLI_CPU_REQUEST;
    r.memory ||= DEFAULT_MEMORY_REQUEST;
  }
  return r;
}

/**
 * The pod's requests. With `nonZero`, a container that asks for no CPU or
 * memory counts as 100m / 200Mi: scoring would otherwise see a node full of
 * best-effort pods as empty.
 */
export function podRequests(pod: Pod, { nonZero = false } = {}): Resources {
  const total: Resources = {};
  for (const c of pod.spec?.containers ?? []) {
    for (const [name, v] of Object.entries(containerRequests(c, nonZero))) total[name] = (total[name] ?? 0) + v;
  }
  for (const c of pod.spec?.initContainers ?? []) {
    for (const [name, v] of Object.entries(containerRequests(c, nonZero))) total[name] = Math.max(total[name] ?? 0, v);
  }
  return total;
}

/** A node's allocatable (what pods may use), falling back to its capacity. "pods" defaults to 110 like the kubelet. */
export function nodeAllocatable(list: ResourceList | undefined): Resources {
  const r = toResources(list);
  r.pods ??= 110;
  return r;
}
