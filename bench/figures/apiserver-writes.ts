/**
 * apiserver writes: pod creates per second and their p99 latency with 64
 * concurrent clients, the apiserver over the embedded durable store; beside
 * it the same apiserver over a real etcd 3.4 on loopback. The control plane
 * runs in its own process; the clients (the chapter 04 RestClient) in this one.
 */
import { startControlPlane } from "../lib/control-plane-process.ts";
import { etcdAvailable, NO_ETCD, startBenchEtcd } from "../lib/etcd.ts";
import { measurePodCreates } from "../lib/pod-creates.ts";
import { ratio, type Figure } from "../lib/types.ts";

const CLIENTS = 64;
const WARMUP = 500;

export const apiserverWritesFigure: Figure = {
  name: "writes",
  description: "pod creates/s and p99 at 64 clients, embedded durable store, beside the apiserver on a real etcd",
  async run(ctx) {
    const creates = ctx.mode === "quick" ? 4_000 : 30_000;
    if (!etcdAvailable()) return { name: "writes", rows: [], details: {}, skipped: NO_ETCD };
    const load = { creates, clients: CLIENTS, warmup: WARMUP };

    ctx.progress("apiserver writes: starting the control plane (embedded durable store)");
    const embedded = await startControlPlane({ kind: "embedded" });
    const mine = await measurePodCreates(ctx, "apiserver writes: embedded store", embedded.url, load, embedded.cpuMicros).finally(
      () => embedded.stop(),
    );

    ctx.progress("apiserver writes: starting etcd and the control plane over it");
    const etcd = await startBenchEtcd();
    const overEtcd = await startControlPlane({ kind: "etcd", endpoint: etcd.endpoint });
    const theirs = await measurePodCreates(ctx, "apiserver writes: etcd 3.4", overEtcd.url, load, overEtcd.cpuMicros).finally(
      async () => {
        await overEtcd.stop();
        await etcd.stop();
      },
    );

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
          note:
            `p50 ${mine.latency.p50.toFixed(1)} ms vs ${theirs.latency.p50.toFixed(1)} ms; ` +
            `control-plane CPU per create ${mine.serverCpuPerCreateUs?.toFixed(0)} µs`,
        },
      ],
      details: { creates, clients: CLIENTS, warmup: WARMUP, embedded: mine, etcd: theirs },
    };
  },
};
