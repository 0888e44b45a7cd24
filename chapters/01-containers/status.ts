/**
 * Docker's view of a container -> the runtime interface's view. Pure
 * functions over the JSON of `GET /containers/{id}/json` (inspect) and
 * `GET /containers/json` (list), so they can be tested without Docker.
 */
import type { ContainerState, ContainerStatus, ContainerSummary } from "../../shared/runtime/types.ts";
import { todo } from "../../shared/todo.ts";

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
  // TODO(01.5): Docker's state as one of the runtime's four (see above).
  // Tests: "01.5 status > maps Docker's seven states onto created, running and exited".
  todo("01.5");
}

export function toContainerSummary(info: ListJson): ContainerSummary {
  // TODO(01.5): a list entry as a ContainerSummary.
  todo("01.5");
}

export function toContainerStatus(info: InspectJson): ContainerStatus {
  // TODO(01.5): the status from Docker's inspect reply. Report only what has
  // happened: Docker fills unknown fields with zeros and empty strings, and a
  // zero must not read as "exit code 0" or "started in year 1". Times are
  // written as types.ts says (milliseconds, like toISOString()).
  // Tests: "01.5 status > leaves out what has not happened: a created container has no start time, exit code or pid".
  todo("01.5");
}
