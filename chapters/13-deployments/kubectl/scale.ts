/**
 * kubectl scale deployment web --replicas=4 (also deployment/web, replicaset/NAME).
 *
 * The same scale subresource as chapter 08's replication controllers, under
 * apps/v1. Any other kind goes on to chapter 08's scale command, which this
 * one replaces in the command table (a later plugin wins a name).
 */
import type { Scale } from "../../../shared/api/replication.ts";
import { isApiError } from "../../../shared/api/index.ts";
import { UsageError } from "../../04-kubectl/kubectl/args.ts";
import { targetsFromArgs, type Context } from "../../04-kubectl/kubectl/context.ts";
import { formatError } from "../../04-kubectl/kubectl/errors.ts";
import { scale as scaleOtherKinds } from "../../08-replication/kubectl/scale.ts";
import { DEPLOYMENTS, REPLICA_SETS } from "../client/resources.ts";

const APPS_KINDS = new Map([
  ["Deployment", DEPLOYMENTS],
  ["ReplicaSet", REPLICA_SETS],
]);

export async function scale(ctx: Context, args: string[]): Promise<number> {
  const targets = ctx.flags.filenames.length > 0 ? [] : targetsFromArgs(ctx, args);
  if (targets.length === 0 || targets.some((t) => !APPS_KINDS.has(t.info.kind))) return scaleOtherKinds(ctx, args);
  const raw = ctx.flags.extra.replicas;
  if (raw === undefined)
    throw new UsageError('required flag(s) "replicas" not set (kubectl scale deployment NAME --replicas=COUNT)');
  if (typeof raw !== "string" || !/^\d+$/.test(raw.trim()))
    throw new UsageError(`--replicas must be a whole number >= 0, not "${String(raw)}"`);
  const replicas = Number(raw);
  let failed = 0;
  for (const t of targets) {
    if (t.names.length === 0)
      throw new UsageError(`name the ${t.info.singular} to scale: kubectl scale ${t.info.singular} NAME --replicas=${replicas}`);
    const path = (name: string) => ctx.client.resource(APPS_KINDS.get(t.info.kind)!).path(ctx.namespace, name, "scale");
    for (const name of t.names) {
      try {
        // Read, set, write with the resourceVersion read; another writer in between is a 409: read again.
        for (let attempt = 0; ; attempt++) {
          const s = await ctx.client.request<Scale>("GET", path(name));
          try {
            await ctx.client.request<Scale>("PUT", path(name), { body: { ...s, spec: { replicas } } });
            break;
          } catch (err) {
            if (!isApiError(err, "Conflict") || attempt >= 5) throw err;
          }
        }
        ctx.out(`${t.info.singular}.apps/${name} scaled\n`);
      } catch (err) {
        ctx.err(formatError(err) + "\n");
        failed++;
      }
    }
  }
  return failed > 0 ? 1 : 0;
}
