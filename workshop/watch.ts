/** `npm run watch [NN]`: `npm run check [NN]` again every time a file in chapters/ is saved. */
import { watch as watchFiles } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../shared/chapters.ts";
import { check } from "./check.ts";
import { c } from "./ui.ts";

export async function watch(upTo: string | undefined): Promise<void> {
  let running = false;
  let again = false;
  let timer: NodeJS.Timeout | undefined;

  const runOnce = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    if (process.stdout.isTTY) process.stdout.write("\u001b[2J\u001b[H");
    try {
      await check(upTo);
    } catch (err) {
      console.log(c.red((err as Error).message));
    }
    console.log(c.dim(`\nwatching chapters/ for changes (Ctrl-C to stop) ...`));
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
