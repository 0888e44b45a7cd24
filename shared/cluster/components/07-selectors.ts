/**
 * Chapter 07: label and field selectors on the apiserver's lists and watches.
 *
 * Once the pods' field selector spec.nodeName is served, each kubelet
 * watches only the pods of its own node, as the real kubelet does, instead of
 * every pod in the cluster.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { LabelsModule } from "../contracts.ts";
import type { ClusterComponent } from "../types.ts";

export const selectorsComponent: ClusterComponent = {
  chapter: "07",
  name: "selectors",
  after: { apiserver: "it adds list and watch filters to the apiserver" },
  enabled: (ctx) => existsSync(join(ctx.tree, "07-labels", "index.ts")),
  async prepare(ctx) {
    const labels = await ctx.load<LabelsModule>("07-labels/index.ts");
    ctx.kubeletExtensions.push(labels.kubeletExtensions());
  },
  async start(ctx) {
    if (!ctx.apiserver) throw new Error("selectors need the apiserver of chapter 03");
    const { installSelectors } = await ctx.load<LabelsModule>("07-labels/index.ts");
    installSelectors(ctx.apiserver);
  },
};
