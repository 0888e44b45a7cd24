/**
 * PROBES: the place for health checks of running containers (chapter 12).
 *
 * A readiness probe decides whether a running container is `ready` (and so
 * whether Services send it traffic); a liveness probe restarts a container
 * that runs but no longer works. This chapter has no probes: a running
 * container is ready. Chapter 12 passes its own ProbeManager to the kubelet
 * (KubeletOptions.probes); the kubelet tells it about pods and asks it.
 */
import type { Pod } from "../../../shared/api/index.ts";
import type { ContainerStatus } from "../../../shared/runtime/types.ts";

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
