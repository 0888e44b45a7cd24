export { startClusterFromTree } from "./start.ts";
export type { Cluster, ClusterComponent, ClusterContext, ClusterOptions, KubeletExtensions, KubeletTuning, NodeLifecycleTuning, RestartableComponent } from "./types.ts";
export { CLUSTER_LABEL } from "./network.ts";
