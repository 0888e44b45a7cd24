/**
 * Chapter 13: ReplicaSets and Deployments on the apiserver (apps/v1), and
 * their two controllers in the controller manager.
 *
 * It comes before the controller manager in the list: start() serves the
 * resources and registers the controllers, and the controller manager,
 * started next, runs every registered controller.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { ClusterComponent } from "../types.ts";

type DeploymentsModule = typeof import("../../../solutions/13-deployments/index.ts");

export const deploymentsComponent: ClusterComponent = {
  chapter: "13",
  name: "deployments",
  enabled: (ctx) => existsSync(join(ctx.tree, "13-deployments", "index.ts")),
  async start(ctx) {
    if (!ctx.apiserver) throw new Error("deployments need the apiserver of chapter 03");
    const apps = await ctx.load<DeploymentsModule>("13-deployments/index.ts");
    apps.installApps(ctx.apiserver);
    apps.installDeploymentControllers();
    ctx.log("deployments: apps/v1 served; replicaset and deployment controllers registered");
  },
};
