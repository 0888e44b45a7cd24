/**
 * Chapter 12: a metrics server and metrics.k8s.io/v1beta1 on the apiserver,
 * so that `kubectl top nodes` and `kubectl top pods` work. It reads the
 * Docker engine's stats of this cluster's containers; with hollow nodes
 * (FakeRuntime) there is nothing to measure and it does not start.
 * options.metricsResolutionMs shortens how long a scrape is reused.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { connectDocker } from "../../docker.ts";
import type { SelfHealingModule } from "../contracts.ts";
import type { ClusterComponent } from "../types.ts";

export const metricsComponent: ClusterComponent = {
  chapter: "12",
  name: "metrics",
  after: { kubelets: "it measures the containers of their pods" },
  enabled: (ctx) => existsSync(join(ctx.tree, "12-self-healing", "index.ts")) && ctx.options.runtime !== "fake",
  async start(ctx) {
    if (!ctx.apiserver) throw new Error("the metrics API needs the apiserver of chapter 03");
    const healing = await ctx.load<SelfHealingModule>("12-self-healing/index.ts");
    if (!healing.installMetrics) return;
    healing.installMetrics(ctx.apiserver, {
      docker: connectDocker(),
      labels: ctx.labels,
      resolutionMs: ctx.options.metricsResolutionMs,
    });
    ctx.log("metrics: metrics.k8s.io/v1beta1 served (kubectl top)");
  },
};
