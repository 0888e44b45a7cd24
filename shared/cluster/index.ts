export { startClusterFromTree } from "./start.ts";
export type {
  ApiServerHandle,
  Cluster,
  ClusterComponent,
  ClusterContext,
  ClusterOptions,
  KubeletHandle,
  KubeletTuning,
  ReplicaHandle,
  NodeLifecycleTuning,
  RestartableComponent,
} from "./types.ts";
export { CLUSTER_LABEL } from "./network.ts";
export { COMPONENTS } from "./components/index.ts";
