/**
 * DockerRuntime: the ContainerRuntime interface (shared/runtime/types.ts)
 * over a real Docker engine, through dockerode.
 *
 * This is the part of Kubernetes that the kubelet calls a "container runtime":
 * the kubelet never runs a process itself, it asks the runtime to pull an
 * image, create a container, start it, stop it, and to report what happened.
 * Docker's engine does the real work: it sets up namespaces (what a process
 * can see) and cgroups (what it may use), and stacks the image's layers into
 * the container's root filesystem.
 *
 * Every dockerode call is an HTTP request to the engine's socket:
 *   getImage(x).inspect()  GET  /images/x/json
 *   pull(x)                POST /images/create?fromImage=x
 *   createContainer(o)     POST /containers/create
 *   getContainer(id).start/stop/remove/inspect/logs/exec
 */
import type Docker from "dockerode";
import { connectDocker, pingDocker } from "../../shared/docker.ts";
import { RuntimeError } from "../../shared/runtime/errors.ts";
import {
  logText,
  type ContainerRuntime,
  type ContainerSpec,
  type ContainerStatus,
  type ContainerSummary,
  type ExecResult,
  type ImageProgress,
  type LogEntry,
  type LogOptions,
} from "../../shared/runtime/types.ts";
import { toCreateOptions } from "./container-config.ts";
import { demux } from "./demux.ts";
import {
  containerNotFound,
  engineMessage,
  fromDocker,
  imageNotFound,
  nameConflict,
  notRunning,
  statusOf,
} from "./docker-errors.ts";
import { toContainerStatus, toContainerSummary } from "./status.ts";
import { todo } from "../../shared/todo.ts";

/** One line of the JSON progress stream of `docker pull`. */
interface PullEvent {
  status?: string;
  error?: string;
  progressDetail?: { current?: number; total?: number };
}

export class DockerRuntime implements ContainerRuntime {
  /** `docker` is a connected client: connectDocker() from shared/docker.ts. */
  constructor(private readonly docker: Docker = connectDocker()) {}

  async ping(): Promise<void> {
    await pingDocker(this.docker);
  }

  async ensureImage(image: string, onProgress: (p: ImageProgress) => void = () => {}): Promise<void> {
    // TODO(01.1): make sure the engine answers (this.ping()), then look the
    // image up (this.hasImage(image), at the end of this class). If it is
    // missing, pull it (this.docker.pull), pass each progress event of the
    // pull on to onProgress, and if the pull fails throw
    // imageNotFound(image, why) from docker-errors.ts.
    todo("01.1");
  }

  async create(spec: ContainerSpec): Promise<string> {
    // TODO(01.3): turn the spec into Docker's options with toCreateOptions()
    // (step 01.2), create the container and return its id. Translate Docker's
    // answers: 404 "No such image" -> imageNotFound, 409 (the name is taken)
    // -> nameConflict, 400 (Docker rejects the config) -> RuntimeError
    // "InvalidSpec"; anything else through fromDocker(err).
    todo("01.3");
  }

  async start(id: string): Promise<void> {
    // TODO(01.3): start the container. Docker answers 304 when it already
    // runs (fine: nothing to do) and 404 when there is no such container.
    todo("01.3");
  }

  async stop(id: string, gracePeriodSeconds: number): Promise<void> {
    // TODO(01.4): Docker's stop sends the stop signal, waits `t` seconds and
    // then sends SIGKILL. Pass the grace period as `t` (whole seconds): without
    // it Docker waits its own default of 10 s. 304 means "not running": a no-op.
    todo("01.4");
  }

  async remove(id: string): Promise<void> {
    // TODO(01.4): remove the container with force (kill it if it runs) and v
    // (its anonymous volumes too). A missing container (404) is not an error:
    // whoever asked wanted it gone, and it is.
    todo("01.4");
  }

  async list(labels: Record<string, string> = {}): Promise<ContainerSummary[]> {
    // TODO(01.5): list all containers (also stopped ones: `all: true`) whose
    // labels match every given key=value, using Docker's label filter
    // ({ filters: { label: ["k=v", ...] } }), and map them with toContainerSummary.
    // Pass errors through fromDocker(err): an engine that is not running must
    // say so here too.
    todo("01.5");
  }

  async inspect(id: string): Promise<ContainerStatus> {
    // TODO(01.5): inspect the container and map the reply with toContainerStatus.
    // 404 -> containerNotFound(id); anything else through fromDocker(err).
    todo("01.5");
  }

  async logs(id: string, options: LogOptions = {}): Promise<LogEntry[]> {
    // TODO(01.6): ask for stdout and stderr (and `tail` when given) without
    // following; Docker answers one Buffer in its multiplexed format: demux it.
    todo("01.6");
  }

  async exec(id: string, command: string[]): Promise<ExecResult> {
    // TODO(01.7): an exec is two calls: container.exec() creates it (409 when
    // the container is not running -> notRunning(id, "exec in")), exec.start()
    // runs it and streams its output (multiplexed, like logs) until it ends.
    // Then exec.inspect() has the exit code.
    todo("01.7");
  }

  /** True when the engine has the image (by name:tag or id). */
  private async hasImage(image: string): Promise<boolean> {
    try {
      await this.docker.getImage(image).inspect();
      return true;
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw fromDocker(err);
    }
  }
}

/** Reads a stream to its end. */
async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}
