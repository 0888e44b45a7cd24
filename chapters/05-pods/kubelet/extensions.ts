/**
 * KUBELET EXTENSIONS: the one place where later chapters plug into the kubelet.
 *
 *   volumePlugins     chapter 06 (emptyDir, hostPath), chapter 11 (secret, configMap)
 *   envSources        chapter 10 (Service variables), chapter 11 (envFrom)
 *   envVarResolvers   chapter 11 (env[].valueFrom: secretKeyRef, configMapKeyRef)
 *   probes            chapter 12 (readiness and liveness probes)
 *   podFieldSelector  chapter 07 (the apiserver can filter pods by spec.nodeName)
 *   syncObservers     chapter 13 (events: why a container waits, e.g. BackOff)
 *
 * Each of those chapters exports `kubeletExtensions()` from its index.ts;
 * whoever starts a kubelet merges them (mergeKubeletExtensions) and passes
 * the result as KubeletOptions.extensions. Without extensions this chapter's
 * kubelet still runs pods: no volumes, the pod's own env only, and a running
 * container is ready (no probes).
 *
 * PROBES: a readiness probe decides whether a running container is `ready`
 * (and so whether Services send it traffic); a liveness probe restarts a
 * container that runs but no longer works. The kubelet tells its
 * ProbeManager about pods and asks it whether a container is ready.
 */
import type { Pod } from "../../../shared/api/index.ts";
import type { ContainerRuntime, ContainerStatus } from "../../../shared/runtime/types.ts";
import type { RestClient } from "../../04-kubectl/client/rest.ts";
import type { EnvSource, EnvVarResolver } from "./env.ts";
import type { Waiting } from "./status.ts";
import type { VolumePlugin } from "./volumes.ts";

export interface KubeletExtensions {
  /** Volume plugins, by the volume source they handle. */
  volumePlugins?: VolumePlugin[];
  /** Extra environment sources, applied before the container's own env. */
  envSources?: EnvSource[];
  /** Resolvers of env[].valueFrom. */
  envVarResolvers?: EnvVarResolver[];
  /** Readiness and liveness probes: a manager, or a factory that makes one for each kubelet. */
  probes?: ProbeManager | ProbeManagerFactory;
  /** Watch only this node's pods with fieldSelector=spec.nodeName=<node>. */
  podFieldSelector?: boolean;
  /** Told after every sync which containers wait and why: one observer per kubelet, from each factory. */
  syncObservers?: SyncObserverFactory[];
}

/** Combines the extensions of several chapters, in order: lists are joined; there may be one probe manager. */
export function mergeKubeletExtensions(all: readonly KubeletExtensions[]): KubeletExtensions {
  const probes = all.filter((e) => e.probes !== undefined);
  if (probes.length > 1) throw new Error(`${probes.length} chapters give the kubelet a probe manager; a kubelet has one`);
  return {
    volumePlugins: all.flatMap((e) => e.volumePlugins ?? []),
    envSources: all.flatMap((e) => e.envSources ?? []),
    envVarResolvers: all.flatMap((e) => e.envVarResolvers ?? []),
    probes: probes[0]?.probes,
    podFieldSelector: all.some((e) => e.podFieldSelector),
    syncObservers: all.flatMap((e) => e.syncObservers ?? []),
  };
}

export interface ProbeManager {
  /** The pod was synced: start (or keep) probing its running containers. `resync` asks for another sync of the pod. */
  podSynced(pod: Pod, running: Map<string, ContainerStatus>, resync: () => void): void;
  /** The pod is gone from this node: stop probing it. */
  podRemoved(uid: string): void;
  /** Whether a running container is ready. */
  isReady(pod: Pod, containerName: string, container: ContainerStatus): boolean;
  /** Stops every probe. */
  stop(): Promise<void>;
}

/** No probes: running means ready. */
export const noProbes: ProbeManager = {
  podSynced() {},
  podRemoved() {},
  isReady: () => true,
  stop: async () => {},
};

/** What a kubelet lends its probe manager: the node's runtime (exec, stop a container), its client, its log. */
export interface ProbeHost {
  nodeName: string;
  runtime: ContainerRuntime;
  client: RestClient;
  log(message: string): void;
  /**
   * The pod's IP as this kubelet last wrote it (Kubernetes' prober reads it
   * from the kubelet's status manager): the pod object of the last sync has
   * none yet, and a status-only update from the watch starts no sync.
   */
  podIP?(uid: string): string | undefined;
}

/** Makes one kubelet's probe manager (each kubelet has its own: its probes stop with it). */
export type ProbeManagerFactory = (host: ProbeHost) => ProbeManager;

/** Sees each sync's outcome: the containers that should run but wait (CrashLoopBackOff, ErrImagePull...). */
export interface SyncObserver {
  podSynced(pod: Pod, waiting: ReadonlyMap<string, Waiting>): void;
  stop(): Promise<void>;
}

export type SyncObserverFactory = (host: ProbeHost) => SyncObserver;
