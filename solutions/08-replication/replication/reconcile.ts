/**
 * The heart of the replication controller, as pure functions: given what
 * is wanted and what exists, what to do. No I/O, so the tests can try every
 * case in microseconds; the controller (replication-controller.ts) does the
 * talking to the apiserver.
 *
 *   wanted 3, active pods [a, b]          -> create 1
 *   wanted 1, active pods [a, b, c]       -> delete 2: the two that hurt least
 *   wanted 2, active pods [a, b]          -> nothing
 */
import type { Pod, PodPhase } from "../../../shared/api/index.ts";

/** A pod that counts toward the replicas: not finished, not being deleted. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed" && !pod.metadata?.deletionTimestamp;
}

/** Ready: its Ready condition is True (chapter 05: all containers run; chapter 12: probes pass). */
export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;
}

/** Since when the pod has been Ready (ms), or undefined. */
export function readySince(pod: Pod): number | undefined {
  const ready = pod.status?.conditions?.find((c) => c.type === "Ready" && c.status === "True");
  return ready?.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : undefined;
}

export type ReplicaAction = { kind: "none" } | { kind: "create"; count: number } | { kind: "delete"; pods: Pod[] };

/** The rank of a phase when choosing pods to delete: the earlier in a pod's life, the less it hurts. */
const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function restarts(pod: Pod): number {
  return (pod.status?.containerStatuses ?? []).reduce((n, s) => n + (s.restartCount ?? 0), 0);
}

// STEP(08.2): a sort comparator, negative when `a` should be deleted
// before `b`. Delete first what costs least to lose: a pod not yet on a
// node, not yet running, not Ready, Ready for less time, restarting more,
// younger. Keep the pod that has served for an hour without trouble.
// Tests: "08.2 the reconcile diff > deletes the surplus ...".
export function deletionOrder(a: Pod, b: Pod): number {
  //#solution
  const onNode = (p: Pod) => (p.spec?.nodeName ? 1 : 0);
  if (onNode(a) !== onNode(b)) return onNode(a) - onNode(b);
  const phase = (p: Pod) => PHASE_RANK[p.status?.phase as PodPhase] ?? 0;
  if (phase(a) !== phase(b)) return phase(a) - phase(b);
  const ready = (p: Pod) => (isPodReady(p) ? 1 : 0);
  if (ready(a) !== ready(b)) return ready(a) - ready(b);
  if (ready(a) === 1) {
    const since = (p: Pod) => readySince(p) ?? 0;
    if (since(a) !== since(b)) return since(b) - since(a);
  }
  if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
  const created = (p: Pod) => Date.parse(p.metadata?.creationTimestamp ?? "") || 0;
  return created(b) - created(a);
  //#end
}

// STEP(08.2): the reconcile diff between `wanted` and the `active` pods the
// RC owns. Never more than `burst` actions in one sync (a typo such as
// replicas: 50000 must not flood the apiserver); `active` is not reordered.
// Tests: "08.2 the reconcile diff > ...".
export function decideReplicas(wanted: number, active: Pod[], burst = 500): ReplicaAction {
  //#solution
  const diff = active.length - wanted;
  if (diff < 0) return { kind: "create", count: Math.min(-diff, burst) };
  if (diff > 0) return { kind: "delete", pods: [...active].sort(deletionOrder).slice(0, Math.min(diff, burst)) };
  return { kind: "none" };
  //#end
}
