/**
 * The secret volume plugin: a Secret's keys as files, kept in memory.
 *
 * The kubelet never writes a Secret to the node's disk: the files live on a
 * tmpfs (RAM), so they vanish when the pod goes, and no disk, backup or
 * swapped-out page ever holds them. The real kubelet mounts a fresh tmpfs on
 * the volume's folder; mounting needs root, so this one keeps the files
 * under /dev/shm, the tmpfs every Linux machine has, and links the volume's
 * folder to them:
 *
 *   <kubelet root>/pods/<uid>/volumes/kubernetes.io~secret/creds  ->  /dev/shm/k8s-workshop-<cluster>/<uid>/creds/
 *                                                                        password   (one file per key)
 *
 * The container gets that folder as a bind mount, so inside it /proc/mounts
 * shows the volume as tmpfs.
 */
import { existsSync } from "node:fs";
import { lstat, mkdir, readlink, rm, symlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Pod, Volume } from "../../../shared/api/index.ts";
import { VolumeError, type VolumeContext, type VolumePlugin, type VolumeSource } from "../../05-pods/index.ts";
import { notFoundMessage, readData } from "./objects.ts";
import { projectFiles, writeFiles } from "./projection.ts";

export interface SecretVolumeOptions {
  /**
   * A folder on a tmpfs that holds the files, e.g. /dev/shm/k8s-workshop-<id>.
   * When it is not given, or its parent does not exist (no /dev/shm: macOS),
   * the files stay in the volume's own folder on disk.
   */
  memoryRoot?: string;
}

export function secretVolumePlugin(options: SecretVolumeOptions = {}): VolumePlugin {
  const inMemory = options.memoryRoot !== undefined && existsSync(dirname(options.memoryRoot));
  const filesDir = (uid: string, volume: string, ctx: VolumeContext) =>
    inMemory ? join(options.memoryRoot!, uid, volume) : ctx.dir;
  return {
    name: "kubernetes.io/secret",
    canSupport: (volume: Volume) => volume.secret !== undefined,
    async setUp(pod: Pod, volume: Volume, ctx: VolumeContext): Promise<VolumeSource> {
      const source = volume.secret!;
      const name = source.secretName ?? "";
      if (!ctx.client) throw new VolumeError(`volume "${volume.name}": this kubelet has no client to read secrets with`);
      const data = await readData(ctx.client, "secret", pod.metadata?.namespace ?? "default", name);
      if (!data && !source.optional)
        throw new VolumeError(`MountVolume.SetUp failed for volume "${volume.name}" : ${notFoundMessage("secret", name)}`);
      const dir = filesDir(pod.metadata?.uid ?? "", volume.name, ctx);
      await writeFiles(dir, projectFiles(data ?? new Map(), source, `secret "${name}"`));
      if (dir !== ctx.dir) await linkOnce(ctx.dir, dir);
      return { type: "bind", hostPath: dir };
    },
    async tearDown(podUid: string, volumeName: string, ctx: VolumeContext): Promise<void> {
      if (inMemory) await rm(join(options.memoryRoot!, podUid, volumeName), { recursive: true, force: true });
      await rm(ctx.dir, { recursive: true, force: true }); // the link (or the folder on disk)
    },
  };
}

/** Makes `link` a symbolic link to `target` (the volume manager finds volumes by these folders). */
async function linkOnce(link: string, target: string): Promise<void> {
  const existing = await lstat(link).catch(() => undefined);
  if (existing?.isSymbolicLink() && (await readlink(link)) === target) return;
  if (existing) await rm(link, { recursive: true, force: true });
  await mkdir(dirname(link), { recursive: true });
  await symlink(target, link);
}
