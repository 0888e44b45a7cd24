/** Chapter 02: the store, in memory, or on disk (options.dataDir, or a temp folder with options.durable). */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StoreModule } from "../contracts.ts";
import type { ClusterComponent } from "../types.ts";

export const storeComponent: ClusterComponent = {
  chapter: "02",
  name: "store",
  async start(ctx) {
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
