/**
 * Everything a benchmark run creates (child processes, etcd, containers,
 * temp dirs) registers how to remove it here. The tasks run in reverse order
 * when the run ends, fails, or is stopped with Ctrl-C.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

type Task = { what: string; run: () => Promise<void> };

const tasks: Task[] = [];

/** Registers a cleanup; returns a function that runs it now (and only once). */
export function onCleanup(what: string, run: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  const task: Task = {
    what,
    run: () =>
      (done ??= (async () => {
        try {
          await run();
        } finally {
          // Out of the list only once done: a concurrent cleanupAll() waits for it too.
          const i = tasks.indexOf(task);
          if (i >= 0) tasks.splice(i, 1);
        }
      })()),
  };
  tasks.push(task);
  return task.run;
}

/** Runs every registered cleanup, newest first; a failing one is reported and the rest still run. */
export async function cleanupAll(report: (line: string) => void = console.error): Promise<void> {
  while (tasks.length > 0) {
    const task = tasks[tasks.length - 1]!;
    await task.run().catch((err: Error) => report(`while removing ${task.what}: ${err.message}`));
  }
}

let stopping = false;

/** True once Ctrl-C (or SIGTERM) was received: start nothing new. */
export function isStopping(): boolean {
  return stopping;
}

/** On Ctrl-C or SIGTERM: clean up, then exit 130. A second Ctrl-C exits at once. */
export function cleanupOnSignals(report: (line: string) => void = console.error): void {
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    report(`\n${signal}: stopping and removing what the benchmark created (Ctrl-C again to leave now) ...`);
    void cleanupAll(report).finally(() => process.exit(130));
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
}

let runDir: string | undefined;
let dirs = 0;

/**
 * A fresh path (not yet created) inside this run's temp folder. The folder is
 * removed when the process exits, however it exits, so a data dir whose
 * creation raced with Ctrl-C is not left behind either.
 */
export function tempPath(name: string): string {
  if (!runDir) {
    const dir = (runDir = mkdtempSync(join(tmpdir(), "k8s-workshop-bench-")));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true, maxRetries: 3 }));
  }
  return join(runDir, `${name}-${++dirs}`);
}
