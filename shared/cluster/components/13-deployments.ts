/**
 * Chapter 13: ReplicaSets and Deployments on the apiserver (apps/v1), and
 * their two controllers, and lifecycle hooks in every kubelet. prepare()
 * hands the controllers and the kinds for the garbage collector to the
 * controller manager (chapter 08), and a runtime wrapper that runs
 * postStart and preStop to the kubelets (chapter 05); start()
 * serves the two kinds (and PodDisruptionBudgets with pods/eviction, for
 * kubectl drain), before the controller manager's informers list them.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { DeploymentsModule } from "../contracts.ts";
import type { ClusterComponent } from "../types.ts";

export const deploymentsComponent: ClusterComponent = {
  chapter: "13",
  name: "deployments",
  after: { apiserver: "replicasets and deployments are served there" },
  enabled: (ctx) => existsSync(join(ctx.tree, "13-deployments", "index.ts")),
  async prepare(ctx) {
    const apps = await ctx.load<DeploymentsModule>("13-deployments/index.ts");
    Object.assign(ctx.controllers, apps.controllers());
    ctx.gcResources.push(...apps.gcResources);
    ctx.runtimeWrappers.push(apps.withLifecycleHooks);
  },
  async start(ctx) {
    if (!ctx.apiserver) throw new Error("deployments need the apiserver of chapter 03");
    const apps = await ctx.load<DeploymentsModule>("13-deployments/index.ts");
    apps.installApps(ctx.apiserver);
    apps.installPolicy?.(ctx.apiserver);
    ctx.log("deployments: apps/v1 replicasets and deployments, policy/v1 poddisruptionbudgets and pods/eviction served");
  },
};
