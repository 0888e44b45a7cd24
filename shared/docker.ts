/**
 * One place that knows how to reach the local Docker engine.
 *
 * Chapter 01's DockerRuntime receives a connected client from here; the test
 * harness and the workshop CLI use it to provision the test image and to
 * clean up. DOCKER_HOST (unix:///path or tcp://127.0.0.1:port) is honoured.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import type Docker from "dockerode";
import { REPO_ROOT } from "./chapters.ts";
import { engineUnavailable, RuntimeError } from "./runtime/errors.ts";

const require = createRequire(import.meta.url);
let dockerode: typeof Docker | undefined;

/**
 * The dockerode class, loaded on first use. dockerode loads two transports
 * as soon as it is imported: ssh2 (for DOCKER_HOST=ssh://...) and gRPC with
 * protobuf (for BuildKit sessions). The workshop uses neither, and they are
 * most of dockerode's import time: 150-450 ms of CPU in every process that
 * talks to Docker (each test file, each `npm run`). So the two small files
 * of dockerode that load them are first put in Node's module cache as
 * stand-ins, which load the real file on their first call: nothing is lost,
 * an ssh:// engine still works.
 */
function dockerodeClass(): typeof Docker {
  if (dockerode) return dockerode;
  const main = require.resolve("dockerode"); // .../dockerode/lib/docker.js
  const modem = require.resolve("docker-modem", { paths: [dirname(main)] }); // .../docker-modem/lib/modem.js
  loadOnFirstCall(join(dirname(main), "session.js")); // requires @grpc/grpc-js, @grpc/proto-loader
  loadOnFirstCall(join(dirname(modem), "ssh.js")); // requires ssh2
  dockerode = require("dockerode") as typeof Docker;
  return dockerode;
}

/** Puts in the module cache a stand-in for a CommonJS file that exports one function. */
function loadOnFirstCall(file: string): void {
  if (!existsSync(file) || require.cache[file]) return; // another dockerode version, or already loaded
  let real: ((...args: unknown[]) => unknown) | undefined;
  const standIn = new Module(file);
  standIn.filename = file;
  standIn.loaded = true;
  standIn.exports = function (this: unknown, ...args: unknown[]) {
    if (!real) {
      delete require.cache[file];
      real = require(file) as (...args: unknown[]) => unknown;
    }
    return real.apply(this, args);
  };
  require.cache[file] = standIn;
}

export function dockerSocketDescription(): string {
  return process.env.DOCKER_HOST ?? "/var/run/docker.sock";
}

export function connectDocker(): Docker {
  const DockerClient = dockerodeClass();
  const host = process.env.DOCKER_HOST;
  if (!host) return new DockerClient({ socketPath: "/var/run/docker.sock" });
  if (host.startsWith("unix://")) return new DockerClient({ socketPath: host.slice("unix://".length) });
  const url = new URL(host.replace(/^tcp:/, "http:"));
  return new DockerClient({ host: url.hostname, port: Number(url.port || 2375) });
}

/** Resolves when the engine answers; else throws RuntimeError("EngineUnavailable"). */
export async function pingDocker(docker: Docker, timeoutMs = 5000): Promise<void> {
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref(),
  );
  try {
    await Promise.race([docker.ping(), timeout]);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw engineUnavailable(dockerSocketDescription(), code ?? (err as Error).message);
  }
}

/** True when a Docker engine answers, without throwing. */
export async function dockerAnswers(docker: Docker = connectDocker()): Promise<boolean> {
  try {
    await pingDocker(docker, 3000);
    return true;
  } catch (err) {
    if (err instanceof RuntimeError) return false;
    throw err;
  }
}

/**
 * Labels that say which run created a Docker object, so that a later run can
 * tell leftovers from live work. Every container and network the workshop
 * creates carries them (the cluster's bring-up and the test harness add them).
 *
 *   k8s-workshop.run       a random id per process (or the one the parent CLI passes down)
 *   k8s-workshop.pid       the process that created it: when it is gone, so is whoever would clean up
 *   k8s-workshop.host      the machine that pid belongs to (a devcontainer shares the engine with its host)
 *   k8s-workshop.checkout  the repository folder, so one checkout never sweeps another's objects
 */
export const RUN_LABEL = "k8s-workshop.run";
export const PID_LABEL = "k8s-workshop.pid";
export const HOST_LABEL = "k8s-workshop.host";
export const CHECKOUT_LABEL = "k8s-workshop.checkout";

let runId: string | undefined;

