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
import type { ContainerRuntime, ContainerStatus } from "../../../shared/runtime/types.ts";
import type { RestClient } from "../../04-kubectl/client/rest.ts";

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
}

/** Makes one kubelet's probe manager (each kubelet has its own: its probes stop with it). */
export type ProbeManagerFactory = (host: ProbeHost) => ProbeManager;
