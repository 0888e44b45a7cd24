/**
 * What the rollout commands share: finding a Deployment named on the command
 * line, and its ReplicaSets by owner (the revisions of its history).
 */
import type { Deployment, ReplicaSet } from "../../../shared/api/apps.ts";
import { UsageError } from "../../04-kubectl/kubectl/args.ts";
import { targetsFromArgs, type Context } from "../../04-kubectl/kubectl/context.ts";
import { toLabelSelector } from "../apiserver/selector.ts";
import { DEPLOYMENTS, REPLICA_SETS } from "../client/resources.ts";
import { REVISION } from "../deployment/revisions.ts";

/** `deployment/web` or `deployment web` (also deploy, deployments): exactly one Deployment. */
export function deploymentName(ctx: Context, args: string[], usage: string): string {
  const targets = args.length > 0 ? targetsFromArgs(ctx, args) : [];
  const [target, ...more] = targets;
  if (!target || more.length > 0 || target.names.length !== 1) throw new UsageError(`name one deployment: kubectl ${usage}`);
  if (target.info.kind !== "Deployment")
    throw new UsageError(`no rollout for a ${target.info.singular}: only deployments have revisions here (kubectl ${usage})`);
  return target.names[0]!;
}

export function getDeployment(ctx: Context, name: string): Promise<Deployment> {
  return ctx.client.resource<Deployment>(DEPLOYMENTS).get(name, ctx.namespace);
}

/** The ReplicaSets the Deployment owns (by controller reference), oldest revision first. */
export async function ownedReplicaSets(ctx: Context, d: Deployment): Promise<ReplicaSet[]> {
  const list = await ctx.client
    .resource<ReplicaSet>(REPLICA_SETS)
    .list(ctx.namespace, { labelSelector: toLabelSelector(d.spec?.selector).toString() });
  return list.items
    .filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.controller && o.uid === d.metadata?.uid))
    .sort((a, b) => revision(a) - revision(b));
}

export function revision(rs: ReplicaSet): number {
  return Number(rs.metadata?.annotations?.[REVISION] ?? "0") || 0;
}

/** Kubernetes prints apps kinds with their group: deployment.apps/web. */
export function ref(name: string): string {
  return `deployment.apps/${name}`;
}
