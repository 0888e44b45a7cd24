/**
 * Pod status: what the kubelet saw, in the words of the API.
 *
 * The kubelet is the only writer of a pod's status after the binding. On
 * every sync it looks at the pod's containers on the engine and computes:
 *
 *   phase              Pending -> Running -> Succeeded | Failed
 *   conditions         PodScheduled, Initialized, ContainersReady, Ready
 *   podIP, hostIP      the pause container's address; the node's address
 *   containerStatuses  per container: state (waiting | running | terminated),
 *                      lastState (the instance before), ready, restartCount,
 *                      image, containerID ("docker://<id>")
 *
 * then writes it through the status subresource (PUT .../pods/NAME/status).
 */
import {
  deepEqual,
  timestamp,
  type ContainerState,
  type ContainerStatus,
  type Pod,
  type PodCondition,
  type PodPhase,
  type PodStatus,
} from "../../../shared/api/index.ts";
import type { ContainerStatus as RuntimeStatus } from "../../../shared/runtime/types.ts";
import type { PodContainers } from "./containers.ts";
import { restartCountOf } from "./containers.ts";

/** Why a container is not running although it should: set by the sync (CrashLoopBackOff, CreateContainerConfigError...). */
export interface Waiting {
  reason: string;
  message?: string;
}

export interface StatusInput {
  pod: Pod;
  /** What is on the engine for this pod (undefined: nothing yet). */
  observed: PodContainers | undefined;
  /** Containers the sync could not (re)start, by name. */
  waiting: Map<string, Waiting>;
  /** The node's address. */
  hostIP: string;
  /** "docker": the prefix of container IDs. */
  runtimeName: string;
  /** Whether a running container is ready. Without probes (chapter 12): running = ready. */
  isReady(containerName: string, running: RuntimeStatus): boolean;
  now?: Date;
}

/** The API's view of one finished container instance. */
export function terminatedState(c: RuntimeStatus, runtimeName: string): ContainerState {
  const exitCode = c.exitCode ?? 0;
  const reason = c.oomKilled ? "OOMKilled" : exitCode === 0 ? "Completed" : "Error";
  return {
    terminated: { exitCode, reason, startedAt: c.startedAt, finishedAt: c.finishedAt, containerID: `${runtimeName}://${c.id}` },
  };
}

/** The status of every container in spec.containers. */
export function containerStatuses(input: StatusInput): ContainerStatus[] {
  const { pod, observed, waiting, runtimeName } = input;
  // STEP(05.5): one ContainerStatus per spec container, from its newest
  // instance (state) and the one before (lastState). A reason in `waiting`
  // wins over what the engine says. `ready` needs running AND input.isReady().
  // Tests: "05.5 container statuses > ...", "05.5 status > restartPolicy Never ...".
  //#solution
  return (pod.spec?.containers ?? []).map((spec) => {
    const [current, previous] = observed?.containers.get(spec.name) ?? [];
    const why = waiting.get(spec.name);
    let state: ContainerState;
    let lastState: ContainerState = previous?.state === "exited" ? terminatedState(previous, runtimeName) : {};
    if (why) {
      state = { waiting: { reason: why.reason, ...(why.message ? { message: why.message } : {}) } };
      if (current?.state === "exited") lastState = terminatedState(current, runtimeName);
    } else if (current?.state === "running") {
      state = { running: { startedAt: current.startedAt } };
    } else if (current?.state === "exited") {
      state = terminatedState(current, runtimeName);
    } else if (current?.error) {
      // Created, but the engine could not start it (no such executable...).
      state = { waiting: { reason: "RunContainerError", message: current.error } };
    } else {
      state = { waiting: { reason: "ContainerCreating" } };
    }
    const running = current?.state === "running" && !why;
    return {
      name: spec.name,
      state,
      lastState,
      ready: running && input.isReady(spec.name, current),
      restartCount: current ? restartCountOf(current) : 0,
      image: spec.image ?? "",
      imageID: current?.image ?? "",
      ...(current ? { containerID: `${runtimeName}://${current.id}` } : {}),
      started: running,
    };
  });
  //#end
}

/**
 * The phase, from the container statuses and the restart policy (Kubernetes'
 * getPhase): a pod is Pending while a container has not started, Running
 * while one runs or will be restarted, Succeeded when all exited 0 and will
 * stay so, Failed when all exited and one failed and none will restart.
 */
