/**
 * Chapter 12, self-healing: health checks in the kubelet, and a controller
 * that notices dead nodes.
 *
 *   probes/prober.ts          one check: exec, httpGet, tcpSocket
 *   probes/worker.ts          a worker per container and probe: delay, period, thresholds
 *   probes/probe-manager.ts   the kubelet's ProbeManager: liveness restarts, readiness -> Ready
 *   node-lifecycle/health.ts  heartbeats and the grace period; Ready=Unknown
 *   node-lifecycle/taints.ts  unreachable / not-ready taints from the Ready condition
 *   node-lifecycle/eviction.ts          which pods leave a tainted node, and when
 *   node-lifecycle/node-lifecycle-controller.ts   the controller that ties these together
 *   restart/adoption.ts       a restarted kubelet's decision: adopt, replace or remove each container
 *   metrics/                  CPU and memory per container and node, for `kubectl top` (given)
 */
import type { KubeletExtensions } from "../05-pods/index.ts";
import type { Controllers } from "../08-replication/index.ts";
import {
  NODE_LIFECYCLE,
  newNodeLifecycleController,
  type NodeLifecycleOptions,
} from "./node-lifecycle/node-lifecycle-controller.ts";
import { probeManager } from "./probes/probe-manager.ts";
import type Docker from "dockerode";
import type { Node, Pod } from "../../shared/api/index.ts";
import type { ApiServer } from "../03-apiserver/index.ts";
import { installMetricsApi } from "./metrics/apiserver.ts";
import { MetricsServer } from "./metrics/metrics-server.ts";

export { probeManager, KubeletProbeManager } from "./probes/probe-manager.ts";
export { runProbe, type ProbeOutcome, type ProbeResult, type ProbeTarget } from "./probes/prober.ts";
export { ProbeWorker, ResultCounter } from "./probes/worker.ts";
export {
  NODE_LIFECYCLE,
  NodeLifecycleController,
  newNodeLifecycleController,
  type NodeLifecycleOptions,
} from "./node-lifecycle/node-lifecycle-controller.ts";
export { TAINT_NOT_READY, TAINT_UNREACHABLE, reconcileTaints } from "./node-lifecycle/taints.ts";
export { evictionTime, podsToEvict } from "./node-lifecycle/eviction.ts";
export { markUnknown, NodeHealth } from "./node-lifecycle/health.ts";
export { planAdoption, type AdoptionPlan } from "./restart/adoption.ts";
export { MetricsServer } from "./metrics/metrics-server.ts";
export { fromEngineStats, nodeSummary } from "./metrics/summary.ts";
export { metricsResources } from "./metrics/apiserver.ts";

/** The controllers of this chapter, for chapter 08's startControllerManager(): the node lifecycle controller. */
export function controllers(options: NodeLifecycleOptions = {}): Controllers {
  return { [NODE_LIFECYCLE]: newNodeLifecycleController(options) };
}

/** What this chapter adds to every kubelet: readiness and liveness probes. */
export function kubeletExtensions(): KubeletExtensions {
  return { probes: probeManager() };
}

/**
 * Starts the metrics server and serves metrics.k8s.io/v1beta1 through the
 * apiserver (what `kubectl top` reads). It reads nodes and pods from the
 * apiserver's storage and the figures from the engine, only for containers
 * with this cluster's labels.
 */
export function installMetrics(
  apiserver: ApiServer,
  options: { docker: Docker; labels: Record<string, string>; resolutionMs?: number },
): MetricsServer {
  const resource = (plural: string) => apiserver.registry.lookup("", "v1", plural)!;
  const server = new MetricsServer({
    ...options,
    nodes: async () => (await apiserver.storage.list(resource("nodes"), undefined)).items as Node[],
    pods: async () => (await apiserver.storage.list(resource("pods"), undefined)).items as Pod[],
  });
  installMetricsApi(apiserver, server);
  return server;
}
