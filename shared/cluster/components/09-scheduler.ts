/**
 * Chapter 09: the scheduler places pods on nodes. From here on the naive
 * binder of chapter 05 is retired: two components binding the same pods
 * would race.
 */
import { startControlPlaneComponent } from "../control-plane.ts";
import type { SchedulerModule } from "../contracts.ts";
import type { ClusterComponent } from "../types.ts";

export const schedulerComponent: ClusterComponent = {
  chapter: "09",
  name: "scheduler",
  after: {
    apiserver: "it watches pods and nodes there",
    "secrets and access control": "it sends its token from its first request",
  },
  replaces: ["naive binder"],
  async start(ctx) {
    if (!ctx.url) throw new Error("the scheduler needs the apiserver of chapter 03");
    const { startScheduler } = await ctx.load<SchedulerModule>("09-scheduler/index.ts");
    // Once (or, from chapter 16, as leader-elected replicas).
    const scheduler = await startControlPlaneComponent(ctx, "scheduler", "kube-scheduler", (server) =>
      startScheduler({
        server,
        token: ctx.token,
        onError: (err: Error) => ctx.log(`scheduler: ${err.message}`),
      }),
    );
    return () => scheduler.stop();
  },
};
