/**
 * Starts bench/lib/scheduler.ts (the chapter 09 scheduler) as a child
 * process against an apiserver; resolves once its informers are synced.
 * stop() asks it to stop and returns what it reports; the run's cleanup
 * stops it after Ctrl-C or a failure.
 *
 * BENCH_CPU_PROF=DIR runs the child with `node --cpu-prof`, like the control plane.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { onCleanup } from "./cleanup.ts";
import type { SchedulerMessage, SchedulerRequest } from "./scheduler.ts";

const SCRIPT = fileURLToPath(new URL("./scheduler.ts", import.meta.url));

export interface SchedulerProcess {
  pid: number;
  /**
   * Stops the scheduler; what it bound, the events it dropped, the first errors it saw
   * and the CPU time it used (empty and 0 if it had already exited).
   */
  stop(): Promise<{ scheduled: number; eventsDropped: number; errors: string[]; cpuMs: number }>;
}

export async function startSchedulerProcess(server: string): Promise<SchedulerProcess> {
  const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...profile, "--import", "tsx", SCRIPT, server], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);

  let report = { scheduled: 0, eventsDropped: 0, errors: [] as string[], cpuMs: 0 };
  child.on("message", (m: SchedulerMessage) => {
    if (m.type === "stopped")
      report = { scheduled: m.scheduled, eventsDropped: m.eventsDropped, errors: m.errors, cpuMs: m.cpuMs };
  });
  const stopChild = onCleanup(`the scheduler (pid ${child.pid})`, async () => {
    process.off("exit", killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.send({ type: "stop" } satisfies SchedulerRequest);
      // Stopping writes the Events still queued (up to 1,000): on a loaded
      // machine that took 6-9 s for 1,000 pods, and a kill at 10 s lost the
      // report (CPU per pod printed as 0).
      const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
      await exited;
      clearTimeout(killer);
    }
  });

  await new Promise<void>((resolve, reject) => {
    child.on("message", (m: SchedulerMessage) => {
      if (m.type === "ready") resolve();
      if (m.type === "failed") reject(new Error(`the scheduler did not start: ${m.message}`));
    });
    child.once("exit", (code) => reject(new Error(`the scheduler exited with code ${code} before it was ready`)));
  }).catch(async (err: Error) => {
    await stopChild();
    throw err;
  });

  return {
    pid: child.pid!,
    async stop() {
      await stopChild();
      return report;
    },
  };
}
