/**
 * Docker's view of a container -> the runtime interface's view. Pure
 * functions over the JSON of `GET /containers/{id}/json` (inspect) and
 * `GET /containers/json` (list), so they can be tested without Docker.
 */
import type { ContainerState, ContainerStatus, ContainerSummary } from "../../shared/runtime/types.ts";

/** The fields of Docker's inspect reply that we read (dockerode's ContainerInspectInfo has them all). */
export interface InspectJson {
  Id: string;
  Name: string;
  Created: string;
  State: {
    Status: string;
    OOMKilled: boolean;
    Pid: number;
    ExitCode: number;
    Error: string;
    StartedAt: string;
    FinishedAt: string;
  };
  Config: { Image: string; Labels: Record<string, string> | null };
  NetworkSettings: { Networks: Record<string, { IPAddress: string }> | null };
}

/** The fields of one entry of Docker's list reply that we read (dockerode's ContainerInfo). */
export interface ListJson {
  Id: string;
  Names: string[];
  Image: string;
  Labels: Record<string, string> | null;
  State: string;
}

/** Docker leaves a timestamp it has not set yet at Go's zero time. */
const ZERO_TIME = "0001-01-01T00:00:00Z";

/**
 * Docker has seven states: created, running, paused, restarting, removing,
 * exited and dead. The runtime interface (like the CRI) has four: created,
 * running, exited and unknown. A paused or restarting container still has its
 * processes: running. A removing or dead one (removal failed half way) has
 * none: exited.
 */
export function toContainerState(dockerState: string): ContainerState {
  // STEP(01.5): Docker's state as one of the runtime's four (see above).
  // Tests: "01.5 status > maps Docker's seven states onto created, running and exited".
  //#solution
  switch (dockerState) {
    case "created":
      return "created";
    case "running":
    case "paused":
    case "restarting":
      return "running";
    case "removing":
    case "exited":
    case "dead":
      return "exited";
    default:
      return "unknown";
  }
  //#end
}

export function toContainerSummary(info: ListJson): ContainerSummary {
  // STEP(01.5): a list entry as a ContainerSummary.
  //#solution
  return {
    id: info.Id,
    name: (info.Names[0] ?? "").replace(/^\//, ""),
    image: info.Image,
    labels: info.Labels ?? {},
    state: toContainerState(info.State),
  };
  //#end
}

export function toContainerStatus(info: InspectJson): ContainerStatus {
  // STEP(01.5): the status from Docker's inspect reply. Report only what has
  // happened: Docker fills unknown fields with zeros and empty strings, and a
  // zero must not read as "exit code 0" or "started in year 1". Times are
  // written as types.ts says (milliseconds, like toISOString()).
  // Tests: "01.5 status > leaves out what has not happened: a created container has no start time, exit code or pid".
  //#solution
  const state = toContainerState(info.State.Status);
  const time = (t: string) => (t && t !== ZERO_TIME ? new Date(t).toISOString() : undefined);
  // A container has one address per network it is attached to; a container
  // that joined another's network namespace (or has "none") has none of its own.
  const ip = Object.values(info.NetworkSettings.Networks ?? {})
    .map((n) => n.IPAddress)
    .find((address) => address);
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ""),
    image: info.Config.Image,
    labels: info.Config.Labels ?? {},
    state,
    exitCode: state === "exited" ? info.State.ExitCode : undefined,
    oomKilled: info.State.OOMKilled,
    createdAt: new Date(info.Created).toISOString(),
    startedAt: time(info.State.StartedAt),
    finishedAt: state === "exited" ? time(info.State.FinishedAt) : undefined,
    ip,
    pid: info.State.Pid > 0 ? info.State.Pid : undefined,
    error: info.State.Error || undefined,
  };
  //#end
}
