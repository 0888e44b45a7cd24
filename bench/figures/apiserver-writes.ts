/**
 * apiserver writes: pod creates per second and their p99 latency with 64
 * concurrent clients, the apiserver over the embedded durable store; beside
 * it the same apiserver over a real etcd 3.4 on loopback. The control plane
 * runs in its own process; the clients (the chapter 04 RestClient) in this one.
 */
import type { Pod } from "../../shared/api/index.ts";
import { createNamespaces, PODS, RestClient } from "../lib/client.ts";
import { startControlPlane } from "../lib/control-plane-process.ts";
import { etcdAvailable, NO_ETCD, startBenchEtcd } from "../lib/etcd.ts";
import { benchPod, runConcurrent } from "../lib/load.ts";
import { latency, type Latency } from "../lib/stats.ts";
import { ratio, type BenchContext, type Figure } from "../lib/types.ts";

const CLIENTS = 64;
const WARMUP = 500;

async function measure(
  ctx: BenchContext,
  label: string,
  url: string,
  creates: number,
): Promise<{ rate: number; latency: Latency }> {
  const client = new RestClient({ server: url });
  const pods = client.resource<Pod>(PODS);
  await createNamespaces(client, ["bench-warmup", "bench-writes"]);
  await runConcurrent(WARMUP, CLIENTS, (i) => pods.create(benchPod(`warm-${i}`, "bench-warmup")));
  const result = await runConcurrent(
    creates,
    CLIENTS,
    (i) => pods.create(benchPod(`pod-${i}`, "bench-writes")),
    (n) => ctx.progress(`apiserver writes: ${label}: ${n}/${creates} pods created`),
  );
  const l = latency(result.latencies);
  ctx.step(`apiserver writes: ${label}: ${result.rate.toFixed(0)} creates/s, p99 ${l.p99.toFixed(1)} ms`);
  return { rate: result.rate, latency: l };
}

export const apiserverWritesFigure: Figure = {
  name: "writes",
  description: "pod creates/s and p99 at 64 clients, embedded durable store, beside the apiserver on a real etcd",
  async run(ctx) {
    const creates = ctx.mode === "quick" ? 4_000 : 30_000;
    if (!etcdAvailable()) return { name: "writes", rows: [], details: {}, skipped: NO_ETCD };

    ctx.progress("apiserver writes: starting the control plane (embedded durable store)");
    const embedded = await startControlPlane({ kind: "embedded" });
    const mine = await measure(ctx, "embedded store", embedded.url, creates).finally(() => embedded.stop());

    ctx.progress("apiserver writes: starting etcd and the control plane over it");
    const etcd = await startBenchEtcd();
    const overEtcd = await startControlPlane({ kind: "etcd", endpoint: etcd.endpoint });
    const theirs = await measure(ctx, "etcd 3.4", overEtcd.url, creates).finally(async () => {
      await overEtcd.stop();
      await etcd.stop();
    });

    const r = ratio(mine.rate, theirs.rate);
    const note = `${creates} creates, ${CLIENTS} clients`;
    return {
      name: "writes",
      rows: [
        {
          figure: "apiserver pod creates",
          value: mine.rate,
          unit: "/s",
          anchor: { label: "on etcd 3.4", value: theirs.rate, unit: "/s" },
          ratio: r,
          goal: ">= 3,000/s and >= 1.5x etcd",
          met: mine.rate >= 3000 && r !== undefined && r >= 1.5,
          note,
        },
        {
          figure: "apiserver create p99",
          value: mine.latency.p99,
          unit: "ms",
          anchor: { label: "on etcd 3.4", value: theirs.latency.p99, unit: "ms" },
          ratio: ratio(mine.latency.p99, theirs.latency.p99),
          goal: "< 25 ms (Kubernetes SLO: < 1 s)",
          met: mine.latency.p99 < 25,
          note: `p50 ${mine.latency.p50.toFixed(1)} ms vs ${theirs.latency.p50.toFixed(1)} ms`,
        },
      ],
      details: { creates, clients: CLIENTS, warmup: WARMUP, embedded: mine, etcd: theirs },
    };
  },
};
