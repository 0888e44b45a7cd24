/**
 * Chapter 08: replication controllers and the controller manager.
 *
 *   apiserver/replicationcontrollers.ts   the resource on the apiserver: defaults, validation, columns
 *   apiserver/scale.ts                    its scale subresource (autoscaling/v1 Scale)
 *   client/resources.ts                   how clients address rcs and their scale
 *   controller-manager/                   the manager, shared informers, work queue, expectations
 *   replication/                          the replication controller: owner references, reconcile, status
 *   garbage-collector/                    cascade deletion; the Orphan policy
 *   rolling-update/                       the classic client-side rolling update
 *   kubectl/                              kubectl scale, kubectl rolling-update, rc names and describer
 */
import type { ApiServer } from "../03-apiserver/index.ts";
import type { ResourceType } from "../04-kubectl/client/rest.ts";
import { replicationControllers } from "./apiserver/replicationcontrollers.ts";
import { scaleSubresource } from "./apiserver/scale.ts";
import { ControllerManager, type Controllers } from "./controller-manager/controller-manager.ts";
import { gcResources, newGarbageCollector } from "./garbage-collector/garbage-collector.ts";
import { newReplicationManager, type ReplicationOptions } from "./replication/replication-controller.ts";

export { REPLICATION_CONTROLLERS, ScaleClient } from "./client/resources.ts";
export {
  ControllerManager,
  type Controller,
  type ControllerContext,
  type ControllerFactory,
  type Controllers,
} from "./controller-manager/controller-manager.ts";
export { Expectations } from "./controller-manager/expectations.ts";
export { gcResources } from "./garbage-collector/garbage-collector.ts";
export { ReplicationManager } from "./replication/replication-controller.ts";
export { rollingUpdate, type RollingUpdateOptions } from "./rolling-update/rolling-update.ts";
export { kubectlPlugin } from "./kubectl/index.ts";

/** Serves replicationcontrollers (with /status and /scale) on an apiserver. Again for the same server: nothing. */
export function installReplication(apiserver: ApiServer): void {
  // The apiserver's own registry says whether it is served already: no
  // module-level memory, so a second copy of this module agrees.
  if (apiserver.registry.lookup("", "v1", "replicationcontrollers")) return;
  apiserver.registry.register(replicationControllers);
  apiserver.registry.addSubresource("", "replicationcontrollers", scaleSubresource);
}

export interface ControllersOptions {
  /** Replication controller tuning (tests). */
  replication?: ReplicationOptions;
  /** More kinds for the garbage collector, from later chapters (13: replicasets, deployments). */
  gcResources?: readonly ResourceType[];
}

/**
 * The controllers of this chapter, for startControllerManager(): the
 * replication controller and the garbage collector. Later chapters export
 * their own controllers() and the caller passes the union.
 */
export function controllers(options: ControllersOptions = {}): Controllers {
  return {
    replication: newReplicationManager(options.replication),
    "garbage-collector": newGarbageCollector([...gcResources, ...(options.gcResources ?? [])]),
  };
}

export interface StartControllerManagerOptions {
  server: string;
  token?: string;
  /** What to run. Default: this chapter's controllers(). */
  controllers?: Controllers;
  log?: (line: string) => void;
}

/** Starts a controller manager against the apiserver; resolves once its informers have synced. */
export async function startControllerManager(options: StartControllerManagerOptions): Promise<ControllerManager> {
  const manager = new ControllerManager({
    server: options.server,
    token: options.token,
    controllers: options.controllers ?? controllers(),
    log: options.log,
  });
  try {
    await manager.start();
  } catch (err) {
    await manager.stop();
    throw err;
  }
  return manager;
}
