/**
 * The configMap volume plugin: a ConfigMap's keys as files (a config file
 * for nginx, say). ConfigMaps are not secret, so the files live on disk in
 * the volume's own folder.
 */
import type { Pod, Volume } from "../../../shared/api/index.ts";
import { VolumeError, type VolumeContext, type VolumePlugin, type VolumeSource } from "../../05-pods/index.ts";
import { rm } from "node:fs/promises";
import { notFoundMessage, readData } from "./objects.ts";
import { projectFiles, writeFiles } from "./projection.ts";

export const configMapVolumePlugin: VolumePlugin = {
  name: "kubernetes.io/configmap",
  canSupport: (volume: Volume) => volume.configMap !== undefined,
  async setUp(pod: Pod, volume: Volume, ctx: VolumeContext): Promise<VolumeSource> {
    const source = volume.configMap!;
    const name = source.name ?? "";
    if (!ctx.client) throw new VolumeError(`volume "${volume.name}": this kubelet has no client to read config maps with`);
    const data = await readData(ctx.client, "configmap", pod.metadata?.namespace ?? "default", name);
    if (!data && !source.optional)
      throw new VolumeError(`MountVolume.SetUp failed for volume "${volume.name}" : ${notFoundMessage("configmap", name)}`);
    await writeFiles(ctx.dir, projectFiles(data ?? new Map(), source, `configmap "${name}"`));
    return { type: "bind", hostPath: ctx.dir };
  },
  async tearDown(_podUid: string, _volumeName: string, ctx: VolumeContext): Promise<void> {
    await rm(ctx.dir, { recursive: true, force: true });
  },
};
