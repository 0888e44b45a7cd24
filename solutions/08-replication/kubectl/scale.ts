/**
 * kubectl scale: set the wanted replica count through the scale subresource.
 *
 *   kubectl scale rc web --replicas=3
 *   kubectl scale rc/web rc/api --replicas=0
 *   kubectl scale rc web --replicas=3 --current-replicas=2   # only if it is 2 now
 *
 * It reads the Scale, checks the precondition, and writes it back with the
 * resourceVersion it read: if someone scaled in between, the write is
 * refused (409) and, without a precondition, it reads and tries again.
 */
import { isApiError } from "../../../shared/api/index.ts";
import { UsageError } from "../../04-kubectl/kubectl/args.ts";
import { manifestsFromFlags, targetsFromArgs, type Context } from "../../04-kubectl/kubectl/context.ts";
import { formatError } from "../../04-kubectl/kubectl/errors.ts";
import { ScaleClient } from "../client/resources.ts";

function countFlag(ctx: Context, name: string): number | undefined {
  const raw = ctx.flags.extra[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== "string" || !/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n)) {
    throw new UsageError(`--${name} must be a whole number >= 0, not "${String(raw)}"`);
  }
  return n;
}

export async function scale(ctx: Context, args: string[]): Promise<number> {
  const replicas = countFlag(ctx, "replicas");
  if (replicas === undefined)
    throw new UsageError('required flag(s) "replicas" not set (kubectl scale rc NAME --replicas=COUNT)');
  const current = countFlag(ctx, "current-replicas");

  const targets: Array<{ kind: string; singular: string; name: string; namespace: string }> = [];
  if (ctx.flags.filenames.length > 0) {
    for (const m of await manifestsFromFlags(ctx))
      targets.push({
        kind: m.info.kind,
        singular: m.info.singular,
        name: m.object.metadata?.name ?? "",
        namespace: m.namespace ?? ctx.namespace,
      });
  } else {
    for (const { info, names } of targetsFromArgs(ctx, args)) {
      if (names.length === 0)
        throw new UsageError(`name the ${info.singular} to scale: kubectl scale ${info.singular} NAME --replicas=${replicas}`);
      for (const name of names) targets.push({ kind: info.kind, singular: info.singular, name, namespace: ctx.namespace });
    }
  }
  if (targets.length === 0)
    throw new UsageError(
      "You must provide one or more resources by argument or filename (kubectl scale rc NAME --replicas=COUNT)",
    );

  const scales = new ScaleClient(ctx.client);
  let failed = 0;
  for (const t of targets) {
    try {
      if (t.kind !== "ReplicationController")
        throw new UsageError(`cannot scale a ${t.singular}: only replication controllers have a scale subresource here`);
      for (let attempt = 0; ; attempt++) {
        const s = await scales.get(t.name, t.namespace);
        if (current !== undefined && s.spec?.replicas !== current) {
          throw new UsageError(`Expected replicas to be ${current}, was ${s.spec?.replicas ?? 0}`);
        }
        try {
          await scales.update({ ...s, spec: { replicas } });
          break;
        } catch (err) {
          if (!isApiError(err, "Conflict") || attempt >= 5) throw err;
        }
      }
      ctx.out(`${t.singular}/${t.name} scaled\n`);
    } catch (err) {
      ctx.err(formatError(err) + "\n");
      failed++;
    }
  }
  return failed > 0 ? 1 : 0;
}
