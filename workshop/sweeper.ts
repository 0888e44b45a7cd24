/**
 * Removes the Docker objects of one run, or of every run that is gone.
 *
 * Every container and network carries the labels of the run that created it
 * (shared/docker.ts runLabels: run id, pid, host, checkout). A Service's
 * cluster IP is an address on the cluster network's bridge: it goes away with
 * that network, so removing the network removes the addresses too.
 *
 * A run is gone when its pid no longer exists on this host. The sweeper only
 * looks at objects of this checkout on this host: another checkout, or a
 * devcontainer whose pids mean something else, is never touched.
 */
import { hostname, networkInterfaces } from "node:os";
import type Docker from "dockerode";
import { REPO_ROOT } from "../shared/chapters.ts";
import { CHECKOUT_LABEL, HOST_LABEL, leaveNetworksOneByOne, PID_LABEL, removeNetwork, RUN_LABEL } from "../shared/docker.ts";
import { pidAlive } from "../shared/process.ts";

/** Re-exported: the sweepers of test folders (mutate, chapter 17's tests) import it from here. */
export { pidAlive };

export interface Removed {
  /** Container names. */
  containers: string[];
  /** Network names. */
  networks: string[];
  /** Addresses on those networks' bridges besides the gateway (Services' cluster IPs). */
  addresses: number;
  /** run id -> pid of the runs whose objects these were. */
  runs: Map<string, string>;
  /**
   * Networks Docker refused to remove, with its reason. Seen: "has active
   * endpoints" for a network with no container left: Docker 20.10 lost
   * count of its endpoints; only a restart of the Docker engine clears it
   * (docs/decisions.md, "A Docker network left behind"). Such a network is
   * reported, not fatal.
   */
  stuck: string[];
}

/** Removes every container and network of one run (this run, at Ctrl-C). */
export async function removeRunObjects(docker: Docker, runId: string): Promise<Removed> {
  return removeWhere(docker, [`${RUN_LABEL}=${runId}`], () => true);
}

/** What removeRunObjects would remove now, without removing it. */
export async function listRunObjects(docker: Docker, runId: string): Promise<Removed> {
  return removeWhere(docker, [`${RUN_LABEL}=${runId}`], () => true, { dryRun: true });
}

/** Removes the objects of this checkout's runs whose process is gone. */
export async function sweepDeadRuns(
  docker: Docker,
  options: { alive?: (pid: number) => boolean; checkout?: string } = {},
): Promise<Removed> {
  const alive = options.alive ?? pidAlive;
  const filters = [`${CHECKOUT_LABEL}=${options.checkout ?? REPO_ROOT}`, `${HOST_LABEL}=${hostname()}`];
  return removeWhere(docker, filters, (labels) => !alive(Number(labels[PID_LABEL])));
}

async function removeWhere(
  docker: Docker,
  filters: string[],
  dead: (labels: Record<string, string>) => boolean,
  options: { dryRun?: boolean } = {},
): Promise<Removed> {
  const removed: Removed = { containers: [], networks: [], addresses: 0, runs: new Map(), stuck: [] };
  const note = (labels: Record<string, string>) => removed.runs.set(labels[RUN_LABEL] ?? "?", labels[PID_LABEL] ?? "?");

  // Containers first: Docker refuses to remove a network that still has some.
  const containers = (await docker.listContainers({ all: true, filters: { label: filters } })).filter((c) =>
    dead(c.Labels ?? {}),
  );
  // Running ones leave their networks one at a time first (a lost endpoint count otherwise: leaveNetworksOneByOne).
  if (!options.dryRun) await leaveNetworksOneByOne(docker, containers);
  await Promise.all(
    containers.map(async (c) => {
      try {
        if (!options.dryRun) await docker.getContainer(c.Id).remove({ force: true, v: true });
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode !== 404) throw err; // 404: already gone
      }
      removed.containers.push(c.Names[0]?.replace(/^\//, "") ?? c.Id.slice(0, 12));
      note(c.Labels ?? {});
    }),
  );
  const networks = (await docker.listNetworks({ filters: { label: filters } })).filter((n) => dead(n.Labels ?? {}));
  for (const n of networks) {
    note(n.Labels ?? {});
    try {
      // An endpoint still listed is disconnected with force first (removeNetwork).
      if (!options.dryRun) await removeNetwork(docker, n.Id);
    } catch (err) {
      const e = err as { statusCode?: number; json?: { message?: string }; message?: string };
      if (e.statusCode !== 404) {
        removed.stuck.push(`${n.Name} (Docker: ${e.json?.message ?? e.message})`);
        continue;
      }
    }
    removed.addresses += extraBridgeAddresses(n);
    removed.networks.push(n.Name);
  }
  removed.containers.sort();
  return removed;
}

/** How many addresses the network's bridge has besides its gateway: the Services' cluster IPs. */
function extraBridgeAddresses(network: Docker.NetworkInspectInfo): number {
  const bridge = (network.Options?.["com.docker.network.bridge.name"] as string | undefined) ?? `br-${network.Id.slice(0, 12)}`;
  const gateway = (network.IPAM?.Config?.[0] as { Gateway?: string } | undefined)?.Gateway;
  const addresses = (networkInterfaces()[bridge] ?? []).filter((a) => a.family === "IPv4" && a.address !== gateway);
  return addresses.length;
}

export function mergeRemoved(a: Removed, b: Removed): Removed {
  return {
    containers: [...new Set([...a.containers, ...b.containers])].sort(),
    networks: [...new Set([...a.networks, ...b.networks])],
    addresses: Math.max(a.addresses, b.addresses),
    runs: new Map([...a.runs, ...b.runs]),
    stuck: [...new Set([...a.stuck, ...b.stuck])],
  };
}

export function isEmpty(r: Removed): boolean {
  return r.containers.length === 0 && r.networks.length === 0 && r.stuck.length === 0;
}

/** "3 containers, network k8s-workshop-1a2b3c4d and its 2 service addresses". */
export function describeRemoved(r: Removed): string {
  const parts: string[] = [];
  if (r.containers.length) parts.push(`${r.containers.length} container${r.containers.length === 1 ? "" : "s"}`);
  for (const n of r.networks) parts.push(`network ${n}`);
  if (r.addresses) parts.push(`${r.addresses} service address${r.addresses === 1 ? "" : "es"} on its bridge`);
  const text = parts.join(", ");
  if (r.stuck.length === 0) return text;
  const stuck = `could not remove network ${r.stuck.join(", network ")}: restart the Docker engine to clear it`;
  return text ? `${text}; ${stuck}` : stuck;
}

/** The one line a start prints when it swept something, or undefined. */
export function sweepLine(r: Removed): string | undefined {
  if (isEmpty(r)) return undefined;
  const runs = [...r.runs.values()].map((pid) => `pid ${pid}`).join(", ");
  if (r.containers.length === 0 && r.networks.length === 0) {
    return `could not remove what ${r.runs.size === 1 ? "an earlier run" : `${r.runs.size} earlier runs`} left behind (${runs}, no longer running): network ${r.stuck.join(", network ")}: restart the Docker engine to clear it`;
  }
  return `removed what ${r.runs.size === 1 ? "an earlier run" : `${r.runs.size} earlier runs`} left behind (${runs}, no longer running): ${describeRemoved(r)}`;
}
