/** Load generation: N operations by C concurrent workers, with progress and per-operation latency. */
import type { Node, Pod } from "../../shared/api/index.ts";

export interface LoadResult {
  /** Wall time of the whole run. */
  ms: number;
  /** Operations per second. */
  rate: number;
  /** Latency of each operation, in milliseconds, in completion order. */
  latencies: Float64Array;
}

/**
 * Runs op(0) ... op(total - 1) with `concurrency` workers, each starting its
 * next operation when its last one is answered (a closed loop, like N clients).
 */
export async function runConcurrent(
  total: number,
  concurrency: number,
  op: (i: number) => Promise<unknown>,
  progress?: (done: number) => void,
): Promise<LoadResult> {
  const latencies = new Float64Array(total);
  let next = 0;
  let done = 0;
  const start = performance.now();
  let lastReport = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        await op(i);
        const t1 = performance.now();
        latencies[done++] = t1 - t0;
        if (progress && t1 - lastReport > 250) {
          lastReport = t1;
          progress(done);
        }
      }
    }),
  );
  const ms = performance.now() - start;
  return { ms, rate: (total * 1000) / ms, latencies };
}

/**
 * A small pod like the ones the benchmarks create (busybox sleeping),
 * optionally already bound to a node. It requests 100m CPU and 64Mi unless
 * told not to (a real kubelet's node offers only 4 CPUs: 40 such pods).
 */
export function benchPod(name: string, namespace: string, nodeName?: string, requests = true): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace, labels: { app: "bench", "k8s-workshop.bench": "true" } },
    spec: {
      nodeName,
      containers: [
        {
          name: "app",
          image: "busybox:latest",
          command: ["sleep", "3600"],
          resources: requests ? { requests: { cpu: "100m", memory: "64Mi" } } : undefined,
        },
      ],
    },
  };
}

/** A hollow node: a Node object with capacity and a Ready condition, and no kubelet behind it. */
export function hollowNode(name: string): Node {
  const resources = { cpu: "8", memory: "32Gi", pods: "110" };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { "kubernetes.io/hostname": name, "topology.kubernetes.io/zone": `zone-${name.length % 3}` } },
    status: { capacity: resources, allocatable: resources, conditions: [{ type: "Ready", status: "True" }] },
  };
}
