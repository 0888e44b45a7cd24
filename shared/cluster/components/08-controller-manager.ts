/**
 * Chapter 08: replication controllers on the apiserver (with /status and
 * /scale), and the controller manager (the replication controller and the
 * garbage collector) as a client of it.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { ClusterComponent } from "../types.ts";

type ReplicationModule = typeof import("../../../solutions/08-replication/index.ts");

export const controllerManagerComponent: ClusterComponent = {
  chapter: "08",
  name: "controller manager",
  enabled: (ctx) => existsSync(join(ctx.tree, "08-replication", "index.ts")),
  async start(ctx) {
    if (!ctx.apiserver || !ctx.url) throw new Error("the controller manager needs the apiserver of chapter 03");
    const { installReplication, startControllerManager } = await ctx.load<ReplicationModule>("08-replication/index.ts");
    installReplication(ctx.apiserver);
    const manager = await startControllerManager({ server: ctx.url, token: ctx.token, log: ctx.log });
    ctx.log("controller manager: running");
    return () => manager.stop();
  },
};
