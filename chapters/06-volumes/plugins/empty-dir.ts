/**
 * emptyDir: scratch space that lives exactly as long as its pod.
 *
 * The volume is created empty when the pod starts on the node, every
 * container of the pod may mount it (at any path, read-write or read-only),
 * it survives the restarts of those containers, and it is deleted for good
 * when the pod leaves the node. It is how a sidecar reads the files another
 * container writes, and where a container keeps a cache that must outlive a
 * crash of the process.
 *
 *   medium ""        a directory on the node's disk, bind-mounted into each container:
 *                    <kubelet root>/pods/<uid>/volumes/kubernetes.io~empty-dir/<volume>
 *   medium "Memory"  a tmpfs: RAM instead of disk, never written to disk,
 *                    at most sizeLimit bytes (Kubernetes' pkg/volume/emptydir)
 */
import { chmod, mkdir, rm } from "node:fs/promises";
import type { Pod, Volume } from "../../../shared/api/index.ts";
import { memoryBytes } from "../../../shared/api/quantity.ts";
import { VolumeError, type VolumeContext, type VolumePlugin, type VolumeSource } from "../../05-pods/index.ts";
import { todo } from "../../../shared/todo.ts";

export const EMPTY_DIR_PLUGIN_NAME = "kubernetes.io/empty-dir";

/** The media this kubelet can put an emptyDir on ("" is the node's disk). */
const MEDIA = ["", "Memory"] as const;

export const emptyDirPlugin: VolumePlugin = {
  name: EMPTY_DIR_PLUGIN_NAME,

  canSupport(volume: Volume): boolean {
    return volume.emptyDir !== undefined;
  },

  async setUp(_pod: Pod, volume: Volume, ctx: VolumeContext): Promise<VolumeSource> {
    const medium = volume.emptyDir?.medium ?? "";
    if (!(MEDIA as readonly string[]).includes(medium)) {
      throw new VolumeError(`volume "${volume.name}": emptyDir medium "${medium}" is not supported on this node: use "" (disk) or "Memory"`);
    }
    if (medium === "Memory") return memoryVolume(volume);
    return diskVolume(ctx);
  },

  async tearDown(_podUid: string, _volumeName: string, ctx: VolumeContext): Promise<void> {
    // The pod is gone, and its emptyDir with it. (The VolumeManager then
    // removes the whole pod directory; a plugin cleans up what it made.)
    await rm(ctx.dir, { recursive: true, force: true });
  },
};

/** The on-disk emptyDir: one directory per pod and volume, shared by every container that mounts it. */
async function diskVolume(ctx: VolumeContext): Promise<VolumeSource> {
  // TODO(06.1): the pod's folder, writable by any user; setUp runs on EVERY
  // sync, and data must survive a container restart. Tests: "06.1 emptyDir > ...".
  todo("06.1");
}

/**
 * medium Memory: a tmpfs, with spec.emptyDir.sizeLimit as its size.
 *
 * A simplification to know about: Docker makes a tmpfs mount per container,
 * so here each container that mounts the volume gets its own tmpfs, and it
 * starts empty when the container restarts. In Kubernetes the kubelet mounts
 * one tmpfs on the node and binds it into every container of the pod.
 */
function memoryVolume(volume: Volume): VolumeSource {
  // TODO(06.2): a tmpfs, limited to emptyDir.sizeLimit when there is one.
  // A bad limit is the user's error: a VolumeError that names the volume.
  // Tests: "06.2 emptyDir > ...".
  todo("06.2");
}