const newRunId = () => `${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;

/** This process's run id. A parent CLI passes its own down in WORKSHOP_RUN_ID, so it can clean up after its children. */
export function currentRunId(): string {
  runId ??= process.env.WORKSHOP_RUN_ID || newRunId();
  return runId;
}

/**
 * Starts a run of its own (the workshop CLI does this first): a fresh id,
 * passed down to child processes such as vitest. A fresh one, because a CLI
 * started from inside a test run must not share that run's id.
 */
export function startRun(): string {
  runId = newRunId();
  process.env.WORKSHOP_RUN_ID = runId;
  return runId;
}

export function runLabels(): Record<string, string> {
  return {
    [RUN_LABEL]: currentRunId(),
    [PID_LABEL]: String(process.pid),
    [HOST_LABEL]: hostname(),
    [CHECKOUT_LABEL]: REPO_ROOT,
  };
}

/** What removeLabelled() removed, named as `docker ps` and `docker network ls` name them. */
export interface Removed {
  containers: string[];
  networks: string[];
  /** Objects found but not removed, each with Docker's reason (a 404, already gone, is not one). */
  failed: string[];
}

/**
 * Removes every container, then every network, that carries label=value.
 * Containers go first: Docker refuses to remove a network that still has
 * one attached. A removal that fails does not stop the others: the result
 * lists what was removed (or already gone) and, in `failed`, what is still
 * there with Docker's reason. Running containers leave their networks one
 * at a time first (leaveNetworksOneByOne), then all go at once; those that
 * share another container's network go at once from the start.
 */
export async function removeLabelled(docker: Docker, label: string, value: string): Promise<Removed> {
  const filters = { label: [`${label}=${value}`] };
  const failed: string[] = [];
  const removing = (what: string, remove: Promise<unknown>) =>
    remove.then(
      () => true,
      (err: { statusCode?: number; json?: { message?: string }; message?: string }) => {
        if (err.statusCode === 404) return true; // already gone
        failed.push(`${what} (Docker: ${err.json?.message ?? err.message})`);
        return false;
      },
    );
  const containers = await docker.listContainers({ all: true, filters });
  const containerNames = containers.map((c) => c.Names[0]?.replace(/^\//, "") ?? c.Id);
  const remove = (i: number) =>
    removing(`container ${containerNames[i]}`, docker.getContainer(containers[i]!.Id).remove({ force: true, v: true }));
  // Containers in another's network namespace (a pod's app containers, in
  // their pause container's) have no endpoint: Docker touches no network
  // when they go. They are removed at once, while the others leave theirs.
  const early = containers.map((c, i) => (sharesNetwork(c) ? remove(i) : undefined));
  await leaveNetworksOneByOne(
    docker,
    containers.filter((c) => !sharesNetwork(c)),
  );
  const containersGone = await Promise.all(early.map((removal, i) => removal ?? remove(i)));
  const networks = await docker.listNetworks({ filters });
  const networksGone = await Promise.all(networks.map((n) => removing(`network ${n.Name}`, removeNetwork(docker, n.Id))));
  return {
    containers: containerNames.filter((_, i) => containersGone[i]),
    networks: networks.filter((_, i) => networksGone[i]).map((n) => n.Name),
    failed,
  };
}

/** Does this container use another container's network namespace (network mode container:<id>)? */
function sharesNetwork(container: Docker.ContainerInfo): boolean {
  return container.HostConfig?.NetworkMode?.startsWith("container:") ?? false;
}

/**
 * Removes a network. An endpoint Docker still lists on it (a container of
 * another label, or one gone whose endpoint stayed) is disconnected with
 * force first, by its name: `docker network disconnect -f` finds an
 * endpoint by name even when its container no longer exists.
 *
 * It does not help against the leak seen with Docker 20.10: a network whose
 * count of endpoints is wrong lists no endpoint at all, so there is nothing
 * to disconnect, and the removal fails with "has active endpoints" until the
 * engine restarts (docs/decisions.md, "A Docker network left behind").
 */
export async function removeNetwork(docker: Docker, id: string): Promise<void> {
  const network = docker.getNetwork(id);
  const info = (await network.inspect()) as { Containers?: Record<string, { Name?: string }> };
  for (const [key, endpoint] of Object.entries(info.Containers ?? {})) {
    // Its answer does not matter here: the removal below says whether anything is left.
    await network.disconnect({ Container: endpoint.Name || key, Force: true }).catch(() => {});
  }
  await network.remove();
}

/**
 * Disconnects running containers from their networks: one container at a
 * time per network, networks side by side. Why: Docker 20.10 can lose
 * count of a network's endpoints when several containers leave the same
 * network at the same moment (removed or stopped together). The network
 * then keeps a count above zero with no endpoint left, and Docker refuses
 * to remove it ("has active endpoints") until the engine restarts
 * (docs/decisions.md, "A Docker network left behind"). Once disconnected,
 * the containers can be removed all at once: their exit no longer touches
 * a network. A failed disconnect is left to the removal that follows.
 */
export async function leaveNetworksOneByOne(docker: Docker, containers: Docker.ContainerInfo[]): Promise<void> {
  const byNetwork = new Map<string, string[]>();
  for (const c of containers) {
    for (const [name, endpoint] of Object.entries(c.NetworkSettings?.Networks ?? {})) {
      // A stopped container has no endpoint (EndpointID ""): nothing to leave.
      if (!endpoint.EndpointID) continue;
      const id = endpoint.NetworkID || name;
      byNetwork.set(id, [...(byNetwork.get(id) ?? []), c.Id]);
    }
  }
  await Promise.all(
    [...byNetwork].map(async ([network, ids]) => {
      for (const id of ids)
        await docker
          .getNetwork(network)
          .disconnect({ Container: id, Force: true })
          .catch(() => {});
    }),
  );
}
