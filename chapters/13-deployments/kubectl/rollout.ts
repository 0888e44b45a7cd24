/**
 * kubectl rollout status | history | undo | pause | resume, for Deployments.
 *
 *   kubectl rollout status deployment/web --timeout=90s
 *   kubectl rollout history deployment/web [--revision=2]
 *   kubectl rollout undo deployment/web [--to-revision=1]
 *   kubectl rollout pause deployment/web
 *   kubectl rollout resume deployment/web
 *
 * All of them are client side, as in Kubernetes: the controller knows
 * nothing of "undo". An undo copies an old ReplicaSet's pod template back
 * into the Deployment; the controller then sees a template it already has a
 * ReplicaSet for, and scales that one up again under a new revision number.
 */
import type { Deployment, DeploymentStatus } from "../../../shared/api/apps.ts";
import { UsageError } from "../../04-kubectl/kubectl/args.ts";
import type { Context } from "../../04-kubectl/kubectl/context.ts";
import { watch } from "../../04-kubectl/client/watch.ts";
import { parseDuration } from "../../08-replication/kubectl/rolling-update.ts";
import { DEPLOYMENTS } from "../client/resources.ts";
import { CHANGE_CAUSE, withoutHash } from "../deployment/revisions.ts";
import { deploymentName, getDeployment, ownedReplicaSets, ref, revision } from "./deployments.ts";

const USAGE = "rollout status|history|undo|pause|resume deployment/NAME";

export async function rollout(ctx: Context, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const usage = `rollout ${sub ?? "SUBCOMMAND"} deployment/NAME`;
  switch (sub) {
    case "status":
      return status(ctx, deploymentName(ctx, rest, usage));
    case "history":
      return history(ctx, deploymentName(ctx, rest, usage));
    case "undo":
      return undo(ctx, deploymentName(ctx, rest, usage));
    case "pause":
      return setPaused(ctx, deploymentName(ctx, rest, usage), true);
    case "resume":
      return setPaused(ctx, deploymentName(ctx, rest, usage), false);
    default:
      throw new UsageError(`unknown rollout subcommand "${sub ?? ""}" (kubectl ${USAGE})`);
  }
}

/**
 * Where a rollout stands, in kubectl's words; `done` when it is complete.
 * The order of the checks is Kubernetes' (DeploymentStatusViewer): a
 * status the controller has not computed for this generation says nothing.
 */
export function rolloutState(d: Deployment): { done: boolean; message: string; failed?: boolean } {
  const name = d.metadata?.name ?? "";
  const s: Partial<DeploymentStatus> = d.status ?? {};
  if ((s.observedGeneration ?? 0) < (d.metadata?.generation ?? 1))
    return { done: false, message: "Waiting for deployment spec update to be observed...\n" };
  const progressing = s.conditions?.find((c) => c.type === "Progressing");
  if (progressing?.reason === "ProgressDeadlineExceeded")
    return { done: false, failed: true, message: `deployment "${name}" exceeded its progress deadline` };
  const wanted = d.spec?.replicas ?? 1;
  const updated = s.updatedReplicas ?? 0;
  const waiting = `Waiting for deployment "${name}" rollout to finish: `;
  if (updated < wanted)
    return { done: false, message: `${waiting}${updated} out of ${wanted} new replicas have been updated...\n` };
  if ((s.replicas ?? 0) > updated)
    return { done: false, message: `${waiting}${(s.replicas ?? 0) - updated} old replicas are pending termination...\n` };
  if ((s.availableReplicas ?? 0) < updated)
    return { done: false, message: `${waiting}${s.availableReplicas ?? 0} of ${updated} updated replicas are available...\n` };
  return { done: true, message: `deployment "${name}" successfully rolled out\n` };
}

/** Watches the Deployment until its rollout is complete, fails, or --timeout passes. */
async function status(ctx: Context, name: string): Promise<number> {
  const timeout = ctx.flags.extra.timeout;
  const timeoutMs = typeof timeout === "string" && timeout !== "0s" && timeout !== "0" ? parseDuration(timeout, "timeout") : 0;
  const first = await getDeployment(ctx, name);
  let last = "";
  const show = (d: Deployment): boolean => {
    const state = rolloutState(d);
    if (state.failed) throw new Error(state.message);
    if (state.message !== last) ctx.out(state.message);
    last = state.message;
    return state.done;
  };
  if (show(first)) return 0;
  return new Promise<number>((resolve, reject) => {
    const timer =
      timeoutMs > 0 ? setTimeout(() => finish(new Error("timed out waiting for the condition")), timeoutMs) : undefined;
    const onAbort = () => finish(undefined, 1);
    ctx.io.signal?.addEventListener("abort", onAbort, { once: true });
    const w = watch(ctx.client.resource<Deployment>(DEPLOYMENTS), {
      namespace: ctx.namespace,
      resourceVersion: first.metadata?.resourceVersion,
      fieldSelector: `metadata.name=${name}`,
      onEvent: (e) => {
        if (e.type === "DELETED") return finish(new Error(`deployment "${name}" was deleted`));
        try {
          if (show(e.object)) finish(undefined, 0);
        } catch (err) {
          finish(err as Error);
        }
      },
      onGone: () => finish(new Error(`the watch of deployment "${name}" expired; run the command again`)),
    });
    let finished = false;
    function finish(err: Error | undefined, code = 1): void {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      ctx.io.signal?.removeEventListener("abort", onAbort);
      void w.stop().then(() => (err ? reject(err) : resolve(code)));
    }
  });
}

