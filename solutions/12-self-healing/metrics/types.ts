/**
 * The kinds of metrics.k8s.io/v1beta1, as metrics-server serves them and
 * `kubectl top` reads them. Quantities are strings: CPU in nanocores
 * ("250000000n" is a quarter of a core), memory in KiB ("10240Ki").
 */
import type { ObjectMeta } from "../../../shared/api/index.ts";

export type ResourceUsage = { cpu: string; memory: string };

export interface NodeMetrics {
  apiVersion: "metrics.k8s.io/v1beta1";
  kind: "NodeMetrics";
  metadata: ObjectMeta;
  /** When the figures were measured (the end of the window). */
  timestamp: string;
  /** Over how long the CPU rate was measured, a duration such as "1.05s". */
  window: string;
  usage: ResourceUsage;
}

export interface ContainerMetrics {
  name: string;
  usage: ResourceUsage;
}

export interface PodMetrics {
  apiVersion: "metrics.k8s.io/v1beta1";
  kind: "PodMetrics";
  metadata: ObjectMeta;
  timestamp: string;
  window: string;
  containers: ContainerMetrics[];
}

/** One container's figures, as the kubelet's summary reports them. */
export interface ContainerStats {
  namespace: string;
  pod: string;
  podUid: string;
  container: string;
  /** CPU use over the window, in nanocores (1e9 = one whole core). */
  usageNanoCores: number;
  /** Memory that cannot be given back at once: usage minus inactive file cache (cAdvisor's working set). */
  workingSetBytes: number;
  /** When the second CPU sample was taken (ms), and the time between the two samples (ms). */
  time: number;
  windowMs: number;
}

/** CPU and memory as the API writes them. */
export function usage(nanoCores: number, bytes: number): ResourceUsage {
  return { cpu: `${Math.max(0, Math.round(nanoCores))}n`, memory: `${Math.max(0, Math.round(bytes / 1024))}Ki` };
}
