/**
 * kubectl set image deployment/web web=busybox:1.36 [sidecar=...]
 *
 * Changes the image of named containers in the pod template. The template
 * changes, so the Deployment controller starts a rollout (a new ReplicaSet).
 */
import type { Deployment } from "../../../shared/api/apps.ts";
import { UsageError } from "../../04-kubectl/kubectl/args.ts";
import type { Context } from "../../04-kubectl/kubectl/context.ts";
import { DEPLOYMENTS } from "../client/resources.ts";
import { deploymentName, getDeployment, ref } from "./deployments.ts";

const USAGE = "set image deployment/NAME CONTAINER=IMAGE...";

export async function setImage(ctx: Context, args: string[]): Promise<number> {
  const [what, ...rest] = args;
  if (what !== "image") throw new UsageError(`only "set image" is supported here (kubectl ${USAGE})`);
  const pairs = rest.filter((a) => a.includes("="));
  const names = rest.filter((a) => !a.includes("="));
  if (pairs.length === 0) throw new UsageError(`at least one image update is required: CONTAINER=IMAGE (kubectl ${USAGE})`);
  const name = deploymentName(ctx, names, USAGE);
  const images = new Map<string, string>();
  for (const pair of pairs) {
    const [container, image] = [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)];
    if (!container || !image) throw new UsageError(`"${pair}" is not CONTAINER=IMAGE`);
    images.set(container, image);
  }
  const d = await getDeployment(ctx, name);
  const containers = d.spec?.template?.spec?.containers ?? [];
  // "*" stands for every container, as in kubectl.
  const all = images.get("*");
  for (const c of images.keys()) {
    if (c !== "*" && !containers.some((x) => x.name === c)) throw new Error(`unable to find container named "${c}"`);
  }
  const next = containers.map((c) => ({ ...c, image: all ?? images.get(c.name) ?? c.image }));
  if (next.every((c, i) => c.image === containers[i]!.image)) {
    ctx.out(`${ref(name)} image unchanged\n`);
    return 0;
  }
  await ctx.client.resource<Deployment>(DEPLOYMENTS).update({
    ...d,
    spec: { ...d.spec, template: { ...d.spec?.template, spec: { ...d.spec?.template?.spec, containers: next } } },
  });
  ctx.out(`${ref(name)} image updated\n`);
  return 0;
}
