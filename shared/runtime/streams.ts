/**
 * Streaming access to a running container, for `kubectl exec` and
 * `kubectl attach`. ContainerRuntime.exec() (chapter 01) waits for the
 * command and returns its whole output: enough for probes and hooks, not for
 * `kubectl exec -i ... -- cat`, whose output must flow while stdin is still
 * open. A StreamingRuntime gives a live session instead.
 *
 * dockerStreams() talks to the Docker engine; bufferedStreams() runs on any
 * ContainerRuntime (the FakeRuntime of hollow nodes) with exec() and so has
 * no stdin and sends the output when the command ends.
 */
import { PassThrough, type Readable, type Writable } from "node:stream";
import type Docker from "dockerode";
import { RuntimeError } from "./errors.ts";
import type { ContainerRuntime } from "./types.ts";

export interface StreamOptions {
  /** Open the process's standard input. */
  stdin: boolean;
  /** Give the process a terminal: stdout and stderr then arrive together on stdout. */
  tty: boolean;
}

/** A process in a container whose streams are open now. */
export interface StreamSession {
  /** The process's standard input (when asked for); end() closes it, as Ctrl-D does. */
  stdin: Writable | undefined;
  stdout: Readable;
  /** Empty with a tty. */
  stderr: Readable;
  /** Changes the terminal size (tty only; otherwise ignored). */
  resize(width: number, height: number): Promise<void>;
  /** Resolves with the exit code once the process has ended and its output is read. */
  exitCode(): Promise<number>;
  /** Ends the session early (the client left): closes the connection to the engine. */
  close(): void;
}

export interface StreamingRuntime {
  /** Starts `command` in a running container. Throws RuntimeError NotRunning or ContainerNotFound. */
  exec(id: string, command: string[], options: StreamOptions): Promise<StreamSession>;
  /** Joins the main process of a running container (its output from now on). */
  attach(id: string, options: StreamOptions): Promise<StreamSession>;
}

const notRunning = (id: string, doing: string) =>
  new RuntimeError("NotRunning", `Cannot ${doing} container "${id}": it is not running.`);
const containerNotFound = (id: string) =>
  new RuntimeError("ContainerNotFound", `No container "${id}" on the Docker engine: it was removed.`);

function statusOf(err: unknown): number | undefined {
  return (err as { statusCode?: number }).statusCode;
}

function engineError(err: unknown, id: string, what: string): Error {
  if (err instanceof RuntimeError) return err;
  if (statusOf(err) === 404) return containerNotFound(id);
  if (statusOf(err) === 409) return notRunning(id, what);
  return err as Error;
}

/** Splits Docker's multiplexed stream (no tty) into stdout and stderr, or passes a tty stream through. */
function split(docker: Docker, stream: NodeJS.ReadWriteStream, tty: boolean): { stdout: PassThrough; stderr: PassThrough } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  if (tty) stream.pipe(stdout);
  else docker.modem.demuxStream(stream, stdout, stderr);
  stream.on("end", () => {
    stdout.end();
    stderr.end();
  });
  stream.on("close", () => {
    stdout.end();
    stderr.end();
  });
  return { stdout, stderr };
}

function ended(stream: NodeJS.ReadWriteStream): Promise<void> {
  return new Promise((resolve) => {
    stream.once("end", resolve);
    stream.once("close", resolve);
    stream.once("error", () => resolve());
  });
}

export function dockerStreams(docker: Docker): StreamingRuntime {
  return {
    async exec(id, command, options) {
      try {
        const exec = await docker.getContainer(id).exec({
          Cmd: command,
          AttachStdin: options.stdin,
          AttachStdout: true,
          AttachStderr: true,
          Tty: options.tty,
        });
        const stream = await exec.start({ hijack: true, stdin: options.stdin, Tty: options.tty });
        const { stdout, stderr } = split(docker, stream, options.tty);
        const done = ended(stream);
        return {
          stdin: options.stdin ? (stream as unknown as Writable) : undefined,
          stdout,
          stderr,
          async resize(width, height) {
            if (options.tty) await exec.resize({ w: width, h: height }).catch(() => {});
          },
          async exitCode() {
            await done;
            // The stream ends when the process does; the engine records the exit code a moment later.
            for (let tries = 0; tries < 100; tries++) {
              const info = await exec.inspect();
              if (!info.Running) return info.ExitCode ?? -1;
              await new Promise((r) => setTimeout(r, 20));
            }
            return -1;
          },
          close: () => (stream as unknown as { destroy(): void }).destroy(),
        };
      } catch (err) {
        throw engineError(err, id, "exec in");
      }
    },
    async attach(id, options) {
      try {
        const container = docker.getContainer(id);
        const info = await container.inspect();
        if (!info.State.Running) throw notRunning(id, "attach to");
        const tty = info.Config.Tty;
        const stream = await container.attach({ stream: true, stdin: options.stdin, stdout: true, stderr: true, hijack: true });
        const { stdout, stderr } = split(docker, stream, tty);
        const done = ended(stream);
        return {
          stdin: options.stdin ? (stream as unknown as Writable) : undefined,
          stdout,
          stderr,
          async resize(width, height) {
            if (tty) await container.resize({ w: width, h: height }).catch(() => {});
          },
          async exitCode() {
            await done;
            const after = await container.inspect().catch(() => undefined);
            return after?.State.Running ? 0 : (after?.State.ExitCode ?? 0);
          },
          close: () => (stream as unknown as { destroy(): void }).destroy(),
        };
      } catch (err) {
        throw engineError(err, id, "attach to");
      }
    },
  };
}

/** Streams from ContainerRuntime.exec(): no stdin, the output arrives when the command has ended. */
export function bufferedStreams(runtime: ContainerRuntime): StreamingRuntime {
  return {
    async exec(id, command) {
      const result = await runtime.exec(id, command);
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      stdout.end(result.stdout);
      stderr.end(result.stderr);
      return {
        stdin: undefined,
        stdout,
        stderr,
        resize: async () => {},
        exitCode: async () => result.exitCode,
        close: () => {},
      };
    },
    async attach(id) {
      throw new RuntimeError("NotRunning", `attach to ${id} needs a Docker engine; this node runs a fake runtime`);
    },
  };
}
