/**
 * How much CPU does the control plane spend per create, and per binding?
 * Starts the control plane (embedded durable store + apiserver, its own
 * process, as the `writes` figure does), then 64 chapter 04 clients:
 * warm-up creates and bindings (not counted), N counted creates, then N
 * counted bindings (POST pods/NAME/binding, what the scheduler sends for each
 * pod). The control plane's CPU time comes from /proc/PID/stat around each
 * counted phase, so the other jobs on a shared machine disturb it far less
 * than they disturb wall time.
 *
 *   npx tsx bench/write-cpu.ts [count] [tree root]   (default 4000, this repo)
 *
 * The tree root runs another checkout's control plane (an older commit
 * unpacked elsewhere, with node_modules linked): run the two alternately for
 * an A/B comparison on the same load. BENCH_CPU_PROF=DIR profiles it.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Pod } from "../shared/api/index.ts";
import type { startControlPlane as StartControlPlane } from "./lib/control-plane-process.ts";
import type { cleanupAll as CleanupAll } from "./lib/cleanup.ts";
import { createNamespaces, PODS, RestClient } from "./lib/client.ts";
import { benchPod, runConcurrent } from "./lib/load.ts";
import { latency } from "./lib/stats.ts";

const CLIENTS = 64;
const WARMUP = 500;

const count = Number(process.argv[2] ?? 4000);
if (!Number.isInteger(count) || count <= 0) {
  console.error(
    `usage: npx tsx bench/write-cpu.ts [count] [tree root]: count must be a positive whole number (got ${process.argv[2]})`,
  );
  process.exit(1);
}
const root = path.resolve(process.argv[3] ?? path.join(import.meta.dirname, ".."));
const load = async <T>(file: string): Promise<T> => (await import(pathToFileURL(path.join(root, file)).href)) as T;
const { startControlPlane } = await load<{ startControlPlane: typeof StartControlPlane }>("bench/lib/control-plane-process.ts");
// The same tree's cleanup list: the control plane registered itself there.
const { cleanupAll } = await load<{ cleanupAll: typeof CleanupAll }>("bench/lib/cleanup.ts");

process.once("SIGINT", () => void cleanupAll().then(() => process.exit(130)));

const binding = (pod: string, node: string) => ({
  apiVersion: "v1",
  kind: "Binding",
  metadata: { name: pod },
  target: { apiVersion: "v1", kind: "Node", name: node },
});

try {
  const cp = await startControlPlane({ kind: "embedded" });
  const client = new RestClient({ server: cp.url });
  const pods = client.resource<Pod>(PODS);
  const bind = (namespace: string, pod: string, i: number) =>
    client.request("POST", `/api/v1/namespaces/${namespace}/pods/${pod}/binding`, { body: binding(pod, `hollow-${i % 100}`) });
  await createNamespaces(client, ["bench-warmup", "bench-writes"]);
  await runConcurrent(WARMUP, CLIENTS, (i) => pods.create(benchPod(`warm-${i}`, "bench-warmup")));
  await runConcurrent(WARMUP, CLIENTS, (i) => bind("bench-warmup", `warm-${i}`, i));

  const phase = async (what: string, op: (i: number) => Promise<unknown>) => {
    const before = await cp.cpuMicros();
    const result = await runConcurrent(count, CLIENTS, op);
    const used = (await cp.cpuMicros()) - before;
    const l = latency(result.latencies);
    console.log(
      `${what}: control plane ${(used / count).toFixed(0)} µs CPU each; ${result.rate.toFixed(0)}/s, p99 ${l.p99.toFixed(1)} ms (wall clock)`,
    );
  };
  await phase("creates ", (i) => pods.create(benchPod(`pod-${i}`, "bench-writes")));
  await phase("bindings", (i) => bind("bench-writes", `pod-${i}`, i));
} finally {
  await cleanupAll();
}
