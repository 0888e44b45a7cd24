/**
 * Chapter 06: volume plugins for every kubelet (emptyDir, hostPath) and the
 * hostPath policy as an admission plugin on the apiserver.
 *
 * Pods may mount host paths only below the allowed prefixes: by default
 * <OS temp dir>/k8s-workshop-hostpath. To allow more (for `npm start`), list
 * absolute paths in WORKSHOP_HOSTPATH_PREFIXES, separated by ":" as in PATH.
 */
import { isAbsolute } from "node:path";
import type { VolumesModule } from "../contracts.ts";
import type { ClusterComponent } from "../types.ts";

/** The allowed prefixes: WORKSHOP_HOSTPATH_PREFIXES, or the chapter's default. */
function policyOf(volumes: VolumesModule): { allowedPrefixes: string[] } {
  const value = process.env.WORKSHOP_HOSTPATH_PREFIXES;
  if (!value) return volumes.DEFAULT_HOST_PATH_POLICY;
  const prefixes = value.split(":").filter(Boolean);
  const relative = prefixes.find((p) => !isAbsolute(p));
  if (relative)
    throw new Error(`WORKSHOP_HOSTPATH_PREFIXES: "${relative}" is not an absolute path; list absolute folders separated by ":"`);
  return { allowedPrefixes: prefixes };
}

export const volumesComponent: ClusterComponent = {
  chapter: "06",
  name: "volumes",
  after: { apiserver: "it adds an admission plugin to the apiserver" },
  async prepare(ctx) {
    const volumes = await ctx.load<VolumesModule>("06-volumes/index.ts");
    ctx.kubeletExtensions.push(volumes.kubeletExtensions(policyOf(volumes)));
  },
  async start(ctx) {
    if (!ctx.apiserver) throw new Error("the volume policy needs the apiserver of chapter 03");
    const volumes = await ctx.load<VolumesModule>("06-volumes/index.ts");
    const policy = policyOf(volumes);
    volumes.installVolumePolicy(ctx.apiserver, policy);
    ctx.log(`volumes: emptyDir, hostPath below ${policy.allowedPrefixes.join(", ")}`);
  },
};
