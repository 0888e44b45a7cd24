/**
 * raft: pod creates per second through the apiserver on chapter 17's Raft
 * store (three replicas on loopback, each saving to its own folder with an
 * fsync before it answers), beside the same apiserver on chapter 02's
 * embedded durable store. Both run in this process, with the same clients.
 * The gap is the price of replication: a write waits for a majority, and
 * every replica fsyncs its whole Raft state (raft/storage.ts is simple,
 * not fast).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Pod } from "../../shared/api/index.ts";
import type { Store } from "../../shared/store/types.ts";
import { openEmbeddedStore } from "../../solutions/02-etcd/index.ts";
import { startApiServer } from "../../solutions/03-apiserver/index.ts";
import { startRaftCluster } from "../../solutions/17-consensus/server/cluster.ts";
import { onCleanup } from "../lib/cleanup.ts";
import { createNamespaces, PODS, RestClient } from "../lib/client.ts";
import { benchPod, runConcurrent } from "../lib/load.ts";
import { latency, type Latency } from "../lib/stats.ts";
import { ratio, type BenchContext, type Figure } from "../lib/types.ts";

const CLIENTS = 16;

async function measure(
  ctx: BenchContext,
  label: string,
  store: Store,
  creates: number,
): Promise<{ rate: number; latency: Latency }> {
  const apiserver = await startApiServer({ store, host: "127.0.0.1", port: 0 });
  try {
    const client = new RestClient({ server: apiserver.url });
    const pods = client.resource<Pod>(PODS);
    await createNamespaces(client, ["bench-warmup", "bench-raft"]);
    await runConcurrent(100, CLIENTS, (i) => pods.create(benchPod(`warm-${i}`, "bench-warmup")));
    const result = await runConcurrent(
      creates,
      CLIENTS,
      (i) => pods.create(benchPod(`pod-${i}`, "bench-raft")),
      (n) => ctx.progress(`raft: ${label}: ${n}/${creates} pods created`),
    );
    const l = latency(result.latencies);
    ctx.step(`raft: ${label}: ${result.rate.toFixed(0)} creates/s, p99 ${l.p99.toFixed(1)} ms`);
    return { rate: result.rate, latency: l };
  } finally {
    await apiserver.close();
  }
}

export const raftFigure: Figure = {
  name: "raft",
  description: "pod creates/s through the apiserver on the Raft store (3 replicas), beside the embedded durable store",
  async run(ctx) {
    const creates = ctx.mode === "quick" ? 500 : 3_000;

    const dir = await mkdtemp(join(tmpdir(), "k8s-workshop-bench-raft-"));
    const removeDir = onCleanup(dir, () => rm(dir, { recursive: true, force: true }));
    const embedded = await openEmbeddedStore({ dir });
    const single = await measure(ctx, "embedded store", embedded, creates).finally(async () => {
      await embedded.close();
      await removeDir();
    });

    ctx.progress("raft: starting three replicas");
    const raft = await startRaftCluster();
    const stopRaft = onCleanup("raft replicas", () => raft.close());
    let replicated: { rate: number; latency: Latency };
    try {
      const deadline = Date.now() + 15_000;
      while (!raft.leader() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      replicated = await measure(ctx, "Raft, 3 replicas", raft.store, creates);
    } finally {
      await stopRaft();
    }

    const note = `${creates} creates, ${CLIENTS} clients, one process`;
    return {
      name: "raft",
      rows: [
        {
          figure: "apiserver creates on Raft",
          value: replicated.rate,
          unit: "/s",
          anchor: { label: "on the embedded store", value: single.rate, unit: "/s" },
          ratio: ratio(replicated.rate, single.rate),
          goal: "(no goal: the cost of three copies)",
          note,
        },
        {
          figure: "apiserver create p99 on Raft",
          value: replicated.latency.p99,
          unit: "ms",
          anchor: { label: "on the embedded store", value: single.latency.p99, unit: "ms" },
          ratio: ratio(replicated.latency.p99, single.latency.p99),
          goal: "(no goal)",
          note,
        },
      ],
      details: { creates, clients: CLIENTS, embedded: single, raft: replicated },
    };
  },
};
