/**
 * ha writes (chapter 16): pod creates per second through the apiserver on a
 * three-member etcd cluster, beside the same apiserver on the single
 * embedded durable store. A write to the cluster is acknowledged once a
 * majority (2 of 3) has it on disk: one more network round trip and one
 * more fsync than a single member, which is the price of surviving a lost
 * member. The control plane runs in its own process; the clients in this one.
 */
import { startControlPlane } from "../lib/control-plane-process.ts";
import { etcdAvailable, NO_ETCD, startBenchEtcdCluster } from "../lib/etcd.ts";
import { measurePodCreates } from "../lib/pod-creates.ts";
import { ratio, type Figure } from "../lib/types.ts";

const CLIENTS = 64;
const WARMUP = 300;

export const haWritesFigure: Figure = {
  name: "ha-writes",
  description: "pod creates/s at 64 clients, apiserver on a 3-member etcd cluster, beside the embedded durable store",
  async run(ctx) {
    const creates = ctx.mode === "quick" ? 2_000 : 20_000;
    if (!etcdAvailable()) return { name: "ha-writes", rows: [], details: {}, skipped: NO_ETCD };
    const load = { creates, clients: CLIENTS, warmup: WARMUP };

    ctx.progress("ha writes: starting three etcd members and the control plane over them");
    const etcd = await startBenchEtcdCluster();
    const overCluster = await startControlPlane({ kind: "etcd-cluster", endpoints: etcd.endpoints });
    const cluster = await measurePodCreates(ctx, "ha writes: 3-member etcd", overCluster.url, load).finally(async () => {
      await overCluster.stop();
      await etcd.stop();
    });

    ctx.progress("ha writes: starting the control plane (embedded durable store)");
    const embedded = await startControlPlane({ kind: "embedded" });
    const single = await measurePodCreates(ctx, "ha writes: embedded store", embedded.url, load).finally(() => embedded.stop());

    return {
      name: "ha-writes",
      rows: [
        {
          figure: "apiserver creates on 3 etcd members",
          value: cluster.rate,
          unit: "/s",
          anchor: { label: "on the embedded store", value: single.rate, unit: "/s" },
          ratio: ratio(cluster.rate, single.rate),
          goal: "none: the price of a quorum, recorded",
          note: `${creates} creates, ${CLIENTS} clients; p99 ${cluster.latency.p99.toFixed(1)} ms vs ${single.latency.p99.toFixed(1)} ms`,
        },
      ],
      details: { creates, clients: CLIENTS, warmup: WARMUP, etcdCluster: cluster, embedded: single },
    };
  },
};
