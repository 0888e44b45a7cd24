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
    // STEP(01.1): after this call the image is on the engine. Pull only when it
    // is missing (a pull costs seconds and may need a network), and report each
    // step of the pull to onProgress. Every failure names the cause and the fix:
    // an engine that does not answer, an image that cannot be pulled.
    // Tests: "01.1 images and the engine > uses an image that is present without pulling it",
    // "01.1 images and the engine > a missing image that cannot be pulled: ImageNotFound, naming the image and what to do",
    // "01.1 images and the engine > an engine that is not running: EngineUnavailable, naming the socket and how to start one".
    //#solution
    await this.ping();
    if (await this.hasImage(image)) return;

    onProgress({ image, status: "pulling" });
    let failure: string | undefined;
    try {
      const stream = await this.docker.pull(image);
      // The reply is a stream of JSON lines; a failed pull may still answer
      // 200 and put {"error": "..."} in the stream.
      const events = await new Promise<PullEvent[]>((resolve, reject) => {
        this.docker.modem.followProgress(
          stream,
          (err: Error | null, all: PullEvent[]) => (err ? reject(err) : resolve(all)),
          (event: PullEvent) =>
            onProgress({
              image,
              status: event.status ?? "pulling",
              current: event.progressDetail?.current,
              total: event.progressDetail?.total,
            }),
        );
      });
      failure = events.find((e) => e.error)?.error;
    } catch (err) {
      const down = fromDocker(err);
      if (down instanceof RuntimeError) throw down;
      failure = engineMessage(err);
    }
    if (failure !== undefined || !(await this.hasImage(image))) {
      throw imageNotFound(image, failure ?? "the pull ended without the image");
    }
    //#end
  }

  async create(spec: ContainerSpec): Promise<string> {
    // STEP(01.3): create the container from the spec (step 01.2) and return its
    // id. Docker's refusals become RuntimeErrors a caller can act on: a missing
    // image, a taken name, a config Docker rejects (see docker-errors.ts).
    // Tests: "01.3 create and start > a missing image: ImageNotFound; a taken name: NameConflict".
    //#solution
    const options = toCreateOptions(spec);
    try {
      const container = await this.docker.createContainer(options);
      return container.id;
    } catch (err) {
      const status = statusOf(err);
      if (status === 404 && /no such image/i.test(engineMessage(err))) throw imageNotFound(spec.image);
      if (status === 404) throw new RuntimeError("ContainerNotFound", `Cannot create "${spec.name}": ${engineMessage(err)}.`);
      if (status === 409) throw nameConflict(spec.name);
      if (status === 400)
        throw new RuntimeError("InvalidSpec", `Docker refused container "${spec.name}": ${engineMessage(err)}.`);
      throw fromDocker(err);
    }
    //#end
  }

  async start(id: string): Promise<void> {
    // STEP(01.3): start it. Starting a running container is not an error.
    //#solution
    try {
      await this.docker.getContainer(id).start();
    } catch (err) {
      if (statusOf(err) === 304) return;
      if (statusOf(err) === 404) throw containerNotFound(id);
      throw fromDocker(err);
    }
    //#end
  }

  async stop(id: string, gracePeriodSeconds: number): Promise<void> {
    // STEP(01.4): a polite stop. The process gets the stop signal and
    // `gracePeriodSeconds` to exit by itself; then it is killed. Stopping a
    // container that does not run does nothing; one that is not there at all
    // is ContainerNotFound (the kubelet treats the two differently).
    // Tests: "01.4 stop and remove > a process that handles SIGTERM ends the way it chooses",
    // "01.4 stop and remove > a process still busy when the grace period ends is killed: 137".
    //#solution
    const t = Math.max(0, Math.ceil(gracePeriodSeconds));
    try {
      await this.docker.getContainer(id).stop({ t });
    } catch (err) {
      if (statusOf(err) === 304) return;
      if (statusOf(err) === 404) throw containerNotFound(id);
      throw fromDocker(err);
    }
    //#end
  }

  async remove(id: string): Promise<void> {
    // STEP(01.4): after this call the container is gone, running or not, with
    // its anonymous volumes. One that is already gone is not an error.
    //#solution
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (err) {
      if (statusOf(err) === 404) return;
      if (statusOf(err) === 409 && /already in progress/i.test(engineMessage(err))) return;
      throw fromDocker(err);
    }
    //#end
  }

  async list(labels: Record<string, string> = {}): Promise<ContainerSummary[]> {
    // STEP(01.5): what runs on this engine. The kubelet (chapter 05) finds its
    // containers by labels, also the ones that have exited. Every call here must
    // say clearly when the engine is down.
    // Tests: "01.5 list and inspect > lists the containers that carry every given label, running or not",
    // "01.5 list and inspect > an engine that is not running: every call says so, not only ensureImage".
    //#solution
    const label = Object.entries(labels).map(([key, value]) => `${key}=${value}`);
    try {
      const infos = await this.docker.listContainers({ all: true, filters: { label } });
      return infos.map(toContainerSummary);
    } catch (err) {
      throw fromDocker(err);
    }
    //#end
  }

  async inspect(id: string): Promise<ContainerStatus> {
    // STEP(01.5): the status of one container; an unknown id is ContainerNotFound.
    //#solution
    try {
      return toContainerStatus(await this.docker.getContainer(id).inspect());
    } catch (err) {
      if (statusOf(err) === 404) throw containerNotFound(id);
      throw fromDocker(err);
    }
    //#end
  }

  async logs(id: string, options: LogOptions = {}): Promise<LogEntry[]> {
    // STEP(01.6): the logs so far (the last `tail` lines when given), with stdout
    // and stderr kept apart. Docker sends them multiplexed in one stream.
    // Tests: "01.6 logs > keeps stdout and stderr apart, in order, and can tail".
    //#solution
    const query: Docker.ContainerLogsOptions & { follow: false } = { stdout: true, stderr: true, follow: false };
    if (options.tail !== undefined) query.tail = options.tail;
    try {
      const output: Buffer | string = await this.docker.getContainer(id).logs(query);
      return demux(Buffer.isBuffer(output) ? output : Buffer.from(output));
    } catch (err) {
      if (statusOf(err) === 404) throw containerNotFound(id);
      throw fromDocker(err);
    }
    //#end
  }

  async exec(id: string, command: string[]): Promise<ExecResult> {
    // STEP(01.7): run a command in a running container and wait for it: exit
    // code and output. A container that does not run is NotRunning.
    // Tests: "01.7 exec > runs a command in a running container and returns its exit code and output",
    // "01.7 exec > exec in a container that does not run: NotRunning".
    //#solution
    try {
      const exec = await this.docker.getContainer(id).exec({ Cmd: command, AttachStdout: true, AttachStderr: true });
      const stream = await exec.start({ Detach: false, Tty: false });
      const entries = demux(await readAll(stream));
      // The stream ends when the process does; the engine records the exit
      // code a moment later.
      let info = await exec.inspect();
      for (let tries = 0; info.Running && tries < 100; tries++) {
        await new Promise((r) => setTimeout(r, 20));
        info = await exec.inspect();
      }
      return { exitCode: info.ExitCode ?? -1, stdout: logText(entries, "stdout"), stderr: logText(entries, "stderr") };
    } catch (err) {
      if (statusOf(err) === 404) throw containerNotFound(id);
      if (statusOf(err) === 409) throw notRunning(id, "exec in");
      throw fromDocker(err);
    }
    //#end
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
