/** kubectl create -f: POST every object of the manifests; an existing one is an error. */
import type { KubeObject } from "../../../../shared/api/meta.ts";
import { UsageError } from "../args.ts";
import { manifestsFromFlags, type Context } from "../context.ts";
import { formatError } from "../errors.ts";

export async function create(ctx: Context, args: string[]): Promise<number> {
  if (ctx.flags.filenames.length === 0) throw new UsageError("must specify one of -f and -k (kubectl create -f FILE)");
  if (args.length > 0) throw new UsageError(`unexpected arguments: ${args.join(" ")} (kubectl create -f FILE)`);
  let failed = 0;
  for (const m of await manifestsFromFlags(ctx)) {
    try {
      const created = await ctx.client.resource<KubeObject>(m.info).create(m.object, m.namespace);
      ctx.out(`${m.info.singular}/${created.metadata?.name ?? m.object.metadata?.name} created\n`);
    } catch (err) {
      ctx.err(formatError(err) + "\n");
      failed++;
    }
  }
  return failed > 0 ? 1 : 0;
}
