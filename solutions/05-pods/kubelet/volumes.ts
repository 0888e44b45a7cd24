/**
 * VOLUME PLUGINS: how a pod's `volumes` become mounts in its containers.
 * An extension point, like Kubernetes' pkg/volume: this chapter defines the
 * interface and the manager, and knows no volume type yet. Chapter 06 adds
 * emptyDir and hostPath, chapter 11 secret and configMap, each as a plugin
 * passed to the kubelet (KubeletExtensions.volumePlugins, in extensions.ts).
 *
 * For every volume of a pod the kubelet finds the plugin that canSupport()
 * it and calls setUp() before the containers start; setUp says what to mount:
 * a directory on the host (bind) or a fresh in-memory filesystem (tmpfs).
 * Each container then mounts the volumes its `volumeMounts` name, at their
 * mountPath. When the pod is gone, tearDown() cleans up (an emptyDir's
 * directory is deleted with the pod).
 *
 * Plugins keep their data under the pod's own directory on the node:
 *   <kubelet root>/pods/<pod uid>/volumes/<plugin name>/<volume name>
 * so that a restarted kubelet can find and tear down the volumes of pods
 * that were deleted while it was away, from the directories alone.
 */
import { existsSync } from "node:fs";
import { mkdir, readdir, rm } from "node:fs/promises";
import { join, relative } from "node:path";
import type { Container, Pod, Volume } from "../../../shared/api/index.ts";
import type { Mount } from "../../../shared/runtime/types.ts";
import type { RestClient } from "../../04-kubectl/client/rest.ts";

/** What a set-up volume is on the node: a host directory or file, or a tmpfs made per container. */
export type VolumeSource = { type: "bind"; hostPath: string } | { type: "tmpfs"; sizeBytes?: number };

export interface VolumeContext {
  /** This volume's own directory: <root>/pods/<uid>/volumes/<plugin>/<volume>. Created on demand by the plugin. */
  dir: string;
  nodeName: string;
  /** The kubelet's client, for plugins that read objects (chapter 11: Secrets, ConfigMaps). Set by the kubelet. */
  client?: RestClient;
}

export interface VolumePlugin {
  /** Kubernetes-style plugin name, e.g. "kubernetes.io/empty-dir". */
  name: string;
  canSupport(volume: Volume): boolean;
  /** Prepares the volume for the pod (idempotent: called on every sync) and says what to mount. */
  setUp(pod: Pod, volume: Volume, ctx: VolumeContext): Promise<VolumeSource>;
  /** Cleans up after the pod is gone. May be called for a pod that no longer exists (only its uid is known). */
  tearDown(podUid: string, volumeName: string, ctx: VolumeContext): Promise<void>;
}

/** A pod's volumes cannot be set up (the kubelet reports it on the pod and retries). */
export class VolumeError extends Error {
  override readonly name = "VolumeError";
}

/** Plugin names contain "/": escape them for a directory name (Kubernetes uses "~"). */
function escapeName(plugin: string): string {
  return plugin.replace(/\//g, "~");
}

export class VolumeManager {
  constructor(
    private readonly plugins: readonly VolumePlugin[],
    /** The kubelet's root directory on the host. */
    private readonly rootDir: string,
    private readonly nodeName: string,
    /** Passed to the plugins (VolumeContext.client). */
    private readonly client?: RestClient,
  ) {}

  private podDir(uid: string): string {
    return join(this.rootDir, "pods", uid);
  }

  private volumeDir(uid: string, plugin: string, volume: string): string {
    return join(this.podDir(uid), "volumes", escapeName(plugin), volume);
  }

  private pluginFor(volume: Volume): VolumePlugin {
    const plugin = this.plugins.find((p) => p.canSupport(volume));
    if (!plugin) {
      const kind = Object.keys(volume).find((k) => k !== "name") ?? "an empty source";
      throw new VolumeError(`volume "${volume.name}": no volume plugin supports ${kind} on this kubelet`);
    }
    return plugin;
  }

  /** Sets up every volume of the pod; returns what each volume name mounts. */
  async setUpPod(pod: Pod): Promise<Map<string, VolumeSource>> {
    const uid = pod.metadata?.uid ?? "";
    const sources = new Map<string, VolumeSource>();
    for (const volume of pod.spec?.volumes ?? []) {
      const plugin = this.pluginFor(volume);
      const dir = this.volumeDir(uid, plugin.name, volume.name);
      sources.set(volume.name, await plugin.setUp(pod, volume, { dir, nodeName: this.nodeName, client: this.client }));
    }
    return sources;
  }

  /** The runtime mounts of one container: its volumeMounts, resolved against the pod's volumes. */
  mountsFor(container: Container, volumes: Map<string, VolumeSource>): Mount[] {
    return (container.volumeMounts ?? []).map((m) => {
      const source = volumes.get(m.name);
      if (!source) throw new VolumeError(`volumeMount "${m.name}" of container "${container.name}": the pod has no such volume`);
      const readOnly = m.readOnly ?? false;
      if (source.type === "tmpfs") return { type: "tmpfs", target: m.mountPath, sizeBytes: source.sizeBytes, readOnly };
      // The apiserver rejects a subPath with ".." or a leading "/"; check again, a
      // kubelet must never mount a host folder outside the volume.
      const hostPath = m.subPath ? join(source.hostPath, m.subPath) : source.hostPath;
      if (relative(source.hostPath, hostPath).startsWith("..")) {
        throw new VolumeError(
          `volumeMount "${m.name}" of container "${container.name}": subPath "${m.subPath}" leaves the volume`,
        );
      }
      return { type: "bind", source: hostPath, target: m.mountPath, readOnly };
    });
  }

  /**
   * Tears down every volume found on disk for this pod uid and removes the
   * pod's directory. Works from the directories alone (the pod may be gone).
   */
  async tearDownPod(uid: string): Promise<void> {
    const volumesDir = join(this.podDir(uid), "volumes");
    if (existsSync(volumesDir)) {
      for (const escaped of await readdir(volumesDir)) {
        const plugin = this.plugins.find((p) => escapeName(p.name) === escaped);
        for (const volume of await readdir(join(volumesDir, escaped))) {
          const dir = join(volumesDir, escaped, volume);
          if (plugin) await plugin.tearDown(uid, volume, { dir, nodeName: this.nodeName });
        }
      }
    }
    await rm(this.podDir(uid), { recursive: true, force: true });
  }

  /** Pod uids that still have a directory on this node. */
  async podsOnDisk(): Promise<string[]> {
    const dir = join(this.rootDir, "pods");
    if (!existsSync(dir)) return [];
    return readdir(dir);
  }

  /** Makes sure the kubelet's root directory exists. */
  async init(): Promise<void> {
    await mkdir(join(this.rootDir, "pods"), { recursive: true });
  }
}
