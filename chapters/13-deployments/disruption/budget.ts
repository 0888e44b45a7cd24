/**
 * The arithmetic of a PodDisruptionBudget: from the budget, its pods and
 * the scale of their controllers to the status that the eviction
 * subresource reads. Kubernetes does this in pkg/controller/disruption
 * (getExpectedPodCount, countHealthyPods, updatePdbStatus).
 *
 *   minAvailable: 2        expected = the selected pods      desired = 2
 *   minAvailable: "50%"    expected = the controllers' scale desired = ceil(50% of expected)
 *   maxUnavailable: 1|"x%" expected = the controllers' scale desired = expected - ceil(x% of expected)
 *
 *   healthy  = Ready, not being deleted, not just evicted (status.disruptedPods)
 *   allowed  = max(0, healthy - desired)
 *
 * Why the controllers' scale and not the pods that exist? During a drain a
 * pod is gone before its replacement exists. Counting only live pods would
 * make "50% of 4" become "50% of 3", and the budget would shrink with every
 * eviction. The scale (spec.replicas) says how many there should be.
 */
import type { Pod } from "../../../shared/api/index.ts";
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from "../../../shared/api/policy.ts";
import { isPodReady } from "../../08-replication/replication/reconcile.ts";
import { scaledValue } from "../apiserver/int-or-percent.ts";
import { toLabelSelector } from "../apiserver/selector.ts";

/**
 * Does the budget cover this pod? Same namespace, and the selector matches.
 * In policy/v1 a missing selector matches no pod; an empty one ({}) matches
 * every pod of the namespace.
 */
export function selects(pdb: PodDisruptionBudget, pod: Pod): boolean {
  if ((pdb.metadata?.namespace ?? "default") !== (pod.metadata?.namespace ?? "default")) return false;
  if (!pdb.spec?.selector) return false;
  return toLabelSelector(pdb.spec.selector).matches(pod.metadata?.labels);
}

/** How long an eviction's entry in status.disruptedPods holds a pod out of the count (Kubernetes: DeletionTimeout). */
export const DELETION_TIMEOUT_MS = 2 * 60_000;

/** The controllers' scale of the budget's pods, or why it cannot be known (a pod without a controller). */
export type Scale = { ok: true; replicas: number } | { ok: false; reason: string };

/** Does this budget need the controllers' scale (percentages, maxUnavailable), or only the pods? */
export function needsScale(pdb: PodDisruptionBudget): boolean {
  const spec = pdb.spec ?? {};
  return spec.maxUnavailable !== undefined || typeof spec.minAvailable === "string";
}

/** The expected and desired counts; undefined when a needed scale is unknown. */
export function expectedAndDesired(
  pdb: PodDisruptionBudget,
  pods: readonly Pod[],
  scale: Scale,
): { expected: number; desired: number } | { error: string } {
  const spec = pdb.spec ?? {};
  if (!needsScale(pdb)) return { expected: pods.length, desired: Number(spec.minAvailable ?? 0) };
  if (!scale.ok) return { error: scale.reason };
  const expected = scale.replicas;
  if (spec.maxUnavailable !== undefined)
    return { expected, desired: Math.max(0, expected - scaledValue(spec.maxUnavailable, expected, true)) };
  return { expected, desired: scaledValue(spec.minAvailable, expected, true) };
}

/** The entries of status.disruptedPods still in force: the pod is there, not yet deleting, and the entry is recent. */
export function liveDisruptedPods(
  pdb: PodDisruptionBudget,
  pods: readonly Pod[],
  now: number,
): { live: Record<string, string>; nextExpiry: number | undefined } {
  const live: Record<string, string> = {};
  let nextExpiry: number | undefined;
  const byName = new Map(pods.map((p) => [p.metadata?.name ?? "", p]));
  for (const [name, since] of Object.entries(pdb.status?.disruptedPods ?? {})) {
    const pod = byName.get(name);
    if (!pod || pod.metadata?.deletionTimestamp) continue;
    const expiry = Date.parse(since) + DELETION_TIMEOUT_MS;
    if (!(expiry > now)) continue;
    live[name] = since;
    nextExpiry = Math.min(nextExpiry ?? expiry, expiry);
  }
  return { live, nextExpiry };
}

/** The new status of a budget. `now` is in ms; the result also says when to look again (an entry expiring). */
export function budgetStatus(
  pdb: PodDisruptionBudget,
  pods: readonly Pod[],
  scale: Scale,
  now: number,
): { status: PodDisruptionBudgetStatus; recheckAt: number | undefined } {
  const { live, nextExpiry } = liveDisruptedPods(pdb, pods, now);
  const healthy = pods.filter((p) => !p.metadata?.deletionTimestamp && !live[p.metadata?.name ?? ""] && isPodReady(p)).length;
  const counts = expectedAndDesired(pdb, pods, scale);
  const generation = pdb.metadata?.generation ?? 1;
  const base = {
    observedGeneration: generation,
    currentHealthy: healthy,
    ...(Object.keys(live).length ? { disruptedPods: live } : {}),
  };
  const old = pdb.status?.conditions?.find((c) => c.type === "DisruptionAllowed");
  const condition = (status: "True" | "False", reason: string, message = "") => ({
    type: "DisruptionAllowed",
    status,
    reason,
    ...(message ? { message } : {}),
    observedGeneration: generation,
    lastTransitionTime:
      old?.status === status ? (old.lastTransitionTime ?? new Date(now).toISOString()) : new Date(now).toISOString(),
  });
  if ("error" in counts) {
    // Fail safe, as Kubernetes does: a budget it cannot compute allows no disruption.
    return {
      status: {
        ...base,
        desiredHealthy: 0,
        expectedPods: 0,
        disruptionsAllowed: 0,
        conditions: [condition("False", "SyncFailed", counts.error)],
      },
      recheckAt: nextExpiry,
    };
  }
  const allowed = counts.expected > 0 ? Math.max(0, healthy - counts.desired) : 0;
  return {
    status: {
      ...base,
      desiredHealthy: counts.desired,
      expectedPods: counts.expected,
      disruptionsAllowed: allowed,
      conditions: [allowed > 0 ? condition("True", "SufficientPods") : condition("False", "InsufficientPods")],
    },
    recheckAt: nextExpiry,
  };
}
