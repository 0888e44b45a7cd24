/**
 * Chapter 09: the scheduler places pods on nodes. From here on the naive
 * binder of chapter 05 is retired: two components binding the same pods
 * would race.
 */
import type { ClusterComponent } from "../types.ts";

type SchedulerModule = typeof import("../../../solutions/09-scheduler/index.ts");

export const schedulerComponent: ClusterComponent = {
  chapter: "09",
  name: "scheduler",
  replaces: ["naive binder"],
  async start(ctx) {
    const { startScheduler } = await ctx.load<SchedulerModule>("09-scheduler/index.ts");
    const scheduler = await startScheduler({ server: ctx.url!, token: ctx.token, onError: (err: Error) => ctx.log(`scheduler: ${err.message}`) });
    return () => scheduler.stop();
  },
};
