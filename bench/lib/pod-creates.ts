/**
 * The write loop of the apiserver figures (writes, ha-writes): pod creates
 * through one apiserver by concurrent clients, after a warm-up (JIT,
 * connections, the store's first files) that is not counted.
 */
import type { Pod } from "../../shared/api/index.ts";
import { createNamespaces, PODS, RestClient } from "./client.ts";
import { benchPod, runConcurrent } from "./load.ts";
import { latency, type Latency } from "./stats.ts";
import type { BenchContext } from "./types.ts";

export interface PodCreatesOptions {
  /** Counted creates. */
  creates: number;
  /** Concurrent clients, each sending its next create when its last one is answered. */
  clients: number;
  /** Creates before the counted ones, in their own namespace. */
  warmup: number;
}

/**
 * Creates/s and latency; `title` starts the progress lines ("ha writes: 3-member etcd").
 * With `serverCpu` (the control plane's CPU time in µs, see cpuMicros()), also
 * the CPU per counted create of the server and of this process (the clients).
 */
export async function measurePodCreates(
  ctx: BenchContext,
  title: string,
  url: string,
  { creates, clients, warmup }: PodCreatesOptions,
  serverCpu?: () => Promise<number>,
): Promise<{ rate: number; latency: Latency; serverCpuPerCreateUs?: number; clientCpuPerCreateUs?: number }> {
  const client = new RestClient({ server: url });
  const pods = client.resource<Pod>(PODS);
  await createNamespaces(client, ["bench-warmup", "bench-writes"]);
  await runConcurrent(warmup, clients, (i) => pods.create(benchPod(`warm-${i}`, "bench-warmup")));
  const serverBefore = await serverCpu?.();
  const clientBefore = process.cpuUsage();
  const result = await runConcurrent(
    creates,
    clients,
    (i) => pods.create(benchPod(`pod-${i}`, "bench-writes")),
    (n) => ctx.progress(`${title}: ${n}/${creates} pods created`),
  );
  const clientUsed = process.cpuUsage(clientBefore);
  const serverAfter = await serverCpu?.();
  const l = latency(result.latencies);
  const clientCpuPerCreateUs = (clientUsed.user + clientUsed.system) / creates;
  const serverCpuPerCreateUs =
    serverBefore !== undefined && serverAfter !== undefined ? (serverAfter - serverBefore) / creates : undefined;
  const cpu =
    serverCpuPerCreateUs === undefined
      ? ""
      : `; CPU per create: server ${serverCpuPerCreateUs.toFixed(0)} µs, clients ${clientCpuPerCreateUs.toFixed(0)} µs`;
  ctx.step(`${title}: ${result.rate.toFixed(0)} creates/s, p99 ${l.p99.toFixed(1)} ms${cpu}`);
  return { rate: result.rate, latency: l, serverCpuPerCreateUs, clientCpuPerCreateUs };
}
