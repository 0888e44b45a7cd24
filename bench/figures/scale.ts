/**
 * scale: the control plane (store + apiserver, one process) holding
 * Kubernetes' documented limits, 150,000 pods on 5,000 nodes: its resident
 * memory, and the latency of listing all pods and one namespace. Pods are
 * created already bound (spec.nodeName set), so no scheduler is needed; 64
 * clients create them. Quick mode is scaled down to 15,000 pods on 500 nodes.
 *
 * Anchors, measured in the same run: the memory of the same control plane
 * empty, and for the lists the store's own read of the same keys inside the
 * control plane (no HTTP, no JSON): the ratio is what the apiserver adds.
 */
import type { Node, Pod } from "../../shared/api/index.ts";
import { createNamespaces, NODES, PODS, RestClient } from "../lib/client.ts";
import { startControlPlane, type ControlPlane } from "../lib/control-plane-process.ts";
import { benchPod, hollowNode, runConcurrent } from "../lib/load.ts";
import { median } from "../lib/stats.ts";
import { ratio, type Figure } from "../lib/types.ts";

const CLIENTS = 64;
const PODS_PER_NAMESPACE = 1_500;
const GiB = 2 ** 30;

/** Median of `runs` timings of a full list answer (the body received, not parsed), and of the store's read. */
async function timeList(client: RestClient, plane: ControlPlane, namespace: string | undefined, runs: number) {
  const path = client.resource<Pod>(PODS).path(namespace);
  const http: number[] = [];
  const store: number[] = [];
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const res = await client.send("GET", path);
    bytes = 0;
    for await (const chunk of res.body) bytes += chunk.byteLength;
    http.push(performance.now() - t0);
    store.push((await plane.storeRange(namespace ? `/registry/pods/${namespace}/` : "/registry/pods/")).ms);
  }
  return { ms: median(http), storeMs: median(store), bytes };
}

export const scaleFigure: Figure = {
  name: "scale",
  description: "memory of the control plane with 150,000 pods on 5,000 nodes; list all pods, list one namespace",
  async run(ctx) {
    const quick = ctx.mode === "quick";
    const nodeCount = quick ? 500 : 5_000;
    const podCount = quick ? 15_000 : 150_000;
    const namespaces = Array.from({ length: Math.ceil(podCount / PODS_PER_NAMESPACE) }, (_, i) => `bench-scale-${i}`);
    ctx.progress("scale: starting the control plane");
    const plane = await startControlPlane({ kind: "embedded" });
    try {
      const client = new RestClient({ server: plane.url });
      const empty = await plane.memoryAfterGc();
      await runConcurrent(
        nodeCount,
        CLIENTS,
        (i) => client.resource<Node>(NODES).create(hollowNode(`hollow-${i}`)),
        (n) => ctx.progress(`scale: ${n}/${nodeCount} nodes created`),
      );
      await createNamespaces(client, namespaces);
      const pods = client.resource<Pod>(PODS);
      const load = await runConcurrent(
        podCount,
        CLIENTS,
        (i) => pods.create(benchPod(`pod-${i}`, namespaces[i % namespaces.length]!, `hollow-${i % nodeCount}`)),
        (n) => ctx.progress(`scale: ${n}/${podCount} bound pods created`),
      );
      ctx.step(`scale: ${podCount} pods on ${nodeCount} nodes created at ${load.rate.toFixed(0)}/s`);
      const loaded = await plane.memoryAfterGc();
      const vmRss = await plane.rss();

      ctx.progress("scale: listing all pods");
      const all = await timeList(client, plane, undefined, 3);
      ctx.progress("scale: listing one namespace");
      const one = await timeList(client, plane, namespaces[0], 5);
      ctx.step(
        `scale: ${(vmRss / 2 ** 20).toFixed(0)} MiB resident; list all ${all.ms.toFixed(0)} ms, one namespace ${one.ms.toFixed(0)} ms`,
      );

      const scaled = quick ? ", SCALED DOWN (quick mode)" : "";
      const perNs = Math.ceil(podCount / namespaces.length);
      return {
        name: "scale",
        rows: [
          {
            figure: "control plane memory (RSS)",
            value: vmRss,
            unit: "bytes",
            anchor: { label: "empty", value: empty.rss, unit: "bytes" },
            ratio: ratio(vmRss, empty.rss),
            goal: "< 2 GiB",
            met: vmRss < 2 * GiB,
            note: `${podCount} pods, ${nodeCount} nodes${scaled}; heap ${(loaded.heapUsed / 2 ** 20).toFixed(0)} MiB after GC`,
          },
          {
            figure: "list all pods",
            value: all.ms,
            unit: "ms",
            anchor: { label: "store range, in-process", value: all.storeMs, unit: "ms" },
            ratio: ratio(all.ms, all.storeMs),
            goal: "",
            note: `${podCount} pods, ${(all.bytes / 2 ** 20).toFixed(0)} MiB of JSON, median of 3${scaled}`,
          },
          {
            figure: "list one namespace",
            value: one.ms,
            unit: "ms",
            anchor: { label: "store range, in-process", value: one.storeMs, unit: "ms" },
            ratio: ratio(one.ms, one.storeMs),
            goal: "< 1 s",
            met: one.ms < 1000,
            note: `${perNs} pods, median of 5`,
          },
        ],
        details: {
          nodes: nodeCount,
          pods: podCount,
          namespaces: namespaces.length,
          createRate: load.rate,
          memory: { empty, loaded, vmRss },
          listAll: all,
          listNamespace: one,
        },
      };
    } finally {
      await plane.stop();
    }
  },
};
