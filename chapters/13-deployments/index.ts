/**
 * Chapter 13: Deployments, the rollout moved into the cluster.
 *
 *   apiserver/                ReplicaSet and Deployment on the apiserver (apps/v1), with /status and /scale
 *   client/resources.ts       how clients address them
 *   replicaset/               the ReplicaSet controller: chapter 08's loop for apps/v1 (given)
 *   deployment/rollout.ts     how many pods each ReplicaSet gets next (maxSurge, maxUnavailable)
 *   deployment/revisions.ts   pod-template-hash, revision numbers, history
 *   deployment/progress.ts    status, Available and Progressing
 *   deployment/deployment-controller.ts   the sync loop that ties them together
 *   kubelet/lifecycle-hooks.ts            postStart and preStop, around every kubelet's runtime
 *   apiserver/poddisruptionbudgets.ts     PodDisruptionBudget (policy/v1): how many pods may be down at once (given)
 *   apiserver/eviction.ts                 pods/NAME/eviction: a delete that asks the budget first (given)
 *   disruption/                           the disruption controller: keeps each budget's status true (given)
 *
 * The cluster bring-up (shared/cluster/components/13-deployments.ts) takes
 * four values from here: installApps(apiserver) serves the two kinds;
 * controllers() and gcResources go to chapter 08's controller manager;
 * withLifecycleHooks wraps the container runtime of every kubelet;
 * installPolicy(apiserver) serves PodDisruptionBudgets and pods/eviction,
 * which `kubectl drain` uses.
 */
import type { ApiServer } from "../03-apiserver/index.ts";
import type { ResourceType } from "../04-kubectl/client/rest.ts";
import type { Controllers } from "../08-replication/controller-manager/controller-manager.ts";
import { deployments } from "./apiserver/deployments.ts";
import { replicaSets } from "./apiserver/replicasets.ts";
import { appsScaleSubresource } from "./apiserver/scale.ts";
import { DEPLOYMENTS, REPLICA_SETS } from "./client/resources.ts";
import { newDeploymentController } from "./deployment/deployment-controller.ts";
import { newReplicaSetController } from "./replicaset/replicaset-controller.ts";
import { installEviction } from "./apiserver/eviction.ts";
import { podDisruptionBudgets } from "./apiserver/poddisruptionbudgets.ts";
import { newDisruptionController } from "./disruption/disruption-controller.ts";

export { deployments, defaultDeployment, validateDeployment } from "./apiserver/deployments.ts";
export { replicaSets } from "./apiserver/replicasets.ts";
export { formatLabelSelector, toLabelSelector } from "./apiserver/selector.ts";
export { scaledValue } from "./apiserver/int-or-percent.ts";
export { DEPLOYMENTS, REPLICA_SETS } from "./client/resources.ts";
export { DeploymentController } from "./deployment/deployment-controller.ts";
export { nextStatus, rolloutComplete } from "./deployment/progress.ts";
export {
  findNewReplicaSet,
  historyToDelete,
  newRevisionAnnotations,
  podTemplateHash,
  POD_TEMPLATE_HASH,
  REVISION,
} from "./deployment/revisions.ts";
export {
  newReplicaSetTarget,
  oldReplicaSetTargets,
  resolveFenceposts,
  type Fenceposts,
  type SetCounts,
} from "./deployment/rollout.ts";
export { ReplicaSetController } from "./replicaset/replicaset-controller.ts";
export { podDisruptionBudgets, validatePodDisruptionBudget } from "./apiserver/poddisruptionbudgets.ts";
export { decrement, DISRUPTION_BUDGET_MESSAGE, EvictionMessage, evictionSubresource } from "./apiserver/eviction.ts";
export { budgetStatus, expectedAndDesired, selects, DELETION_TIMEOUT_MS } from "./disruption/budget.ts";
export { DisruptionController } from "./disruption/disruption-controller.ts";
export { POD_DISRUPTION_BUDGETS } from "./client/resources.ts";
export { LifecycleRuntime, runHook, withLifecycleHooks } from "./kubelet/lifecycle-hooks.ts";

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
 * Serves poddisruptionbudgets (policy/v1) and the eviction subresource of
 * pods. Again for the same server: nothing.
 */
export function installPolicy(apiserver: ApiServer): void {
  if (!apiserver.registry.lookup("policy", "v1", "poddisruptionbudgets")) apiserver.registry.register(podDisruptionBudgets);
  installEviction(apiserver, apiserver.registry.lookup("", "v1", "pods")!);
}

/** The kinds the garbage collector must also watch: a deleted Deployment takes its ReplicaSets, and they take their pods. */
export const gcResources: readonly ResourceType[] = [REPLICA_SETS, DEPLOYMENTS];

/** The controllers of this chapter, for chapter 08's startControllerManager(). */
export function controllers(): Controllers {
  return {
    replicaset: newReplicaSetController(),
    deployment: newDeploymentController(),
    disruption: newDisruptionController(),
  };
}
