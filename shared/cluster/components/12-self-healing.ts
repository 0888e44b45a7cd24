/**
 * Chapter 12: probes in every kubelet, and the node lifecycle controller in
 * the controller manager.
 *
 * This component comes before the controller manager in the list: its
 * start() registers the controller (registerController, chapter 08's
 * extension point), and the controller manager, started next, runs every
 * registered controller. options.nodeLifecycle tunes it (tests shorten the
 * 40 s grace period and the 300 s eviction timeout to seconds).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { ClusterComponent } from "../types.ts";

type SelfHealingModule = typeof import("../../../solutions/12-self-healing/index.ts");

export const selfHealingComponent: ClusterComponent = {
  chapter: "12",
  name: "self-healing",
  enabled: (ctx) => existsSync(join(ctx.tree, "12-self-healing", "index.ts")),
  async prepare(ctx) {
    const healing = await ctx.load<SelfHealingModule>("12-self-healing/index.ts");
    ctx.kubelet.probes = healing.probeManager();
  },
  async start(ctx) {
    const healing = await ctx.load<SelfHealingModule>("12-self-healing/index.ts");
    healing.installNodeLifecycle(ctx.options.nodeLifecycle);
    const o = ctx.options.nodeLifecycle ?? {};
    ctx.log(`self-healing: probes in every kubelet; node lifecycle controller (grace ${(o.nodeMonitorGracePeriodMs ?? 40_000) / 1000}s, eviction after ${(o.podEvictionTimeoutMs ?? 300_000) / 1000}s)`);
  },
};
