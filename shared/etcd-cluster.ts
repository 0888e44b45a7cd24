/**
 * A real etcd cluster of three members on loopback (chapter 16): free ports,
 * one temp folder with a data dir per member. stop() kills them all and
 * deletes the folder.
 *
 *   const etcd = await startEtcdCluster();
 *   new EtcdStore(etcd.endpoints) ...
 *   await etcd.stopMember(0);        // one member down: 2 of 3 still commit
 *   await etcd.startMember(0);       // back, with its data; it catches up
 *   await etcd.stop();
 *
 * The folder is named k8s-workshop-etcd-cluster-<our pid>-XXXX and holds a
 * file per member with its process id. If our process dies without stop()
 * (kill -9, a crash), sweepEtcdClusters() finds folders whose pid is gone,
 * kills their members and removes them; the workshop's sweeper calls it.
 *
 * Needs /usr/bin/etcd (Debian: apt-get install etcd-server), or ETCD_BINARY.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ETCD_BINARY, freePort } from "./etcd-server.ts";
import { pidAlive } from "./process.ts";

export interface EtcdCluster {
  /** The client URL of every member, in member order. */
  readonly endpoints: string[];
  /** The folder of the cluster (a data dir per member inside). */
  readonly dir: string;
  /** Whether member i runs now. */
  running(i: number): boolean;
  /** Stops member i (SIGTERM, as an operator would); its data stays. */
  stopMember(i: number): Promise<void>;
  /** Starts member i again on its data and ports; resolves once it answers. */
  startMember(i: number): Promise<void>;
  /** Stops every member and removes the folder. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartEtcdClusterOptions {
  /** How many members. Default 3. */
  size?: number;
  /** How long to wait for the cluster to elect a leader. Default 20 s. */
  timeoutMs?: number;
  /** Run every member in its own process group (Ctrl-C reaches only us; we stop them after their clients). */
  detached?: boolean;
}

const PREFIX = "k8s-workshop-etcd-cluster-";

interface Member {
  name: string;
  client: string;
  peer: string;
  child?: ChildProcess;
  exited?: Promise<void>;
  output: string;
}

export async function startEtcdCluster(options: StartEtcdClusterOptions = {}): Promise<EtcdCluster> {
  const size = options.size ?? 3;
  const timeoutMs = options.timeoutMs ?? 20_000;
  const dir = await mkdtemp(join(tmpdir(), `${PREFIX}${process.pid}-`));
  const ports = new Set<number>();
  while (ports.size < size * 2) ports.add(await freePort());
  const [...free] = ports;
  const members: Member[] = Array.from({ length: size }, (_, i) => ({
    name: `member-${i}`,
    client: `http://127.0.0.1:${free[2 * i]}`,
    peer: `http://127.0.0.1:${free[2 * i + 1]}`,
    output: "",
  }));
  // Every member is told the whole cluster from the start (static bootstrap).
  const initialCluster = members.map((m) => `${m.name}=${m.peer}`).join(",");

  const spawnMember = async (i: number) => {
    const m = members[i]!;
    await mkdir(join(dir, m.name), { recursive: true });
    const child = spawn(
      ETCD_BINARY,
      [
        `--name=${m.name}`,
        `--data-dir=${join(dir, m.name, "data")}`,
        `--listen-client-urls=${m.client}`,
        `--advertise-client-urls=${m.client}`,
        `--listen-peer-urls=${m.peer}`,
        `--initial-advertise-peer-urls=${m.peer}`,
        `--initial-cluster=${initialCluster}`,
        `--initial-cluster-token=${PREFIX}${process.pid}`,
        "--initial-cluster-state=new",
        "--log-level=warn",
      ],
      { stdio: ["ignore", "pipe", "pipe"], detached: options.detached ?? false },
    );
    m.child = child;
    m.output = "";
    m.exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const keep = (b: Buffer) => (m.output = (m.output + b.toString()).slice(-4000));
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    if (child.pid) writeFileSync(join(dir, m.name, "pid"), String(child.pid));
  };

  const isRunning = (m: Member) => !!m.child && m.child.exitCode === null && m.child.signalCode === null;

  const stopOne = async (m: Member) => {
    if (!m.child) return;
    if (isRunning(m)) {
      m.child.kill("SIGTERM");
      const killer = setTimeout(() => m.child?.kill("SIGKILL"), 5000);
      await m.exited;
      clearTimeout(killer);
    }
    m.child = undefined;
  };

  // If our process exits without calling stop(), leave neither members nor data behind.
  const killOnExit = () => {
    for (const m of members) if (isRunning(m)) m.child!.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  process.once("exit", killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      process.off("exit", killOnExit);
      await Promise.all(members.map(stopOne));
      await rm(dir, { recursive: true, force: true });
    })());

  /** Waits until member i answers a linearizable read: it has a leader, so the cluster has a quorum. */
  const waitReady = async (i: number) => {
    const m = members[i]!;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!isRunning(m)) throw new Error(`etcd ${m.name} exited with code ${m.child?.exitCode}: ${m.output}`);
      const ok = await fetch(`${m.client}/v3/kv/range`, {
        method: "POST",
        body: JSON.stringify({ key: "AA==" }),
        signal: AbortSignal.timeout(2000),
      }).then(
        async (res) => res.ok && !("error" in ((await res.json()) as object)),
        () => false,
      );
      if (ok) return;
      if (Date.now() > deadline)
        throw new Error(`etcd ${m.name} did not answer on ${m.client} within ${timeoutMs} ms: ${m.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  try {
    for (let i = 0; i < size; i++) await spawnMember(i);
    await Promise.all(members.map((_, i) => waitReady(i)));
  } catch (err) {
    await stop();
    throw err;
  }

  const member = (i: number) => {
    const m = members[i];
    if (!m) throw new Error(`this etcd cluster has members 0..${size - 1}, not ${i}`);
    return m;
  };
  return {
    endpoints: members.map((m) => m.client),
    dir,
    running: (i) => isRunning(member(i)),
    stopMember: (i) => stopOne(member(i)),
    async startMember(i) {
      const m = member(i);
      if (isRunning(m)) return;
      await spawnMember(i);
      await waitReady(i);
    },
    stop,
  };
}

/**
 * Removes the etcd clusters of processes that are gone (crashed or killed):
 * kills each member still running from such a folder, then the folder.
 * Returns the folders removed.
 */
export function sweepEtcdClusters(root: string = tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return removed;
  }
  for (const name of names) {
    const owner = Number(new RegExp(`^${PREFIX}(\\d+)-`).exec(name)?.[1]);
    if (!owner || pidAlive(owner)) continue;
    const dir = join(root, name);
    for (const member of safeList(dir)) {
      const pid = Number(safeRead(join(dir, member, "pid")));
      // Only a process that is really an etcd of this folder: pids are reused.
      if (pid && pidAlive(pid) && safeRead(`/proc/${pid}/cmdline`).includes(dir)) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // gone meanwhile
        }
      }
    }
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    removed.push(dir);
  }
  return removed;
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}
