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
 */
import { registerController } from "../08-replication/controller-manager/controller-manager.ts";
import { NODE_LIFECYCLE, newNodeLifecycleController, type NodeLifecycleOptions } from "./node-lifecycle/node-lifecycle-controller.ts";

export { probeManager, KubeletProbeManager } from "./probes/probe-manager.ts";
export { runProbe, type ProbeOutcome, type ProbeResult, type ProbeTarget } from "./probes/prober.ts";
export { ProbeWorker, ResultCounter } from "./probes/worker.ts";
export { NODE_LIFECYCLE, NodeLifecycleController, newNodeLifecycleController, type NodeLifecycleOptions } from "./node-lifecycle/node-lifecycle-controller.ts";
export { TAINT_NOT_READY, TAINT_UNREACHABLE, reconcileTaints } from "./node-lifecycle/taints.ts";
export { evictionTime, podsToEvict } from "./node-lifecycle/eviction.ts";
export { markUnknown, NodeHealth } from "./node-lifecycle/health.ts";
export { planAdoption, type AdoptionPlan } from "./restart/adoption.ts";

/**
 * Adds the node lifecycle controller to every controller manager started
 * from now on, with these settings (the last call wins).
 */
export function installNodeLifecycle(options: NodeLifecycleOptions = {}): void {
  registerController(NODE_LIFECYCLE, newNodeLifecycleController(options));
}
