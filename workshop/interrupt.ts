/**
 * Ctrl-C that cleans up. A terminal sends SIGINT to the whole foreground
 * process group (npm, the shell and node), so node must be the process that
 * decides what happens: the npm scripts run `node --import tsx` directly,
 * with no wrapper that relays or swallows the signal.
 *
 * On the first SIGINT, SIGTERM or SIGHUP: run the registered cleanups, then
 * remove whatever Docker object still carries this run's id, print what was
 * removed, and exit: 0 for commands that run until Ctrl-C (npm start, watch),
 * 130 for one that was cut short (check). A second Ctrl-C while cleaning is ignored (with a
 * note), and a hard deadline makes sure the command ends: what is left then
 * is removed by the sweeper at the next start.
 */
import { sweepClusterDirs } from "../shared/cluster/temp-dir.ts";
import { connectDocker, currentRunId } from "../shared/docker.ts";
import { describeRemoved, isEmpty, listRunObjects, mergeRemoved, removeRunObjects } from "./sweeper.ts";
import { c } from "./ui.ts";

const cleanups: (() => Promise<void>)[] = [];
let installed = false;
let cleaning = false;

/** Runs `task` (in reverse order of registration) when the user interrupts. Returns a function that unregisters it. */
export function atInterrupt(task: () => Promise<void>): () => void {
  cleanups.push(task);
  return () => {
    const i = cleanups.indexOf(task);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

/** True once an interrupt has started the cleanup. */
export function interrupted(): boolean {
  return cleaning;
}

/**
 * Installs the signal handlers. `docker`: whether this command may have
 * created Docker objects (then the run's leftovers are removed by label).
 */
export function handleInterrupts(options: { docker: boolean; deadlineMs?: number; exitCode?: number }): void {
  if (installed) return;
  installed = true;
  const deadlineMs = options.deadlineMs ?? Number(process.env.WORKSHOP_CLEANUP_DEADLINE_MS || 30_000);
  const onSignal = (signal: NodeJS.Signals) => {
    if (cleaning) {
      process.stderr.write(
        c.dim(`\n(${signal} ignored: still cleaning up, this ends within ${Math.round(deadlineMs / 1000)} s)\n`),
      );
      return;
    }
    cleaning = true;
    process.stdout.write(`\nstopping (${signal}): cleaning up, please wait ...\n`);
    setTimeout(() => {
      console.error(
        c.red(
          `cleanup did not finish within ${Math.round(deadlineMs / 1000)} s: the next npm start or npm run check removes what is left.`,
        ),
      );
      process.exit(1);
    }, deadlineMs).unref();
    void cleanUp(options.docker).then(
      () => process.exit(options.exitCode ?? 130),
      (err: Error) => {
        console.error(c.red(`cleanup failed: ${err.message}. The next npm start or npm run check removes what is left.`));
        process.exit(1);
      },
    );
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, onSignal);
}

async function cleanUp(docker: boolean): Promise<void> {
  // What this run has now, to say afterwards what was removed.
  const before = docker ? await listRunObjects(connectDocker(), currentRunId()).catch(() => undefined) : undefined;
  for (const task of cleanups.splice(0).reverse()) {
    await task().catch((err: Error) => console.error(c.red(`while stopping: ${err.message}`)));
  }
  if (!docker) {
    console.log("stopped.");
    return;
  }
  // Whatever the cleanups did not remove (a kubelet stopped mid-way, a test
  // process killed before its afterAll), this run's labels still find.
  // Again until a pass finds nothing: a container create that was already on
  // its way to the engine when the kubelets stopped can land after a pass.
  let all = before ?? (await removeRunObjects(connectDocker(), currentRunId()));
  for (let pass = 0; pass < 6; pass++) {
    await new Promise((r) => setTimeout(r, pass === 0 ? 300 : 1000));
    const more = await removeRunObjects(connectDocker(), currentRunId());
    all = mergeRemoved(all, more);
    if (isEmpty(more)) break;
  }
  // The node folders of this run's test processes, killed by the same Ctrl-C
  // before their afterAll could close their clusters: they are gone by now.
  sweepClusterDirs();
  console.log(isEmpty(all) ? "stopped: nothing was left to remove." : `stopped: removed ${describeRemoved(all)}.`);
}
