/** The columns of `kubectl get pods`, computed the way kubectl's printer does. */
import { age, type Pod } from "../../../../shared/api/index.ts";
import { ageColumn, column, nameColumn } from "../../table/table.ts";
import type { TableConvertor } from "../types.ts";

/** The STATUS column: the phase, or the most telling container state (CrashLoopBackOff, Completed, Terminating...). */
export function podStatusText(pod: Pod): string {
  let reason: string = pod.status?.reason ?? pod.status?.phase ?? "Pending";
  const statuses = [...(pod.status?.containerStatuses ?? [])].reverse();
  let running = false;
  for (const s of statuses) {
    if (s.state?.waiting?.reason) reason = s.state.waiting.reason;
    else if (s.state?.terminated?.reason) reason = s.state.terminated.reason;
    else if (s.state?.terminated) {
      reason = s.state.terminated.signal ? `Signal:${s.state.terminated.signal}` : `ExitCode:${s.state.terminated.exitCode}`;
    } else if (s.ready && s.state?.running) running = true;
  }
  if (running && reason === "Completed") reason = "Running";
  if (pod.metadata?.deletionTimestamp) reason = pod.status?.reason === "NodeLost" ? "Unknown" : "Terminating";
  return reason;
}

export const podTable: TableConvertor = {
  columns: [
    nameColumn(),
    column("Ready", "The number of ready containers of all containers."),
    column("Status", "The aggregate status of the containers in this pod."),
    column("Restarts", "The number of times the containers in this pod have been restarted.", 0, "string"),
    ageColumn(),
    column("IP", "The IP address of the pod.", 1),
    column("Node", "The node the pod runs on.", 1),
    column("Nominated Node", "The node a preempting pod is nominated to run on.", 1),
    column("Readiness Gates", "Extra conditions for readiness.", 1),
  ],
  cells(obj, now) {
    const pod = obj as Pod;
    const total = pod.spec?.containers?.length ?? 0;
    const statuses = pod.status?.containerStatuses ?? [];
    const ready = statuses.filter((s) => s.ready).length;
    const restarts = statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0);
    const gates =
      pod.spec && "readinessGates" in pod.spec ? ((pod.spec as { readinessGates?: unknown[] }).readinessGates?.length ?? 0) : 0;
    return [
      pod.metadata?.name ?? "",
      `${ready}/${total}`,
      podStatusText(pod),
      String(restarts),
      age(pod.metadata?.creationTimestamp, now),
      pod.status?.podIP ?? "<none>",
      pod.spec?.nodeName ?? "<none>",
      pod.status?.nominatedNodeName ?? "<none>",
      gates > 0 ? `0/${gates}` : "<none>",
    ];
  },
};
