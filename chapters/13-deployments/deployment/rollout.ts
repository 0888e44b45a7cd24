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
import { todo } from "../../../shared/todo.ts";

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

// TODO(13.1): spec.strategy.rollingUpdate as pod counts of spec.replicas,
// rounded so that the rollout can always move and the service stays up:
// 10 pods at 25%/25% -> surge 3, unavailable 2; 1 pod at 0%/25% -> 0, 1
// (0 and 0 could never move). Unset, spec.replicas is 1 and each limit
// 25% (the apiserver's defaults). Tests: "13.1 fenceposts ...".
export function resolveFenceposts(d: Deployment): Fenceposts {
  todo("13.1");
}

// TODO(13.1): the next spec.replicas of the new ReplicaSet: as large as
// replicas + maxSurge allows, counting the pods of every ReplicaSet in
// `all` (the new one is among them) in any state; never more than
// replicas; and never less than it has now, even over the limit (the old
// ones shrink first). Tests: "13.1 scale up ...".
export function newReplicaSetTarget(replicas: number, fence: Fenceposts, all: SetCounts[], current: SetCounts): number {
  todo("13.1");
}

// TODO(13.2): the next spec.replicas of each old ReplicaSet (a map by
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
  todo("13.2");
}
