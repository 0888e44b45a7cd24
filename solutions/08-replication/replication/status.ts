/**
 * The status of an RC: what the controller observed, for people (kubectl get
 * rc: CURRENT, READY) and for programs (a rolling update waits on
 * readyReplicas; anyone can tell from observedGeneration whether the
 * controller has seen the latest spec).
 */
import { timestamp, type Pod } from "../../../shared/api/index.ts";
import type { ReplicationController, ReplicationControllerCondition, ReplicationControllerStatus } from "../../../shared/api/replication.ts";
import { isPodReady, readySince } from "./reconcile.ts";

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

// STEP(08.4): what the controller reports about the pods it owns: how many,
// how many carry every template label, Ready, available (Ready for
// minReadySeconds), the generation it acted on, and the ReplicaFailure
// condition (withFailureCondition). Tests: "08.4 status > ...".
export function calculateStatus(rc: ReplicationController, pods: Pod[], now: Date, failure?: ReplicaFailure): ReplicationControllerStatus {
  //#solution
  const templateLabels = rc.spec?.template?.metadata?.labels ?? {};
  const minReadyMs = (rc.spec?.minReadySeconds ?? 0) * 1000;
  const fullyLabeled = pods.filter((p) => Object.entries(templateLabels).every(([k, v]) => p.metadata?.labels?.[k] === v));
  const ready = pods.filter(isPodReady);
  const available = ready.filter((p) => minReadyMs === 0 || (readySince(p) ?? Infinity) + minReadyMs <= now.getTime());
  const status: ReplicationControllerStatus = {
    replicas: pods.length,
    fullyLabeledReplicas: fullyLabeled.length,
    readyReplicas: ready.length,
    availableReplicas: available.length,
    observedGeneration: rc.metadata?.generation,
  };
  const conditions = withFailureCondition(rc.status?.conditions, failure, now);
  if (conditions) status.conditions = conditions;
  return status;
  //#end
}
