/**
 * Chapter 13: Deployments, the rollout moved into the cluster.
 *
 *   api/                      ReplicaSet and Deployment on the apiserver (apps/v1), with /status and /scale
 *   client/resources.ts       how clients address them
 *   replicaset/               the ReplicaSet controller: chapter 08's loop for apps/v1 (given)
 *   deployment/rollout.ts     how many pods each ReplicaSet gets next (maxSurge, maxUnavailable)
 *   deployment/revisions.ts   pod-template-hash, revision numbers, history
 *   deployment/progress.ts    status, Available and Progressing
 *   deployment/deployment-controller.ts   the sync loop that ties them together
 *
 * The cluster bring-up (shared/cluster/components/13-deployments.ts) calls
 * installApps(apiserver) before the controller manager starts, and
 * installDeploymentControllers() so that the manager runs both controllers.
 */
import type { ApiServer } from "../03-apiserver/index.ts";
import { registerController } from "../08-replication/controller-manager/controller-manager.ts";
import { registerGcResource } from "../08-replication/garbage-collector/garbage-collector.ts";
import { deployments } from "./api/deployments.ts";
import { replicaSets } from "./api/replicasets.ts";
import { appsScaleSubresource } from "./api/scale.ts";
import { DEPLOYMENTS, REPLICA_SETS } from "./client/resources.ts";
import { newDeploymentController } from "./deployment/deployment-controller.ts";
import { newReplicaSetController } from "./replicaset/replicaset-controller.ts";

export { deployments, defaultDeployment, validateDeployment } from "./api/deployments.ts";
export { replicaSets } from "./api/replicasets.ts";
export { formatLabelSelector, toLabelSelector } from "./api/selector.ts";
export { scaledValue } from "./api/int-or-percent.ts";
export { DEPLOYMENTS, REPLICA_SETS } from "./client/resources.ts";
export { DeploymentController } from "./deployment/deployment-controller.ts";
export { nextStatus, rolloutComplete } from "./deployment/progress.ts";
export { findNewReplicaSet, historyToDelete, newRevisionAnnotations, podTemplateHash, POD_TEMPLATE_HASH, REVISION } from "./deployment/revisions.ts";
export { newReplicaSetTarget, oldReplicaSetTargets, resolveFenceposts, type Fenceposts, type SetCounts } from "./deployment/rollout.ts";
export { ReplicaSetController } from "./replicaset/replicaset-controller.ts";

const installed = new WeakSet<ApiServer["registry"]>();

/** Serves replicasets and deployments (with /status and /scale) in the group apps/v1. Again for the same server: nothing. */
export function installApps(apiserver: ApiServer): void {
  if (installed.has(apiserver.registry)) return;
  installed.add(apiserver.registry);
  for (const resource of [replicaSets, deployments]) {
    if (apiserver.registry.lookup(resource.group, resource.version, resource.plural)) continue;
    apiserver.registry.register(resource);
    apiserver.registry.addSubresource(resource.group, resource.plural, appsScaleSubresource);
  }
}

/**
 * Adds the ReplicaSet and Deployment controllers to every controller
 * manager started from now on, and teaches the garbage collector the two
 * kinds (a deleted Deployment takes its ReplicaSets, and they their pods).
 */
export function installDeploymentControllers(): void {
  registerGcResource(REPLICA_SETS);
  registerGcResource(DEPLOYMENTS);
  registerController("replicaset", newReplicaSetController());
  registerController("deployment", newDeploymentController());
}
