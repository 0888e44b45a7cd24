/**
 * Starts bench/lib/control-plane.ts as a child process and talks to it:
 * its URL, its resident memory, an in-process store read. stop() ends it and
 * removes its data dir; the run's cleanup does the same after Ctrl-C.
 *
 * BENCH_CPU_PROF=DIR runs the child with `node --cpu-prof`: one .cpuprofile
 * per control plane in DIR (open it in Chrome DevTools or speedscope).
 */
import { spawn } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { onCleanup, tempPath } from "./cleanup.ts";
import type { ControlPlaneConfig, ControlPlaneMessage, ControlPlaneRequest } from "./control-plane.ts";

const SCRIPT = fileURLToPath(new URL("./control-plane.ts", import.meta.url));

export interface ControlPlane {
  url: string;
  pid: number;
  /** VmRSS of the process, in bytes, as the kernel counts it. */
  rss(): Promise<number>;
  /** CPU time the process has used so far (user + system), in microseconds. */
  cpuMicros(): Promise<number>;
  /** Resident and heap bytes right after a full garbage collection. */
  memoryAfterGc(): Promise<{ rss: number; heapUsed: number }>;
  /** Times store.range(prefix) inside the control plane (no HTTP, no JSON). */
  storeRange(prefix: string): Promise<{ ms: number; count: number; bytes: number }>;
  stop(): Promise<void>;
}

/** Resident set size of a process, from /proc/PID/status (Linux). */
export async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  if (!kb) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kb) * 1024;
}

/**
 * CPU time of a process so far, user + system, in microseconds, from
 * /proc/PID/stat (Linux; fields 14 and 15, in clock ticks of 1/100 s).
 * Read around a measured phase, it gives the control plane's CPU per request,
 * which the other jobs on a shared machine disturb far less than wall time.
 */
export async function cpuMicros(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) is in parentheses and may hold spaces: count from after it.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** "embedded": the durable embedded store in a temp dir. "etcd": the apiserver over a real etcd. */
export async function startControlPlane(
  store: { kind: "embedded" } | { kind: "etcd"; endpoint: string } | { kind: "etcd-cluster"; endpoints: string[] },
): Promise<ControlPlane> {
  const dir = store.kind === "embedded" ? tempPath("control-plane") : undefined;
  const config: ControlPlaneConfig =
    store.kind === "embedded"
      ? { store: "embedded", dir }
      : store.kind === "etcd"
        ? { store: "etcd", endpoint: store.endpoint }
        : { store: "etcd-cluster", endpoints: store.endpoints };
  const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, ["--expose-gc", ...profile, "--import", "tsx", SCRIPT, JSON.stringify(config)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);

  const stop = onCleanup(`the control plane (pid ${child.pid})`, async () => {
    process.off("exit", killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(killer);
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  let nextId = 1;
  const waiting = new Map<number, (m: ControlPlaneMessage) => void>();
  child.on("message", (m: ControlPlaneMessage) => {
    if ("id" in m) {
      waiting.get(m.id)?.(m);
      waiting.delete(m.id);
    }
  });
  const ask = <T extends ControlPlaneMessage>(request: Omit<ControlPlaneRequest, "id">): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, (m) => resolve(m as T));
      child.send({ ...request, id } as ControlPlaneRequest, (err) => err && reject(err));
    });

  const url = await new Promise<string>((resolve, reject) => {
    child.on("message", (m: ControlPlaneMessage) => {
      if (m.type === "ready") resolve(m.url);
      if (m.type === "failed") reject(new Error(`the control plane did not start: ${m.message}`));
    });
    child.once("exit", (code) => reject(new Error(`the control plane exited with code ${code} before it was ready`)));
  }).catch(async (err: Error) => {
    await stop();
    throw err;
  });

  return {
    url,
    pid: child.pid!,
    rss: () => residentBytes(child.pid!),
    cpuMicros: () => cpuMicros(child.pid!),
    memoryAfterGc: () => ask<Extract<ControlPlaneMessage, { type: "memory" }>>({ type: "memory" }),
    storeRange: (prefix) =>
      ask<Extract<ControlPlaneMessage, { type: "range" }>>({ type: "range", prefix } as Omit<ControlPlaneRequest, "id">),
    stop,
  };
}
