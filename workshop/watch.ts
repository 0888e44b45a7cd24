/**
 * `npm run watch [NN]`: on every save in chapters/, the tests of the step you
 * are on (the earliest one that failed, else the first with a TODO left),
 * then the whole chapter's once that step passes.
 */
import { watch as watchFiles } from "node:fs";
import { join } from "node:path";
import { availableChapters, REPO_ROOT } from "../shared/chapters.ts";
import { check, lastNextStep } from "./check.ts";
import { interrupted } from "./interrupt.ts";
import { resolveChapter } from "./resolve.ts";
import { remainingSteps } from "./starters.ts";
import { c } from "./ui.ts";

export async function watch(target: string | undefined, options: { verbose?: boolean } = {}): Promise<void> {
  const chapter = target
    ? resolveChapter(target)
    : (availableChapters().find((ch) => remainingSteps(ch).length > 0) ?? availableChapters().at(-1)!);
  let running = false;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  /** The step that failed last time, so the next save reruns just that step. */
  let current: string | undefined;

  const cycle = async () => {
    const step = current ?? remainingSteps(chapter)[0]?.step;
    if (step) {
      console.log(c.bold(`step ${step}:`));
      if (!(await check(step, options))) {
        current = lastNextStep() ?? step;
        return;
      }
      console.log();
    }
    console.log(c.bold(`chapter ${chapter.number}:`));
    current = (await check(chapter.number, options)) ? undefined : lastNextStep();
  };

  const runOnce = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    if (process.stdout.isTTY) process.stdout.write("\u001b[2J\u001b[H");
    const started = Date.now();
    try {
      await cycle();
    } catch (err) {
      console.log(c.red((err as Error).message));
    }
    if (interrupted()) return;
    console.log(c.dim(`\n(${((Date.now() - started) / 1000).toFixed(1)} s) watching chapters/ for changes (Ctrl-C to stop) ...`));
    running = false;
    if (again) {
      again = false;
      void runOnce();
    }
  };

  watchFiles(join(REPO_ROOT, "chapters"), { recursive: true }, (_event, file) => {
    if (!file || !String(file).endsWith(".ts")) return;
    clearTimeout(timer);
    timer = setTimeout(() => void runOnce(), 300); // one run per burst of saves
  });
  await runOnce();
  await new Promise(() => {}); // until Ctrl-C
}
