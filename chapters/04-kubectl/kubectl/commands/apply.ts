/**
 * kubectl apply -f: make the cluster match the manifests, whether the
 * objects exist or not ("declarative": say what you want, not what to do).
 *
 *   absent   -> create it, with the manifest saved in the annotation
 *               kubectl.kubernetes.io/last-applied-configuration   "created"
 *   present  -> three-way merge patch (merge-patch.ts) from the saved
 *               manifest, the new one and the live object; empty patch:
 *               "unchanged", else PATCH it: "configured"
 */
import type { KubeObject } from "../../../../shared/api/meta.ts";
import { isApiError } from "../../client/rest.ts";
import { UsageError } from "../args.ts";
import { manifestsFromFlags, type Context, type ResolvedManifest } from "../context.ts";
import { formatError } from "../errors.ts";
import { lastApplied, threeWayMergePatch, withLastApplied, type JsonObject } from "../merge-patch.ts";

export async function apply(ctx: Context, args: string[]): Promise<number> {
  if (ctx.flags.filenames.length === 0) throw new UsageError("must specify -f (kubectl apply -f FILE)");
  if (args.length > 0) throw new UsageError(`unexpected arguments: ${args.join(" ")} (kubectl apply -f FILE)`);
  let failed = 0;
  for (const m of await manifestsFromFlags(ctx)) {
    try {
      const result = await applyOne(ctx, m);
      ctx.out(`${m.info.singular}/${m.object.metadata?.name} ${result}\n`);
    } catch (err) {
      ctx.err(formatError(err) + "\n");
      failed++;
    }
  }
  return failed > 0 ? 1 : 0;
}

export async function applyOne(ctx: Context, m: ResolvedManifest): Promise<"created" | "configured" | "unchanged"> {
  const name = m.object.metadata?.name;
  if (!name) throw new UsageError(`${m.source}:${m.line}: apply needs metadata.name (generateName only works with create)`);
  const resource = ctx.client.resource<KubeObject>(m.info);
  const modified = withLastApplied(m.object);
  let live: KubeObject;
  try {
    live = await resource.get(name, m.namespace);
  } catch (err) {
    if (!isApiError(err, "NotFound")) throw err;
    await resource.create(modified, m.namespace);
    return "created";
  }
  const current = live as JsonObject;
  const patch = threeWayMergePatch(lastApplied(current), modified, current);
  if (Object.keys(patch).length === 0) return "unchanged";
  await resource.patch(name, patch, m.namespace);
  return "configured";
}
