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
import type { ResourceRegistry } from "../03-apiserver/registry/registry.ts";
import { replicationControllers } from "./apiserver/replicationcontrollers.ts";
import { scaleSubresource } from "./apiserver/scale.ts";
import { ControllerManager, registerController } from "./controller-manager/controller-manager.ts";
import { newGarbageCollector } from "./garbage-collector/garbage-collector.ts";
import { newReplicationManager, type ReplicationOptions } from "./replication/replication-controller.ts";

export { REPLICATION_CONTROLLERS, ScaleClient } from "./client/resources.ts";
export { ControllerManager, registerController, type Controller, type ControllerContext, type ControllerFactory } from "./controller-manager/controller-manager.ts";
export { Expectations } from "./controller-manager/expectations.ts";
export { registerGcResource } from "./garbage-collector/garbage-collector.ts";
export { ReplicationManager } from "./replication/replication-controller.ts";
export { rollingUpdate, type RollingUpdateOptions } from "./rolling-update/rolling-update.ts";

const installed = new WeakSet<ResourceRegistry>();

/** Serves replicationcontrollers (with /status and /scale) on an apiserver. Again for the same server: nothing. */
export function installReplication(apiserver: ApiServer): void {
  if (installed.has(apiserver.registry)) return;
  installed.add(apiserver.registry);
  if (apiserver.registry.lookup("", "v1", "replicationcontrollers")) return;
  apiserver.registry.register(replicationControllers);
  apiserver.registry.addSubresource("", "replicationcontrollers", scaleSubresource);
}

registerController("replication", newReplicationManager());
registerController("garbage-collector", newGarbageCollector());

export interface StartControllerManagerOptions {
  server: string;
  token?: string;
  /** Which controllers (default: every registered one: replication, garbage-collector, and later chapters'). */
  controllers?: string[];
  /** Replication controller tuning (tests). */
  replication?: ReplicationOptions;
  log?: (line: string) => void;
}

/** Starts a controller manager against the apiserver; resolves once its informers have synced. */
export async function startControllerManager(options: StartControllerManagerOptions): Promise<ControllerManager> {
  const overrides = options.replication ? { replication: newReplicationManager(options.replication) } : undefined;
  const manager = new ControllerManager({ server: options.server, token: options.token, controllers: options.controllers, overrides, log: options.log });
  try {
    await manager.start();
  } catch (err) {
    await manager.stop();
    throw err;
  }
  return manager;
}
