/**
 * The status of an RC: what the controller observed, for people (kubectl get
 * rc: CURRENT, READY) and for programs (a rolling update waits on
 * readyReplicas; anyone can tell from observedGeneration whether the
 * controller has seen the latest spec).
 */
import { timestamp, type Pod } from "../../../shared/api/index.ts";
import type { ReplicationController, ReplicationControllerCondition, ReplicationControllerStatus } from "../../../shared/api/replication.ts";
import { isPodReady, readySince } from "./reconcile.ts";
import { todo } from "../../../shared/todo.ts";

/** Why the last create or delete failed, for the ReplicaFailure condition. */
export interface ReplicaFailure {
  reason: "FailedCreate" | "FailedDelete";
  message: string;
}

/** The condition list with ReplicaFailure set (when `failure`) or removed (when not). */
function withFailureCondition(conditions: ReplicationControllerCondition[] | undefined, failure: ReplicaFailure | undefined, now: Date): ReplicationControllerCondition[] | undefined {
  const others = (conditions ?? []).filter((c) => c.type !== "ReplicaFailure");
  if (!failure) return others.length > 0 ? others : undefined;
  const previous = conditions?.find((c) => c.type === "ReplicaFailure");
  const same = previous?.reason === failure.reason && previous.message === failure.message;
  const condition: ReplicationControllerCondition = {
    type: "ReplicaFailure",
    status: "True",
    lastTransitionTime: same && previous?.lastTransitionTime ? previous.lastTransitionTime : timestamp(now),
    reason: failure.reason,
    message: failure.message,
  };
  return [...others, condition];
}

// TODO(08.4): what the controller reports about the pods it owns: how many,
// how many carry every template label, Ready, available (Ready for
// minReadySeconds), the generation it acted on, and the ReplicaFailure
// condition (withFailureCondition). Tests: "08.4 status > ...".
export function calculateStatus(rc: ReplicationController, pods: Pod[], now: Date, failure?: ReplicaFailure): ReplicationControllerStatus {
  todo("08.4");
}
