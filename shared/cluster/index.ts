export { startClusterFromTree } from "./start.ts";
export type { Cluster, ClusterComponent, ClusterContext, ClusterOptions, KubeletExtensions, KubeletTuning } from "./types.ts";
export { CLUSTER_LABEL } from "./network.ts";
