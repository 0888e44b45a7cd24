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
    // TODO(01.1): after this call the image is on the engine. Pull only when it
    // is missing (a pull costs seconds and may need a network), and report each
    // step of the pull to onProgress. Every failure names the cause and the fix:
    // an engine that does not answer, an image that cannot be pulled.
    // Tests: "01.1 images and the engine > uses an image that is present without pulling it",
    // "01.1 images and the engine > a missing image that cannot be pulled: ImageNotFound, naming the image and what to do",
    // "01.1 images and the engine > an engine that is not running: EngineUnavailable, naming the socket and how to start one".
    todo("01.1");
  }

  async create(spec: ContainerSpec): Promise<string> {
    // TODO(01.3): create the container from the spec (step 01.2) and return its
    // id. Docker's refusals become RuntimeErrors a caller can act on: a missing
    // image, a taken name, a config Docker rejects (see docker-errors.ts).
    // Tests: "01.3 create and start > a missing image: ImageNotFound; a taken name: NameConflict".
    todo("01.3");
  }

  async start(id: string): Promise<void> {
    // TODO(01.3): start it. Starting a running container is not an error.
    todo("01.3");
  }

  async stop(id: string, gracePeriodSeconds: number): Promise<void> {
    // TODO(01.4): a polite stop. The process gets the stop signal and
    // `gracePeriodSeconds` to exit by itself; then it is killed. Stopping a
    // container that does not run does nothing; one that is not there at all
    // is ContainerNotFound (the kubelet treats the two differently).
    // Tests: "01.4 stop and remove > a process that handles SIGTERM ends the way it chooses",
    // "01.4 stop and remove > a process still busy when the grace period ends is killed: 137".
    todo("01.4");
  }

  async remove(id: string): Promise<void> {
    // TODO(01.4): after this call the container is gone, running or not, with
    // its anonymous volumes. One that is already gone is not an error.
    todo("01.4");
  }

  async list(labels: Record<string, string> = {}): Promise<ContainerSummary[]> {
    // TODO(01.5): what runs on this engine. The kubelet (chapter 05) finds its
    // containers by labels, also the ones that have exited. Every call here must
    // say clearly when the engine is down.
    // Tests: "01.5 list and inspect > lists the containers that carry every given label, running or not",
    // "01.5 list and inspect > an engine that is not running: every call says so, not only ensureImage".
    todo("01.5");
  }

  async inspect(id: string): Promise<ContainerStatus> {
    // TODO(01.5): the status of one container; an unknown id is ContainerNotFound.
    todo("01.5");
  }

  async logs(id: string, options: LogOptions = {}): Promise<LogEntry[]> {
    // TODO(01.6): the logs so far (the last `tail` lines when given), with stdout
    // and stderr kept apart. Docker sends them multiplexed in one stream.
    // Tests: "01.6 logs > keeps stdout and stderr apart, in order, and can tail".
    todo("01.6");
  }

  async exec(id: string, command: string[]): Promise<ExecResult> {
    // TODO(01.7): run a command in a running container and wait for it: exit
    // code and output. A container that does not run is NotRunning.
    // Tests: "01.7 exec > runs a command in a running container and returns its exit code and output",
    // "01.7 exec > exec in a container that does not run: NotRunning".
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
