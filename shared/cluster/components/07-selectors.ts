/**
 * Chapter 07: label and field selectors on the apiserver's lists and watches.
 *
 * Once the pods' field selector spec.nodeName is served, each kubelet
 * watches only the pods of its own node, as the real kubelet does, instead of
 * every pod in the cluster.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { ClusterComponent } from "../types.ts";

type LabelsModule = { installSelectors(apiserver: NonNullable<import("../types.ts").ClusterContext["apiserver"]>): void };

export const selectorsComponent: ClusterComponent = {
  chapter: "07",
  name: "selectors",
  enabled: (ctx) => existsSync(join(ctx.tree, "07-labels", "index.ts")),
  async prepare(ctx) {
    ctx.kubelet.podFieldSelector = true;
  },
  async start(ctx) {
    const { installSelectors } = await ctx.load<LabelsModule>("07-labels/index.ts");
    installSelectors(ctx.apiserver!);
  },
};