/** REVISION and CHANGE-CAUSE per ReplicaSet; with --revision=N, that revision's pod template. */
async function history(ctx: Context, name: string): Promise<number> {
  const d = await getDeployment(ctx, name);
  const sets = await ownedReplicaSets(ctx, d);
  const wanted = ctx.flags.extra.revision;
  if (typeof wanted === "string" && wanted !== "0") {
    const rs = sets.find((s) => String(revision(s)) === wanted);
    if (!rs) throw new Error(`unable to find the specified revision ${wanted}`);
    const t = rs.spec?.template;
    const lines = [`${ref(name)} with revision #${wanted}`, "Pod Template:"];
    const labels = Object.entries(t?.metadata?.labels ?? {}).filter(([k]) => k !== "pod-template-hash");
    lines.push(`  Labels:\t${labels.map(([k, v]) => `${k}=${v}`).join("\n\t") || "<none>"}`, "  Containers:");
    for (const c of t?.spec?.containers ?? []) lines.push(`   ${c.name}:`, `    Image:\t${c.image ?? ""}`);
    ctx.out(lines.join("\n") + "\n");
    return 0;
  }
  const rows = sets
    .filter((rs) => revision(rs) > 0)
    .map((rs) => [String(revision(rs)), rs.metadata?.annotations?.[CHANGE_CAUSE] ?? "<none>"]);
  const width = Math.max("REVISION".length, ...rows.map((r) => r[0]!.length)) + 2;
  ctx.out(`${ref(name)} \n${"REVISION".padEnd(width)}CHANGE-CAUSE\n`);
  for (const [rev, cause] of rows) ctx.out(`${rev!.padEnd(width)}${cause}\n`);
  ctx.out("\n");
  return 0;
}

/** Copies the pod template of revision N (default: the one before the current) back into the Deployment. */
async function undo(ctx: Context, name: string): Promise<number> {
  const d = await getDeployment(ctx, name);
  if (d.spec?.paused)
    throw new Error(
      `you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume ${ref(name)}' and try again`,
    );
  const sets = await ownedReplicaSets(ctx, d);
  const raw = ctx.flags.extra["to-revision"];
  const to = typeof raw === "string" ? Number(raw) : 0;
  if (!Number.isSafeInteger(to) || to < 0) throw new UsageError(`--to-revision must be a revision number, not "${String(raw)}"`);
  const withRevision = sets.filter((rs) => revision(rs) > 0);
  let target;
  if (to > 0) {
    target = withRevision.find((rs) => revision(rs) === to);
    if (!target) throw new Error(`unable to find specified revision ${to} in history`);
  } else {
    // The newest revision is the current one; the one before it is the target.
    target = withRevision.at(-2);
    if (!target) throw new Error(`no rollout history found for ${ref(name)}`);
  }
  const template = withoutHash(target.spec?.template);
  if (JSON.stringify(template) === JSON.stringify(withoutHash(d.spec?.template))) {
    ctx.out(`${ref(name)} skipped rollback (current template already matches revision ${revision(target)})\n`);
    return 0;
  }
  // A whole update with the resourceVersion we read: a change made since is a 409, not overwritten.
  await ctx.client.resource<Deployment>(DEPLOYMENTS).update({ ...d, spec: { ...d.spec, template } });
  ctx.out(`${ref(name)} rolled back\n`);
  return 0;
}

async function setPaused(ctx: Context, name: string, paused: boolean): Promise<number> {
  const d = await getDeployment(ctx, name);
  if (Boolean(d.spec?.paused) === paused)
    throw new Error(`deployments.apps "${name}" ${paused ? "is already paused" : "is not paused"}`);
  await ctx.client.resource<Deployment>(DEPLOYMENTS).patch(name, { spec: { paused } }, ctx.namespace);
  ctx.out(`${ref(name)} ${paused ? "paused" : "resumed"}\n`);
  return 0;
}
