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
    // STEP(01.1): make sure the engine answers (this.ping()), then look the
    // image up (this.hasImage(image), at the end of this class). If it is
    // missing, pull it (this.docker.pull), pass each progress event of the
    // pull on to onProgress, and if the pull fails throw
    // imageNotFound(image, why) from docker-errors.ts.
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
    // STEP(01.3): turn the spec into Docker's options with toCreateOptions()
    // (step 01.2), create the container and return its id. Translate Docker's
    // answers: 404 "No such image" -> imageNotFound, 409 (the name is taken)
    // -> nameConflict, 400 (Docker rejects the config) -> RuntimeError
    // "InvalidSpec"; anything else through fromDocker(err).
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
      if (status === 400) throw new RuntimeError("InvalidSpec", `Docker refused container "${spec.name}": ${engineMessage(err)}.`);
      throw fromDocker(err);
    }
    //#end
  }

  async start(id: string): Promise<void> {
    // STEP(01.3): start the container. Docker answers 304 when it already
    // runs (fine: nothing to do) and 404 when there is no such container.
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
    // STEP(01.4): Docker's stop sends the stop signal, waits `t` seconds and
    // then sends SIGKILL. Pass the grace period as `t` (whole seconds): without
    // it Docker waits its own default of 10 s. 304 means "not running": a no-op.
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
    // STEP(01.4): remove the container with force (kill it if it runs) and v
    // (its anonymous volumes too). A missing container (404) is not an error:
    // whoever asked wanted it gone, and it is.
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
    // STEP(01.5): list all containers (also stopped ones: `all: true`) whose
    // labels match every given key=value, using Docker's label filter
    // ({ filters: { label: ["k=v", ...] } }), and map them with toContainerSummary.
    // Pass errors through fromDocker(err): an engine that is not running must
    // say so here too.
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
    // STEP(01.5): inspect the container and map the reply with toContainerStatus.
    // 404 -> containerNotFound(id); anything else through fromDocker(err).
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
    // STEP(01.6): ask for stdout and stderr (and `tail` when given) without
    // following; Docker answers one Buffer in its multiplexed format: demux it.
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
    // STEP(01.7): an exec is two calls: container.exec() creates it (409 when
    // the container is not running -> notRunning(id, "exec in")), exec.start()
    // runs it and streams its output (multiplexed, like logs) until it ends.
    // Then exec.inspect() has the exit code.
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
