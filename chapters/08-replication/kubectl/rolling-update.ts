/**
 * kubectl rolling-update (the classic command, removed from the real kubectl
 * in 1.18 in favour of Deployments):
 *
 *   kubectl rolling-update web web-v2 --image=busybox:1.36         same pods, another image
 *   kubectl rolling-update web -f web-v2.yaml                       a whole new RC
 *   kubectl rolling-update web -f web-v2.yaml --update-period=2s
 */
import { UsageError } from "../../04-kubectl/kubectl/args.ts";
import { manifestsFromFlags, type Context } from "../../04-kubectl/kubectl/context.ts";
import type { ReplicationController } from "../../../shared/api/replication.ts";
import { REPLICATION_CONTROLLERS } from "../client/resources.ts";
import { rollingUpdate } from "../rolling-update/rolling-update.ts";

/** "500ms", "2s", "1m" -> milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!m) throw new UsageError(`invalid value "${text}" for --${flag}: use a duration such as 500ms, 2s or 1m`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[m[2] as "ms" | "s" | "m" | "h"];
  return Math.round(Number(m[1]) * unit);
}

function stringFlag(ctx: Context, name: string): string | undefined {
  const v = ctx.flags.extra[name];
  return typeof v === "string" ? v : undefined;
}

export async function rollingUpdateCommand(ctx: Context, args: string[]): Promise<number> {
  const [oldName, newNameArg, ...rest] = args;
  if (!oldName || rest.length > 0) throw new UsageError("usage: kubectl rolling-update OLD [NEW] --image=IMAGE | -f NEW_RC.yaml");
  const image = stringFlag(ctx, "image");
  const client = ctx.client;
  const rcs = client.resource<ReplicationController>(REPLICATION_CONTROLLERS);

  let next: ReplicationController;
  if (ctx.flags.filenames.length > 0) {
    if (image) throw new UsageError("give either -f or --image, not both");
    const manifests = await manifestsFromFlags(ctx);
    if (manifests.length !== 1 || manifests[0]!.info.kind !== "ReplicationController") {
      throw new UsageError("-f must name exactly one ReplicationController (the new one)");
    }
    next = manifests[0]!.object as ReplicationController;
    if (newNameArg && newNameArg !== next.metadata?.name)
      throw new UsageError(`the name in the file (${next.metadata?.name}) is not ${newNameArg}`);
  } else {
    if (!image)
      throw new UsageError("give the new template: --image=IMAGE (with NEW as the new controller's name), or -f NEW_RC.yaml");
    if (!newNameArg)
      throw new UsageError(`give the new controller's name: kubectl rolling-update ${oldName} ${oldName}-v2 --image=${image}`);
    const old = await rcs.get(oldName, ctx.namespace);
    const containers = old.spec?.template?.spec?.containers ?? [];
    const which = stringFlag(ctx, "container") ?? (containers.length === 1 ? containers[0]!.name : undefined);
    if (!which || !containers.some((c) => c.name === which)) {
      throw new UsageError(`name the container to update with --container (one of: ${containers.map((c) => c.name).join(", ")})`);
    }
    const template = structuredClone(old.spec?.template ?? {});
    for (const c of template.spec?.containers ?? []) if (c.name === which) c.image = image;
    next = {
      apiVersion: "v1",
      kind: "ReplicationController",
      metadata: { name: newNameArg, labels: old.metadata?.labels },
      spec: { replicas: old.spec?.replicas, template },
    };
  }
  const period = stringFlag(ctx, "update-period");
  const timeout = stringFlag(ctx, "timeout");
  const updated = await rollingUpdate({
    client,
    namespace: ctx.namespace,
    oldName,
    next,
    updatePeriodMs: period ? parseDuration(period, "update-period") : 0,
    podTimeoutMs: timeout ? parseDuration(timeout, "timeout") : undefined,
    log: (line) => ctx.out(line + "\n"),
  });
  ctx.out(`replicationcontroller "${oldName}" rolling updated to "${updated.metadata?.name}"\n`);
  return 0;
}
