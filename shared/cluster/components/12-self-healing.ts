/**
 * Chapter 12: probes in every kubelet, and the node lifecycle controller in
 * the controller manager. Both are values this component hands over in
 * prepare(), before anything starts: the kubelets and the controller
 * manager take them from the context. options.nodeLifecycle tunes the
 * controller (tests shorten the 40 s grace period and the 300 s eviction
 * timeout to seconds).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { SelfHealingModule } from "../contracts.ts";
import type { ClusterComponent } from "../types.ts";

export const selfHealingComponent: ClusterComponent = {
  chapter: "12",
  name: "self-healing",
  enabled: (ctx) => existsSync(join(ctx.tree, "12-self-healing", "index.ts")),
  async prepare(ctx) {
    const healing = await ctx.load<SelfHealingModule>("12-self-healing/index.ts");
    ctx.kubeletExtensions.push(healing.kubeletExtensions());
    Object.assign(ctx.controllers, healing.controllers(ctx.options.nodeLifecycle ?? {}));
  },
  async start(ctx) {
    const o = ctx.options.nodeLifecycle ?? {};
    ctx.log(
      `self-healing: probes in every kubelet; node lifecycle controller (grace ${(o.nodeMonitorGracePeriodMs ?? 40_000) / 1000}s, eviction after ${(o.podEvictionTimeoutMs ?? 300_000) / 1000}s)`,
    );
  },
};
