/**
 * Chapter 02: the store, in memory, or on disk (options.dataDir, or a temp
 * folder with options.durable). With options.store "etcd-cluster" (chapter
 * 16): three real etcd members on loopback instead, and a client that
 * fails over between them.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEtcdCluster } from "../../etcd-cluster.ts";
import { EtcdStore } from "../../store/etcd-store.ts";
import type { StoreModule } from "../contracts.ts";
import type { ClusterComponent, ClusterContext } from "../types.ts";

export const storeComponent: ClusterComponent = {
  chapter: "02",
  name: "store",
  async start(ctx) {
    if (ctx.options.store === "etcd-cluster") return startOnEtcdCluster(ctx);
    const { openEmbeddedStore } = await ctx.load<StoreModule>("02-etcd/index.ts");
    const tempDir =
      ctx.options.durable && !ctx.options.dataDir ? await mkdtemp(join(tmpdir(), "k8s-workshop-store-")) : undefined;
    const dir = ctx.options.dataDir ?? tempDir;
    try {
      ctx.store = await openEmbeddedStore(dir ? { dir } : {});
    } catch (err) {
      if (tempDir) await rm(tempDir, { recursive: true, force: true });
      throw err;
    }
    const store = ctx.store;
    ctx.log(`store: ${dir ?? "in memory"}, revision ${await store.revision()}`);
    return async () => {
      await store.close();
      if (tempDir) await rm(tempDir, { recursive: true, force: true });
    };
  },
};

async function startOnEtcdCluster(ctx: ClusterContext): Promise<() => Promise<void>> {
  // Its own process group: a Ctrl-C reaches only us, and we stop etcd after its clients.
  const etcd = await startEtcdCluster({ detached: true });
  ctx.etcd = etcd;
  const store = new EtcdStore(etcd.endpoints);
  ctx.store = store;
  ctx.log(`store: etcd cluster of ${etcd.endpoints.length} members, ${etcd.endpoints.join(" ")}`);
  return async () => {
    await store.close();
    await etcd.stop();
  };
}
