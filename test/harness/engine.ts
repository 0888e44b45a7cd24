/**
 * What the Docker engine itself says about a container, read with dockerode,
 * not through the learner's ContainerRuntime.
 *
 * Chapter 01's tests of create/start (01.3) and stop/remove (01.4) must pass
 * as soon as those steps are done. If they read the container back with the
 * learner's inspect() (01.5) and logs() (01.6), they could not. So they ask
 * the engine directly: `docker inspect` and `docker logs`, as a learner would
 * in a terminal.
 *
 *   const engine = engineView(connectDocker());
 *   const state = await engine.waitExited(id);   // Docker's State: Status, ExitCode, OOMKilled, ...
 *   const { stdout, stderr } = await engine.logs(id);
 */
import { once } from "node:events";
import { Readable, Writable } from "node:stream";
import type Docker from "dockerode";
import { giveUp, waitFor } from "./wait.ts";

/** Docker's "never happened" time in StartedAt and FinishedAt. */
export const DOCKER_ZERO_TIME = "0001-01-01T00:00:00Z";

/** The State part of Docker's inspect reply, with Docker's own field names. */
export type EngineState = Docker.ContainerInspectInfo["State"];

/**
 * How a container stands, in one short line: "exited, exit code 137,
 * OOM-killed". Assert on this rather than on the whole State: a failure then
 * reads "expected 'exited, exit code 42' to be 'exited, exit code 137'".
 */
export function ending(state: EngineState): string {
  if (state.Status !== "exited") return state.Status;
  return `exited, exit code ${state.ExitCode}${state.OOMKilled ? ", OOM-killed" : ""}`;
}

export interface EngineView {
  /** Docker's State of the container (GET /containers/{id}/json). */
  state(id: string): Promise<EngineState>;
  /** Waits until Docker reports the container "exited", and returns that State. Only for a container the caller started. */
  waitExited(id: string): Promise<EngineState>;
  /** Whether the engine still knows the container (inspect answers, not 404). */
  exists(id: string): Promise<boolean>;
  /** The containers, running or not, that carry every given label (GET /containers/json?all=1). */
  list(labels: Record<string, string>): Promise<Docker.ContainerInfo[]>;
  /** The output so far, each stream as one string (GET /containers/{id}/logs). */
  logs(id: string): Promise<{ stdout: string; stderr: string }>;
  /** Waits until `text` appears in the container's stdout. */
  waitForStdout(id: string, text: string): Promise<void>;
}

export function engineView(docker: Docker): EngineView {
  const state = async (id: string) => (await docker.getContainer(id).inspect()).State;

  async function logs(id: string): Promise<{ stdout: string; stderr: string }> {
    // Without follow, dockerode gives the whole multiplexed reply as one buffer;
    // the library's own demuxStream splits it (the learner writes theirs in 01.6).
    const raw: Buffer | string = await docker.getContainer(id).logs({ stdout: true, stderr: true, follow: false });
    const source = Readable.from([Buffer.isBuffer(raw) ? raw : Buffer.from(raw)]);
    const stdout = collect();
    const stderr = collect();
    const ended = once(source, "end");
    docker.modem.demuxStream(source, stdout.stream, stderr.stream);
    await ended;
    return { stdout: stdout.text(), stderr: stderr.text() };
  }

  return {
    state,
    waitExited: (id) =>
      waitFor(`Docker to report container ${id.slice(0, 12)} exited`, async () => {
        const s = await state(id);
        // Docker's start answers once the process runs: "created" now means
        // start() did not start it, and waiting will not change that.
        if (s.Status === "created") throw giveUp(`container ${id.slice(0, 12)} is still "created": it was never started`);
        return s.Status === "exited" && s;
      }),
    async exists(id) {
      try {
        await docker.getContainer(id).inspect();
        return true;
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return false;
        throw err;
      }
    },
    list: (labels) =>
      docker.listContainers({ all: true, filters: { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) } }),
    logs,
    async waitForStdout(id, text) {
      await waitFor(`"${text.trim()}" in the stdout of ${id.slice(0, 12)}`, async () => (await logs(id)).stdout.includes(text));
    },
  };
}

/** A sink that keeps what is written to it (at once: no buffering between write and text()). */
function collect(): { stream: Writable; text(): string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}
