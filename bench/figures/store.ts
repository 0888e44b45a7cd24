/**
 * store: the embedded store (chapter 02, durable: every acknowledged write is
 * fsynced, batches share one fsync) against a real etcd 3.4 on loopback
 * through the adapter the apiserver uses (shared/store/etcd-store.ts). Same
 * client code, same keys and values, same durability (etcd fsyncs its WAL
 * before it answers too).
 */
import { rm } from "node:fs/promises";
import { EtcdStore } from "../../shared/store/etcd-store.ts";
import type { Store } from "../../shared/store/types.ts";
import { openEmbeddedStore } from "../../solutions/02-etcd/index.ts";
import { onCleanup, tempPath } from "../lib/cleanup.ts";
import { etcdAvailable, NO_ETCD, startBenchEtcd } from "../lib/etcd.ts";
import { benchPod, runConcurrent } from "../lib/load.ts";
import { latency, type Latency } from "../lib/stats.ts";
import { ratio, type BenchContext, type Figure } from "../lib/types.ts";

const CONCURRENCY = 64;

interface StoreFigures {
  writes: { rate: number; latency: Latency };
  reads: { rate: number; latency: Latency };
}

async function measure(ctx: BenchContext, label: string, store: Store, writes: number, reads: number): Promise<StoreFigures> {
  // A value the size of a real pod object.
  const value = JSON.stringify(benchPod("x".repeat(20), "default", "node-1"));
  const key = (i: number) => `/registry/pods/bench/pod-${i}`;
  await runConcurrent(200, CONCURRENCY, (i) => store.create(`/warmup/${i}`, value)); // JIT and connections
  const w = await runConcurrent(
    writes,
    CONCURRENCY,
    (i) => store.create(key(i), value),
    (n) => ctx.progress(`store: ${label}: ${n}/${writes} writes`),
  );
  const r = await runConcurrent(
    reads,
    CONCURRENCY,
    (i) => store.get(key(i % writes)),
    (n) => ctx.progress(`store: ${label}: ${n}/${reads} reads`),
  );
  ctx.step(`store: ${label}: ${w.rate.toFixed(0)} writes/s, ${r.rate.toFixed(0)} reads/s`);
  return { writes: { rate: w.rate, latency: latency(w.latencies) }, reads: { rate: r.rate, latency: latency(r.latencies) } };
}

export const storeFigure: Figure = {
  name: "store",
  description: "writes/s (fsync) and reads/s of the embedded store, beside a real etcd 3.4",
  async run(ctx) {
    const writes = ctx.mode === "quick" ? 3_000 : 20_000;
    const reads = ctx.mode === "quick" ? 10_000 : 100_000;
    if (!etcdAvailable()) return { name: "store", rows: [], details: {}, skipped: NO_ETCD };

    const dir = tempPath("store");
    const removeDir = onCleanup(dir, () => rm(dir, { recursive: true, force: true }));
    const embedded = await openEmbeddedStore({ dir });
    let mine: StoreFigures;
    try {
      mine = await measure(ctx, "embedded (durable)", embedded, writes, reads);
    } finally {
      await embedded.close();
      await removeDir();
    }

    const etcd = await startBenchEtcd();
    const etcdStore = new EtcdStore(etcd.endpoint);
    let theirs: StoreFigures;
    try {
      theirs = await measure(ctx, "etcd 3.4", etcdStore, writes, reads);
    } finally {
      await etcdStore.close();
      await etcd.stop();
    }

    const row = (what: "writes" | "reads", figure: string) => {
      const r = ratio(mine[what].rate, theirs[what].rate);
      return {
        figure,
        value: mine[what].rate,
        unit: "/s",
        anchor: { label: "etcd 3.4", value: theirs[what].rate, unit: "/s" },
        ratio: r,
        goal: "> etcd (ratio > 1)",
        met: r !== undefined && r > 1,
        note: `${what === "writes" ? writes : reads} ops, ${CONCURRENCY} concurrent; p99 ${mine[what].latency.p99.toFixed(1)} ms vs ${theirs[what].latency.p99.toFixed(1)} ms`,
      };
    };
    return {
      name: "store",
      rows: [row("writes", "store writes (fsync)"), row("reads", "store reads")],
      details: { writes, reads, concurrency: CONCURRENCY, embedded: mine, etcd: theirs },
    };
  },
};
