/**
 * How the bring-up starts a control-plane component that may run as
 * replicas: through ctx.controlPlaneWrapper when a chapter set one (16:
 * leader election), else once. The components of chapters 08 and 09 call
 * this instead of their start function, so they need no change when the
 * wrapper comes in.
 */
import type { Stoppable } from "./contracts.ts";
import type { ClusterContext } from "./types.ts";

export async function startControlPlaneComponent(
  ctx: ClusterContext,
  component: string,
  leaseName: string,
  start: (server: string) => Promise<Stoppable>,
): Promise<Stoppable> {
  if (!ctx.url) throw new Error(`the ${component} needs the apiserver of chapter 03`);
  if (!ctx.controlPlaneWrapper) return start(ctx.url);
  const replicated = await ctx.controlPlaneWrapper(leaseName, start);
  ctx.replicas[component] = replicated.replicas ?? [];
  return replicated;
}
