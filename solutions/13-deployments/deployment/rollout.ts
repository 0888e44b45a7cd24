/**
 * The rollout decisions of a RollingUpdate, as pure functions: given the
 * Deployment's numbers and its ReplicaSets' numbers, how many pods each
 * ReplicaSet should have next. No I/O, so the tests try every case in
 * microseconds; the controller (deployment-controller.ts) does the writes.
 *
 * The two limits, for replicas: 4, maxSurge: 1, maxUnavailable: 1:
 *
 *   at most  replicas + maxSurge       = 5 pods exist (old + new, any state)
 *   at least replicas - maxUnavailable = 3 pods are available
 *
 *   old 4 new 0   ->  scale new up to 1          (5 pods: the surge is used)
 *   old 4 new 1   ->  scale old down to 3        (new not ready yet: 3 available, no more)
 *   new 1 ready   ->  scale old down to 2, new up to 2 ... until old 0 new 4
 *
 * Each step waits for the last one to show in the ReplicaSets' status:
 * the controller runs again whenever a ReplicaSet or a pod changes.
 */
import type { Deployment } from "../../../shared/api/apps.ts";
import { scaledValue } from "../apiserver/int-or-percent.ts";

/** What the rollout reads of one ReplicaSet. */
export interface SetCounts {
  name: string;
  /** spec.replicas: what the ReplicaSet is asked to run. */
  replicas: number;
  /** status.availableReplicas: pods Ready for at least minReadySeconds. */
  available: number;
}

/** The two limits of a rolling update, as pod counts. */
export interface Fenceposts {
  maxSurge: number;
  maxUnavailable: number;
}

// STEP(13.1): spec.strategy.rollingUpdate as pod counts of spec.replicas,
// rounded so that the rollout can always move and the service stays up:
// 10 pods at 25%/25% -> surge 3, unavailable 2; 1 pod at 0%/25% -> 0, 1
// (0 and 0 could never move). Unset, spec.replicas is 1 and each limit
// 25% (the apiserver's defaults). Tests: "13.1 fenceposts ...".
export function resolveFenceposts(d: Deployment): Fenceposts {
  //#solution
  const replicas = d.spec?.replicas ?? 1;
  const rolling = d.spec?.strategy?.rollingUpdate;
  const maxSurge = scaledValue(rolling?.maxSurge ?? "25%", replicas, true);
  const maxUnavailable = scaledValue(rolling?.maxUnavailable ?? "25%", replicas, false);
  if (maxSurge === 0 && maxUnavailable === 0) return { maxSurge: 0, maxUnavailable: 1 };
  return { maxSurge, maxUnavailable };
  //#end
}

// STEP(13.1): the next spec.replicas of the new ReplicaSet: as large as
// replicas + maxSurge allows, counting the pods of every ReplicaSet in
// `all` (the new one is among them) in any state; never more than
// replicas; and never less than it has now, even over the limit (the old
// ones shrink first). Tests: "13.1 scale up ...".
export function newReplicaSetTarget(replicas: number, fence: Fenceposts, all: SetCounts[], current: SetCounts): number {
  //#solution
  const total = all.reduce((n, s) => n + s.replicas, 0);
  const maxTotal = replicas + fence.maxSurge;
  if (total >= maxTotal) return current.replicas;
  const scaleUp = Math.min(maxTotal - total, replicas - current.replicas);
  return current.replicas + Math.max(0, scaleUp);
  //#end
}

// STEP(13.2): the next spec.replicas of each old ReplicaSet (a map by
// name; leave out the ones that do not change). The pods that are not
// available in old ReplicaSets go first: removing them costs no
// availability. Then available old pods may go, oldest ReplicaSet first
// (`old` is sorted oldest first), as long as replicas - maxUnavailable pods
// stay available, counting that the new ReplicaSet's unavailable pods may
// never come up. Example: replicas 3, maxUnavailable 1, the old ReplicaSet
// 3 of 3 available, the new one 1 pod not available yet: one old pod may go.
// Tests: "13.2 scale down ...".
export function oldReplicaSetTargets(
  replicas: number,
  fence: Fenceposts,
  old: SetCounts[],
  current: SetCounts,
): Map<string, number> {
  //#solution
  const targets = new Map<string, number>();
  const all = [...old, current];
  const total = all.reduce((n, s) => n + s.replicas, 0);
  const minAvailable = replicas - fence.maxUnavailable;
  const newUnavailable = Math.max(0, current.replicas - current.available);
  let budget = total - minAvailable - newUnavailable;
  if (budget <= 0) return targets;
  // 1. Unhealthy old pods: they serve nothing.
  const next = new Map(old.map((s) => [s.name, s.replicas]));
  for (const s of old) {
    if (budget <= 0) break;
    const unhealthy = Math.max(0, s.replicas - s.available);
    const cut = Math.min(unhealthy, budget);
    if (cut > 0) {
      next.set(s.name, s.replicas - cut);
      budget -= cut;
    }
  }
  // 2. Available old pods, while enough stay available.
  const available = all.reduce((n, s) => n + Math.min(s.available, next.get(s.name) ?? s.replicas), 0);
  let allowed = Math.min(available - minAvailable, budget);
  for (const s of old) {
    if (allowed <= 0) break;
    const now = next.get(s.name)!;
    const cut = Math.min(now, allowed);
    next.set(s.name, now - cut);
    allowed -= cut;
  }
  for (const s of old) if (next.get(s.name) !== s.replicas) targets.set(s.name, next.get(s.name)!);
  return targets;
  //#end
}
