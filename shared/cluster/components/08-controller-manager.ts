/**
 * Chapter 08: replication controllers on the apiserver (with /status and
 * /scale), and the controller manager as a client of it. It runs chapter
 * 08's controllers (replication, garbage collector) plus those that later
 * chapters' components put in ctx.controllers during prepare() (10:
 * endpoints, 12: node lifecycle); the garbage collector also watches the
 * kinds in ctx.gcResources.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { startControlPlaneComponent } from "../control-plane.ts";
import type { ReplicationModule } from "../contracts.ts";
import type { ClusterComponent } from "../types.ts";

export const controllerManagerComponent: ClusterComponent = {
  chapter: "08",
  name: "controller manager",
  after: {
    apiserver: "its informers list and watch there",
    "secrets and access control": "it sends its token from its first request",
    services: "the endpoints controller's informers need services and endpoints served",
    deployments: "the deployment controllers' informers need replicasets and deployments served",
  },
  enabled: (ctx) => existsSync(join(ctx.tree, "08-replication", "index.ts")),
  async start(ctx) {
    if (!ctx.apiserver || !ctx.url) throw new Error("the controller manager needs the apiserver of chapter 03");
    const replication = await ctx.load<ReplicationModule>("08-replication/index.ts");
    replication.installReplication(ctx.apiserver);
    const controllers = { ...replication.controllers({ gcResources: ctx.gcResources }), ...ctx.controllers };
    // Once (or, from chapter 16, as leader-elected replicas).
    const manager = await startControlPlaneComponent(ctx, "controller manager", "kube-controller-manager", (server) =>
      replication.startControllerManager({ server, token: ctx.token, controllers, log: ctx.log }),
    );
    ctx.log(`controller manager: running ${Object.keys(controllers).join(", ")}`);
    return () => manager.stop();
  },
};
