/**
 * hostPath: a file or folder of the node itself, bind-mounted into the
 * containers. Its data lives as long as the node (or until someone deletes
 * it): deleting the pod leaves it alone, and the next pod on the same node
 * that mounts the same path sees it again. A pod on another node sees that
 * node's folder, which is why hostPath is for node agents (log collectors,
 * monitoring), not for an application's data.
 *
 * `hostPath.type` says what must be there before the containers start
 * (Kubernetes' HostPathType):
 *
 *   ""                 no check (the default)
 *   DirectoryOrCreate  a directory; created (mode 0755) when missing
 *   Directory          an existing directory
 *   FileOrCreate       a file; created empty (mode 0644) when missing, in an existing folder
 *   File               an existing file
 *   Socket, CharDevice, BlockDevice   an existing one of those
 *
 * And first of all, the path must be allowed by the cluster's policy
 * (host-path-policy.ts): the kubelet never mounts, or creates, anything
 * outside the allowed prefixes.
 */
import { constants, type Stats } from "node:fs";
import { mkdir, open, realpath, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Pod, Volume } from "../../../shared/api/index.ts";
import { VolumeError, type VolumeContext, type VolumePlugin, type VolumeSource } from "../../05-pods/index.ts";
import { DEFAULT_HOST_PATH_POLICY, hostPathViolation, isWithin, type HostPathPolicy } from "./host-path-policy.ts";

export const HOST_PATH_PLUGIN_NAME = "kubernetes.io/host-path";

export const HOST_PATH_TYPES = ["", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice", "BlockDevice"] as const;
export type HostPathType = (typeof HOST_PATH_TYPES)[number];

/** The hostPath plugin, refusing every path outside `policy`'s prefixes. */
export function hostPathPlugin(policy: HostPathPolicy = DEFAULT_HOST_PATH_POLICY): VolumePlugin {
  return {
    name: HOST_PATH_PLUGIN_NAME,

    canSupport(volume: Volume): boolean {
      return volume.hostPath !== undefined;
    },

    async setUp(_pod: Pod, volume: Volume, _ctx: VolumeContext): Promise<VolumeSource> {
      const path = volume.hostPath?.path ?? "";
      const type = volume.hostPath?.type ?? "";
      if (!(HOST_PATH_TYPES as readonly string[]).includes(type)) {
        throw new VolumeError(`volume "${volume.name}": hostPath type "${type}" is not supported: use one of ${HOST_PATH_TYPES.filter(Boolean).join(", ")}, or leave it empty`);
      }
      // STEP(06.4): mount the node's own path, but never anything outside the
      // allowed prefixes, not even through a symbolic link, and create
      // nothing (checkType() may create) before every check passed.
      // Tests: "06.4 hostPath > ...".
      //#solution
      const violation = hostPathViolation(path, policy);
      if (violation) throw new VolumeError(`volume "${volume.name}": ${violation}`);
      const real = await realPathOf(path);
      const prefixes = await Promise.all(policy.allowedPrefixes.map(realPathOf));
      if (!prefixes.some((prefix) => isWithin(real, prefix))) {
        throw new VolumeError(`volume "${volume.name}": hostPath "${path}" leads to "${real}" through a symbolic link, which is not within the allowed prefixes`);
      }
      await checkType(path, type as HostPathType, volume.name);
      return { type: "bind", hostPath: path };
      //#end
    },

    async tearDown(): Promise<void> {
      // Nothing to do: a hostPath belongs to the node, not to the pod.
    },
  };
}

/**
 * Where `path` really leads once every symbolic link is followed. The part
 * that does not exist yet (what DirectoryOrCreate would create) is kept as
 * written, after the real path of the deepest folder that exists.
 */
export async function realPathOf(path: string): Promise<string> {
  // STEP(06.4): like realpath(), but a path that does not exist yet still
  // has an answer: where it WOULD lead once created.
  //#solution
  try {
    return await realpath(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    const parent = dirname(path);
    if (parent === path) return path;
    return join(await realPathOf(parent), basename(path));
  }
  //#end
}

/** What `stat` says is at `path`, or undefined when nothing is. */
async function statOf(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/** Kubernetes' HostPathType checks, with its messages ("hostPath type check failed: ... is not a directory"). */
export async function checkType(path: string, type: HostPathType, volumeName: string): Promise<void> {
  const fail = (what: string) => new VolumeError(`volume "${volumeName}": hostPath type check failed: ${path} ${what}`);
  const found = await statOf(path);
  switch (type) {
    case "":
      return;
    case "DirectoryOrCreate":
      if (!found) await mkdir(path, { recursive: true, mode: 0o755 });
      else if (!found.isDirectory()) throw fail("is not a directory");
      return;
    case "Directory":
      if (!found?.isDirectory()) throw fail(found ? "is not a directory" : "does not exist");
      return;
    case "FileOrCreate":
      if (!found) {
        if (!(await statOf(dirname(path)))?.isDirectory()) throw fail(`cannot be created: its folder ${dirname(path)} does not exist`);
        // O_EXCL | O_NOFOLLOW: create a new file, never write through a link someone just put there.
        await (await open(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW, 0o644)).close();
      } else if (!found.isFile()) throw fail("is not a file");
      return;
    case "File":
      if (!found?.isFile()) throw fail(found ? "is not a file" : "does not exist");
      return;
    case "Socket":
      if (!found?.isSocket()) throw fail("is not a socket file");
      return;
    case "CharDevice":
      if (!found?.isCharacterDevice()) throw fail("is not a character device");
      return;
    case "BlockDevice":
      if (!found?.isBlockDevice()) throw fail("is not a block device");
      return;
  }
}
