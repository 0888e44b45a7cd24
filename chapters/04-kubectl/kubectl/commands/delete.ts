/** kubectl delete: by name (`pod web`, `pod/web`), by manifest (-f) or by selector (`pods -l app=web`). */
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
    const targets = targetsFromArgs(ctx, args);
    if (targets.length === 0)
      throw new UsageError(
        "You must provide one or more resources by argument or filename (kubectl delete pod NAME, or -f FILE)",
      );
    const selected = ctx.flags.selector !== undefined || ctx.flags.fieldSelector !== undefined;
    for (const { info, names } of targets) {
      const namespace = info.namespaced ? ctx.namespace : undefined;
      if (selected) {
        // -l / --field-selector: delete what the server selects (chapter 07 makes it filter).
        if (names.length > 0) throw new UsageError("name cannot be provided when a selector is specified");
        const list = await ctx.client
          .resource<KubeObject>(info)
          .list(namespace, { labelSelector: ctx.flags.selector, fieldSelector: ctx.flags.fieldSelector });
        for (const o of list.items) victims.push({ info, name: o.metadata?.name ?? "", namespace });
        continue;
      }
      if (names.length === 0)
        throw new UsageError(
          `resource(s) were provided, but no name was specified (kubectl delete ${info.singular} NAME, or -l SELECTOR)`,
        );
      for (const name of names) victims.push({ info, name, namespace });
    }
    if (selected && victims.length === 0) ctx.err("No resources found\n");
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
