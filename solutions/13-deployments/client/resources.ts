/** How clients address the kinds of this chapter (for ResourceClient, Informer, the garbage collector). */
import type { ResourceType } from "../../04-kubectl/client/rest.ts";

export const REPLICA_SETS: ResourceType = {
  group: "apps",
  version: "v1",
  resource: "replicasets",
  kind: "ReplicaSet",
  namespaced: true,
};
export const DEPLOYMENTS: ResourceType = {
  group: "apps",
  version: "v1",
  resource: "deployments",
  kind: "Deployment",
  namespaced: true,
};
export const POD_DISRUPTION_BUDGETS: ResourceType = {
  group: "policy",
  version: "v1",
  resource: "poddisruptionbudgets",
  kind: "PodDisruptionBudget",
  namespaced: true,
};
