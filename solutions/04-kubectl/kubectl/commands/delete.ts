/** kubectl delete: by name (`pod web`, `pod/web`) or by manifest (-f). */
import type { KubeObject } from "../../../../shared/api/meta.ts";
import { UsageError } from "../args.ts";
import { manifestsFromFlags, targetsFromArgs, type Context } from "../context.ts";
import { formatError } from "../errors.ts";
import type { ResourceInfo } from "../resources.ts";

export async function del(ctx: Context, args: string[]): Promise<number> {
  const victims: Array<{ info: ResourceInfo; name: string; namespace: string | undefined }> = [];
  if (ctx.flags.filenames.length > 0) {
    if (args.length > 0) throw new UsageError("give either -f or names, not both");
    for (const m of await manifestsFromFlags(ctx)) {
      victims.push({ info: m.info, name: m.object.metadata?.name ?? "", namespace: m.namespace });
    }
  } else {
    const targets = targetsFromArgs(args);
    if (targets.length === 0) throw new UsageError("You must provide one or more resources by argument or filename (kubectl delete pod NAME, or -f FILE)");
    for (const { info, names } of targets) {
      if (names.length === 0) throw new UsageError(`resource(s) were provided, but no name was specified (kubectl delete ${info.singular} NAME)`);
      for (const name of names) victims.push({ info, name, namespace: info.namespaced ? ctx.namespace : undefined });
    }
  }
  let failed = 0;
  for (const { info, name, namespace } of victims) {
    try {
      await ctx.client.resource<KubeObject>(info).delete(name, namespace);
      ctx.out(`${info.singular} "${name}" deleted\n`);
    } catch (err) {
      ctx.err(formatError(err) + "\n");
      failed++;
    }
  }
  return failed > 0 ? 1 : 0;
}
