/**
 * The learner's command line: `npm run <command> [argument]`.
 *
 *   check [NN]        run chapters 01..NN against your code, stop at the first failure
 *   watch [NN]        the same, again on every save
 *   hint NN.k         one more hint for a step
 *   solve NN          copy the reference solution of a chapter (your files are backed up)
 *   reset NN          back to the untouched starter (your files are backed up)
 *   progress          every chapter and how far you are
 *   image             make sure the test image exists on the Docker engine
 *   up                bring up the cluster (npm start)
 *
 * Maintainer commands: gen-starters, verify-starters, lint-lessons.
 */
import { RuntimeError } from "../shared/runtime/errors.ts";
import { StarterError } from "./starters.ts";
import { c, UserError } from "./ui.ts";

const USAGE = `usage: npm run <command> [argument]
  check [NN]      run the tests of chapters 01..NN against your code
  watch [NN]      the same, re-run on every save
  hint NN.k       the next hint for step NN.k
  solve NN        copy the reference of chapter NN (backs up your files first)
  reset NN        restore the untouched starter of chapter NN (backs up your files first)
  progress        where you are in every chapter
  image           make sure the test image (busybox) is on the Docker engine
  up              bring up the cluster (npm start) [--tree chapters] [--port N] [--data DIR] [--fresh] [--kubeconfig FILE]
                  [--dashboard-port N] [--no-dashboard]
  top             the cluster's nodes, pods, controllers and services in the terminal, live`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const flags = new Set(rest.filter((a) => a.startsWith("-")));
  const arg = rest.find((a) => !a.startsWith("-"));
  switch (command) {
    case "check":
      return (await (await import("./check.ts")).check(arg, { verbose: flags.has("--verbose") || flags.has("-v") })) ? 0 : 1;
    case "watch":
      await (await import("./watch.ts")).watch(arg);
      return 0;
    case "hint":
      (await import("./hints.ts")).hint(arg, { reset: flags.has("--reset") });
      return 0;
    case "solve":
      (await import("./solve.ts")).solve(arg);
      return 0;
    case "reset":
      (await import("./solve.ts")).reset(arg);
      return 0;
    case "progress":
      (await import("./progress.ts")).progress();
      return 0;
    case "image":
      await (await import("./image.ts")).image();
      return 0;
    case "up":
      await (await import("./up.ts")).up(rest);
      return 0;
    case "top":
      await (await import("./top.ts")).top(rest);
      return 0;
    case "gen-starters":
      return (await import("./gen-starters.ts")).genStarters(arg);
    case "lint-lessons":
      return (await import("./lint-lessons.ts")).lintLessonsCommand(arg) ? 0 : 1;
    case "verify-starters":
      return (await (await import("./verify-starters.ts")).verifyStarters(arg)) ? 0 : 1;
    case undefined:
    case "help":
    case "--help":
      console.log(USAGE);
      return 0;
    default:
      throw new UserError(`unknown command "${command}": try npm run check, hint, solve, reset, progress or watch`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UserError || err instanceof RuntimeError || err instanceof StarterError) {
      console.error(c.red(`error: ${err.message}`));
    } else {
      // Unexpected: still one line for the user, the stack only on request.
      console.error(c.red(`error: ${(err as Error).message ?? String(err)}`));
      if (process.env.WORKSHOP_DEBUG) console.error(err);
      else console.error(c.dim("(set WORKSHOP_DEBUG=1 to see where it came from)"));
    }
    process.exit(1);
  },
);
