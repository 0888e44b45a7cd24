/**
 * NodeResourcesFit: does the node have room for the pod's requests?
 *
 *   free = allocatable - sum of the requests of the pods already on the node
 *   fits when, for every resource the pod requests, request <= free,
 *   and one more pod does not exceed allocatable "pods".
 *
 * Failure reasons, word for word what kube-scheduler says: "Too many pods",
 * "Insufficient cpu", "Insufficient memory", "Insufficient <resource>".
 *
 * The same plugin scores feasible nodes with the LeastAllocated strategy:
 * the more of its CPU and memory would be left free after placing the pod,
 * the higher a node scores, so pods spread over the cluster.
 */
import type { Pod } from "../../../shared/api/index.ts";
import { CycleState, MAX_NODE_SCORE, SUCCESS, unschedulable, type Plugin, type Status } from "../framework/types.ts";
import type { NodeInfo } from "../framework/node-info.ts";
import { podRequests, type Resources } from "../framework/requests.ts";

export const NAME = "NodeResourcesFit";
const STATE_KEY = "PreFilter" + NAME;
const SCORE_KEY = "PreScore" + NAME;

/** The pod's requests, computed once per cycle by preFilter (or here, when a test calls filter alone). */
function requestsOf(state: CycleState, pod: Pod): Resources {
  let requests = state.read<Resources>(STATE_KEY);
  if (!requests) {
    requests = podRequests(pod);
    state.write(STATE_KEY, requests);
  }
  return requests;
}

const rank = (name: string) => (name === "cpu" ? 0 : name === "memory" ? 1 : 2);
const byReasonOrder = (a: string, b: string) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
const orders = new WeakMap<Resources, string[]>();

/**
 * The resources a request asks for, except "pods", in the order of the
 * reasons: CPU and memory first, then the others by name. The filter asks
 * this for every node with the same request object, so the list is made
 * once per request and remembered (the request must not change afterwards).
 */
export function requestOrder(request: Resources): string[] {
  let names = orders.get(request);
  if (!names) {
    names = Object.keys(request)
      .filter((n) => n !== "pods")
      .sort(byReasonOrder);
    orders.set(request, names);
  }
  return names;
}

/**
 * Why `request` does not fit on the node: [] when it fits. A resource the
 * pod requests 0 of never fails; a resource the node does not list has 0
 * allocatable.
 */
export function insufficientResources(request: Resources, nodeInfo: NodeInfo): string[] {
  // STEP(09.1): why the pod does not fit here ([] when it does): the pod count
  // first, then each resource of requestOrder(request), with Kubernetes'
  // reasons. Tests: "09.1 NodeResourcesFit".
  //#solution
  const reasons: string[] = [];
  const { allocatable, requested } = nodeInfo;
  if ((requested.pods ?? 0) + 1 > (allocatable.pods ?? 0)) reasons.push("Too many pods");
  // cpu and memory by name, as kube-scheduler's fitsRequest checks MilliCPU
  // and Memory before its loop over the other resources: this runs for
  // every node, and V8 reads a field named in the code several times faster
  // than a field named by a variable.
  const cpu = request.cpu ?? 0;
  if (cpu > 0 && cpu > (allocatable.cpu ?? 0) - (requested.cpu ?? 0)) reasons.push("Insufficient cpu");
  const memory = request.memory ?? 0;
  if (memory > 0 && memory > (allocatable.memory ?? 0) - (requested.memory ?? 0)) reasons.push("Insufficient memory");
  for (const name of requestOrder(request)) {
    if (name === "cpu" || name === "memory") continue;
    const want = request[name] ?? 0;
    if (want > 0 && want > (allocatable[name] ?? 0) - (requested[name] ?? 0)) reasons.push(`Insufficient ${name}`);
  }
  return reasons;
  //#end
}

/**
 * LeastAllocated: for CPU and memory, the share of the node left free after
 * adding the pod, 0..100 (integer arithmetic like Kubernetes); the node's
 * score is their average. Uses the non-zero requests, so pods that ask for
 * nothing still count.
 */
export function leastAllocatedScore(
  pod: Pod,
  nodeInfo: NodeInfo,
  podRequest: Resources = podRequests(pod, { nonZero: true }),
): number {
  // STEP(09.6): prefer the emptier node: for cpu and memory, the percentage
  // left free once the pod is added (non-zero requests; 0 when over), then the
  // floored average. Tests: "09.6 scores".
  //#solution
  // cpu and memory by name, not in a loop over ["cpu", "memory"]: this runs
  // for every scored node, and V8 reads a field named in the code several
  // times faster than a field named by a variable.
  const { allocatable, nonZeroRequested } = nodeInfo;
  let total = 0;
  const cpu = allocatable.cpu ?? 0;
  const cpuUsed = (nonZeroRequested.cpu ?? 0) + (podRequest.cpu ?? 0);
  if (cpu > 0 && cpuUsed <= cpu) total += Math.floor(((cpu - cpuUsed) * MAX_NODE_SCORE) / cpu);
  const memory = allocatable.memory ?? 0;
  const memoryUsed = (nonZeroRequested.memory ?? 0) + (podRequest.memory ?? 0);
  if (memory > 0 && memoryUsed <= memory) total += Math.floor(((memory - memoryUsed) * MAX_NODE_SCORE) / memory);
  return Math.floor(total / 2);
  //#end
}

export const nodeResourcesFit: Plugin = {
  name: NAME,
  preFilter(state, pod): Status | undefined {
    requestsOf(state, pod); // throws on a malformed quantity: the scheduler reports it
    return undefined;
  },
  filter(state, pod, nodeInfo) {
    const reasons = insufficientResources(requestsOf(state, pod), nodeInfo);
    return reasons.length === 0 ? SUCCESS : unschedulable(...reasons);
  },
  preScore(state, pod) {
    state.write(SCORE_KEY, podRequests(pod, { nonZero: true }));
  },
  score(state, pod, nodeInfo) {
    return leastAllocatedScore(pod, nodeInfo, state.read<Resources>(SCORE_KEY));
  },
};