export function podPhase(pod: Pod, statuses: ContainerStatus[]): PodPhase {
  // STEP(05.5): Kubernetes' phase from the container statuses:
  //   any container never started       -> Pending
  //   any running                       -> Running
  //   all stopped: restartPolicy Always -> Running (they restart)
  //                all exited 0         -> Succeeded
  //                Never                -> Failed; OnFailure -> Running
  // "Never started" is state.waiting with no lastState.terminated. A
  // container waiting in CrashLoopBackOff has a lastState.terminated: it
  // counts as stopped, so a crash-looping pod stays Running, not Pending.
  // Tests: "05.5 phase > ...", "05.5 status > restartPolicy Never ...".
  //#solution
  let running = 0;
  let notStarted = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of statuses) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.lastState?.terminated) {
      stopped++;
    } else notStarted++;
  }
  if (notStarted > 0 || statuses.length === 0) return "Pending";
  if (running > 0) return "Running";
  const policy = pod.spec?.restartPolicy ?? "Always";
  if (policy === "Always") return "Running";
  if (stopped === succeeded) return "Succeeded";
  if (policy === "Never") return "Failed";
  return "Running";
  //#end
}

/** A condition, keeping its lastTransitionTime when its status did not change. */
function condition(
  old: PodCondition[] | undefined,
  type: string,
  ok: boolean,
  now: Date,
  reason?: string,
  message?: string,
): PodCondition {
  const status = ok ? "True" : "False";
  const before = old?.find((c) => c.type === type);
  return {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime: before?.status === status && before.lastTransitionTime ? before.lastTransitionTime : timestamp(now),
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
}

/** The whole status the kubelet writes. */
export function generatePodStatus(input: StatusInput): PodStatus {
  const { pod, observed, hostIP } = input;
  const now = input.now ?? new Date();
  const old = pod.status ?? {};
  const statuses = containerStatuses(input);
  let phase = podPhase(pod, statuses);
  // A pod that finished stays finished: the kubelet never brings it back.
  if (old.phase === "Succeeded" || old.phase === "Failed") phase = old.phase;

  const unready = statuses.filter((s) => !s.ready).map((s) => s.name);
  const ready = unready.length === 0 && phase === "Running";
  const why =
    unready.length > 0
      ? ["ContainersNotReady", `containers with unready status: [${unready.join(" ")}]`]
      : phase === "Running"
        ? []
        : ["PodCompleted"];
  const conditions: PodCondition[] = [
    condition(old.conditions, "Initialized", true, now),
    condition(old.conditions, "Ready", ready, now, why[0], why[1]),
    condition(old.conditions, "ContainersReady", ready, now, why[0], why[1]),
    old.conditions?.find((c) => c.type === "PodScheduled") ?? condition(undefined, "PodScheduled", true, now),
  ];
  const sandbox = observed?.sandboxes[0];
  const podIP = sandbox?.state === "running" ? sandbox.ip : undefined;

  const status: PodStatus = {
    ...old,
    phase,
    conditions,
    hostIP,
    hostIPs: [{ ip: hostIP }],
    startTime: old.startTime ?? timestamp(now),
    containerStatuses: statuses,
  };
  if (podIP) {
    status.podIP = podIP;
    status.podIPs = [{ ip: podIP }];
  } else if (phase !== "Succeeded" && phase !== "Failed") {
    // Keep a finished pod's last address (as Kubernetes does); a pod without a sandbox yet has none.
    delete status.podIP;
    delete status.podIPs;
  }
  return status;
}

/**
 * True when writing `next` would change what the API has. The apiserver
 * drops null fields when it decodes a body (null means "not set"), so the
 * `lastProbeTime: null` written here comes back absent: compare without
 * nulls, or every sync would write the same status again (and each write
 * is a watch event that wakes this pod's worker once more).
 */
export function statusChanged(pod: Pod, next: PodStatus): boolean {
  return !deepEqual(withoutNulls(pod.status ?? {}), withoutNulls(next));
}

function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== null).map(withoutNulls);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).flatMap(([k, v]) => (v === null ? [] : [[k, withoutNulls(v)]])));
}
