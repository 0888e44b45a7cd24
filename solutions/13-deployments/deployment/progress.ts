/**
 * The status of a Deployment, and its two conditions:
 *
 *   Available    True when at least replicas - maxUnavailable pods are available.
 *   Progressing  True while the rollout moves (reason ReplicaSetUpdated) and once
 *                it is done (NewReplicaSetAvailable); False when nothing moved for
 *                progressDeadlineSeconds (ProgressDeadlineExceeded); Unknown while
 *                paused (DeploymentPaused).
 *
 * `kubectl rollout status` reads them: it waits until observedGeneration
 * has caught up and updatedReplicas = availableReplicas = replicas, and it
 * fails on ProgressDeadlineExceeded.
 */
import type { AppsCondition, Deployment, DeploymentStatus, ReplicaSet } from "../../../shared/api/apps.ts";
import { timestamp } from "../../../shared/api/index.ts";
import { resolveFenceposts } from "./rollout.ts";

export const AVAILABLE = "Available";
export const PROGRESSING = "Progressing";

/** The numbers of the status, summed over the ReplicaSets (newRS: the current template's, if any). */
export function countReplicas(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet | undefined): DeploymentStatus {
  const sum = (f: (rs: ReplicaSet) => number | undefined) => all.reduce((n, rs) => n + (f(rs) ?? 0), 0);
  const available = sum((rs) => rs.status?.availableReplicas);
  return {
    observedGeneration: d.metadata?.generation,
    replicas: sum((rs) => rs.status?.replicas),
    updatedReplicas: newRS?.status?.replicas ?? 0,
    readyReplicas: sum((rs) => rs.status?.readyReplicas),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, sum((rs) => rs.spec?.replicas) - available),
    ...(d.status?.collisionCount ? { collisionCount: d.status.collisionCount } : {}),
  };
}

/** The condition list with `next` in place of the same type. The transition time moves only when the status changes. */
export function setCondition(conditions: AppsCondition[] | undefined, next: AppsCondition): AppsCondition[] {
  const previous = conditions?.find((c) => c.type === next.type);
  const merged = { ...next };
  if (previous && previous.status === next.status) merged.lastTransitionTime = previous.lastTransitionTime;
  // The same story again is no news, except "it moved again" (its time is what the deadline counts from).
  if (previous && previous.reason === next.reason && next.reason !== "ReplicaSetUpdated") merged.lastUpdateTime = previous.lastUpdateTime;
  return [...(conditions ?? []).filter((c) => c.type !== next.type), merged];
}

function condition(type: string, status: AppsCondition["status"], reason: string, message: string, now: Date): AppsCondition {
  return { type, status, lastUpdateTime: timestamp(now), lastTransitionTime: timestamp(now), reason, message };
}

/** Old pods are gone and every wanted pod runs the new template and is available. */
export function rolloutComplete(d: Deployment, status: DeploymentStatus): boolean {
  const replicas = d.spec?.replicas ?? 1;
  return status.updatedReplicas === replicas && status.replicas === replicas && status.availableReplicas === replicas && (status.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
}

/** Did this status move the rollout forward compared with the last one? */
function progressed(before: DeploymentStatus | undefined, after: DeploymentStatus): boolean {
  const old = (s: DeploymentStatus | undefined) => (s?.replicas ?? 0) - (s?.updatedReplicas ?? 0);
  return (
    (after.updatedReplicas ?? 0) > (before?.updatedReplicas ?? 0) ||
    (after.readyReplicas ?? 0) > (before?.readyReplicas ?? 0) ||
    (after.availableReplicas ?? 0) > (before?.availableReplicas ?? 0) ||
    old(after) < old(before)
  );
}

// STEP(13.5): the Deployment's next status: the counts (countReplicas(),
// given) and both conditions. Available follows the fenceposts. Progressing
// must tell three stories apart: done, moving, and stuck for longer than
// progressDeadlineSeconds since it last moved (lastUpdateTime). A paused
// Deployment has no deadline. `created` says the sync just made the new
// ReplicaSet. Tests: "13.5 conditions ...", "13 chapter > ... deadline".
export function nextStatus(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet | undefined, created: boolean, now: Date): DeploymentStatus {
  const status = countReplicas(d, all, newRS);
  //#solution
  const replicas = d.spec?.replicas ?? 1;
  const { maxUnavailable } = resolveFenceposts(d);
  const strategyMax = d.spec?.strategy?.type === "Recreate" ? 0 : maxUnavailable;
  let conditions = d.status?.conditions ?? [];
  conditions =
    (status.availableReplicas ?? 0) >= replicas - strategyMax
      ? setCondition(conditions, condition(AVAILABLE, "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", now))
      : setCondition(conditions, condition(AVAILABLE, "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", now));
  const name = newRS?.metadata?.name ?? "";
  const current = conditions.find((c) => c.type === PROGRESSING);
  if (d.spec?.paused) {
    conditions = setCondition(conditions, condition(PROGRESSING, "Unknown", "DeploymentPaused", "Deployment is paused", now));
  } else if (rolloutComplete(d, status)) {
    conditions = setCondition(conditions, condition(PROGRESSING, "True", "NewReplicaSetAvailable", `ReplicaSet "${name}" has successfully progressed.`, now));
  } else if (created) {
    conditions = setCondition(conditions, condition(PROGRESSING, "True", "NewReplicaSetCreated", `Created new replica set "${name}"`, now));
  } else if (!current || current.reason === "DeploymentPaused" || progressed(d.status, status)) {
    const reason = current?.reason === "DeploymentPaused" ? "DeploymentResumed" : "ReplicaSetUpdated";
    const message = reason === "DeploymentResumed" ? "Deployment is resumed" : `ReplicaSet "${name}" is progressing.`;
    conditions = setCondition(conditions, condition(PROGRESSING, "True", reason, message, now));
  } else if (current.reason !== "ProgressDeadlineExceeded" && current.reason !== "NewReplicaSetAvailable") {
    const since = Date.parse(current.lastUpdateTime ?? "") || now.getTime();
    const deadline = (d.spec?.progressDeadlineSeconds ?? 600) * 1000;
    if (now.getTime() - since > deadline) {
      conditions = setCondition(conditions, condition(PROGRESSING, "False", "ProgressDeadlineExceeded", `ReplicaSet "${name}" has timed out progressing.`, now));
    }
  }
  status.conditions = conditions;
  return status;
  //#end
}
