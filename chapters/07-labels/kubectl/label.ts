/**
 * kubectl label and kubectl annotate:
 *
 *   kubectl label pod web tier=frontend           add (refused if tier has another value)
 *   kubectl label pod web tier=backend --overwrite
 *   kubectl label pod web tier-                   remove
 *   kubectl label pods -l app=web tier=frontend   every pod the selector picks
 *   kubectl annotate pod web owner="team blue"
 *
 * Labels identify and select: keep them short and meaningful (app, tier,
 * env, version). Annotations carry everything else a tool or a person wants
 * to attach, which is never used to select: a description, a git commit, a
 * URL, kubectl apply's last-applied-configuration (a whole JSON document).
 * That is why annotation values have no length or character rules here,
 * while label values do.
 */
import type { KubeObject } from "../../../shared/api/meta.ts";
import { UsageError } from "../../04-kubectl/kubectl/args.ts";
import { targetsFromArgs, type Context } from "../../04-kubectl/kubectl/context.ts";
import { formatError } from "../../04-kubectl/kubectl/errors.ts";
import type { ResourceInfo } from "../../04-kubectl/kubectl/resources.ts";
import { entryWord, planChanges, splitChangeArgs, type MetadataMap } from "./metadata-changes.ts";

/** The objects to change: named ones, or with -l every object the server selects. */
async function objectsToChange(
  ctx: Context,
  objects: string[],
): Promise<Array<{ info: ResourceInfo; name: string; namespace: string | undefined }>> {
  const targets = targetsFromArgs(ctx, objects);
  if (targets.length === 0)
    throw new UsageError("name the objects to change: kubectl label pod web KEY=VALUE (or pods -l SELECTOR KEY=VALUE)");
  const found: Array<{ info: ResourceInfo; name: string; namespace: string | undefined }> = [];
  for (const { info, names } of targets) {
    const namespace = info.namespaced ? ctx.namespace : undefined;
    if (ctx.flags.selector !== undefined) {
      if (names.length > 0) throw new UsageError("name cannot be provided when a selector is specified");
      const list = await ctx.client.resource<KubeObject>(info).list(namespace, { labelSelector: ctx.flags.selector });
      found.push(...list.items.map((o) => ({ info, name: o.metadata?.name ?? "", namespace })));
    } else {
      if (names.length === 0)
        throw new UsageError(
          `resource(s) were provided, but no name was specified (kubectl label ${info.singular} NAME KEY=VALUE, or -l SELECTOR)`,
        );
      found.push(...names.map((name) => ({ info, name, namespace })));
    }
  }
  return found;
}

/** The command for one map: `label` edits metadata.labels, `annotate` metadata.annotations. */
export function metadataCommand(map: MetadataMap) {
  const done = map === "labels" ? "labeled" : "annotated";
  return async (ctx: Context, args: string[]): Promise<number> => {
    const { objects, changes } = splitChangeArgs(args, map);
    const found = await objectsToChange(ctx, objects);
    if (found.length === 0) ctx.err(`No resources found in ${ctx.namespace} namespace.\n`);
    let failed = 0;
    for (const { info, name, namespace } of found) {
      const resource = ctx.client.resource<KubeObject>(info);
      try {
        const current = await resource.get(name, namespace);
        const plan = planChanges(current.metadata?.[map], changes, ctx.flags.overwrite);
        for (const key of plan.missing) ctx.err(`${entryWord(map)} "${key}" not found.\n`);
        const changed = Object.keys(plan.patch).length > 0;
        if (changed) await resource.patch(name, { metadata: { [map]: plan.patch } }, namespace);
        ctx.out(`${info.singular}/${name} ${changed ? done : `not ${done}`}\n`);
      } catch (err) {
        ctx.err(formatError(err) + "\n");
        failed++;
      }
    }
    return failed > 0 ? 1 : 0;
  };
}
