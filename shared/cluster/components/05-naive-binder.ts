/**
 * Until a scheduler runs, the naive binder (shared/naive-binder.ts) puts pods
 * on nodes. Chapter 09's scheduler component retires it with
 * `replaces: ["naive binder"]`.
 */
import { startNaiveBinder } from "../../naive-binder.ts";
import type { ClusterComponent } from "../types.ts";

export const naiveBinderComponent: ClusterComponent = {
  chapter: "05",
  name: "naive binder",
  after: { kubelets: "it binds pods to the nodes the kubelets registered" },
  async start(ctx) {
    const binder = startNaiveBinder({ server: ctx.url!, token: ctx.token, log: ctx.log });
    return () => binder.stop();
  },
};
