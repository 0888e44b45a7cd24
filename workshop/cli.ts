/**
 * The learner's command line: `npm run <command> [argument] [-- options]`.
 * `npm run help` lists the commands (workshop/args.ts has each one's options).
 *
 * The npm scripts run this file as `node --import tsx workshop/cli.ts`: node
 * itself gets the terminal's Ctrl-C, with no wrapper process in between that
 * relays the signal or exits before the cleanup is done (workshop/interrupt.ts).
 */
import { RuntimeError } from "../shared/runtime/errors.ts";
import { allUsage, COMMANDS, npmCommand, parseCommand, usage } from "./args.ts";
import { StarterError } from "./starters.ts";
import { c, UserError } from "./ui.ts";

/** Commands that create containers, networks or addresses: they sweep first and clean up on Ctrl-C. */
const CREATES_DOCKER_OBJECTS = new Set(["up", "check", "watch", "verify-steps"]);

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h") {
    console.log(allUsage());
    return 0;
  }
  if (!Object.hasOwn(COMMANDS, command)) {
    throw new UserError(
      `unknown command "${command}": try ${Object.keys(COMMANDS)
        .filter((k) => !COMMANDS[k]!.summary.startsWith("("))
        .join(", ")} (npm run help)`,
    );
  }
  const { help, positionals, values } = parseCommand(command, rest);
  if (help) {
    console.log(usage(command));
    return 0;
  }
  const arg = positionals[0];
  // A WORKSHOP_LANG the workshop does not speak is an error now, not after a minute of tests.
  (await import("./i18n/language.ts")).workshopLanguage();

  if (CREATES_DOCKER_OBJECTS.has(command)) await prepareRun(command, arg);

  switch (command) {
    case "help":
      console.log(arg && Object.hasOwn(COMMANDS, arg) ? usage(arg) : allUsage());
      return 0;
    case "check":
      return (await (
        await import("./check.ts")
      ).check(arg, { verbose: values.verbose === true, all: values.all === true, challenges: values.challenges === true }))
        ? 0
        : 1;
    case "watch":
      await (await import("./watch.ts")).watch(arg, { verbose: values.verbose === true });
      return 0;
    case "hint":
      (await import("./hints.ts")).hint(arg, { reset: values.reset === true });
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
    case "doctor":
      return (await (await import("./doctor.ts")).doctor({ fast: values.fast === true })) ? 0 : 1;
    case "up":
      await (await import("./up.ts")).up(values);
      return 0;
    case "top":
      await (await import("./top.ts")).top(rest);
      return 0;
    case "gen-starters":
      return (await import("./gen-starters.ts")).genStarters(arg);
    case "lint-lessons":
      return (await import("./lint-lessons.ts")).lintLessonsCommand(arg) ? 0 : 1;
    case "i18n":
      return (await import("./i18n/command.ts")).i18nCommand(positionals) ? 0 : 1;
    case "verify-starters":
      return (await (await import("./verify-starters.ts")).verifyStarters(arg)) ? 0 : 1;
    case "verify-steps":
      return (await (await import("./verify-steps.ts")).verifySteps(arg)) ? 0 : 1;
    default:
      throw new UserError(`${npmCommand(command)} is not wired up`);
  }
}

/**
 * Before a command that creates Docker objects: a run id of its own, Ctrl-C
 * handling, the fast checks of `npm run doctor`, and the sweep of what
 * earlier runs that were killed left behind.
 */
async function prepareRun(command: string, arg: string | undefined): Promise<void> {
  const [{ handleInterrupts }, { fastChecks }] = await Promise.all([import("./interrupt.ts"), import("./doctor.ts")]);
  // A step check whose tests are all unit tests needs no Docker engine: it
  // skips the engine check, the sweep and the Docker client's slow import.
  if (command === "check" && (await unitOnlyStep(arg))) {
    handleInterrupts({ docker: false, exitCode: 130 });
    await fastChecks({ docker: false });
    return;
  }
  const [{ startRun, connectDocker }, { sweepDeadRuns, sweepLine }] = await Promise.all([
    import("../shared/docker.ts"),
    import("./sweeper.ts"),
  ]);
  startRun();
  // etcd clusters (chapter 16) of runs that were killed: their members and folders.
  const { sweepEtcdClusters } = await import("../shared/etcd-cluster.ts");
  const etcdSwept = sweepEtcdClusters();
  if (etcdSwept.length > 0) console.log(c.dim(`removed ${etcdSwept.length} etcd cluster(s) left by runs that are gone`));
  // The node folders of clusters whose process was killed before it could close them.
  const { sweepClusterDirs } = await import("../shared/cluster/temp-dir.ts");
  sweepClusterDirs();
  // Ctrl-C is how npm start and watch end (exit 0); it cuts a check short (130, as shells report SIGINT).
  handleInterrupts({ docker: true, exitCode: command === "check" || command === "verify-steps" ? 130 : 0 });
  // `check 02` to `check 04` need no Docker engine; everything else does.
  const needsDocker = command !== "check" || !arg || !/^0?[234](\.\d+)?$/.test(arg);
  await fastChecks({ docker: needsDocker });
  if (!needsDocker) return;
  const line = sweepLine(await sweepDeadRuns(connectDocker()));
  if (line) console.log(c.dim(line));
  if (command === "check" || command === "watch") {
    // The engine answers and is swept: with the test image in place, the
    // tests' global setup need not check all this again (test/harness/global-setup.ts).
    const { ensureTestImage, TEST_IMAGE } = await import("../shared/test-image.ts");
    await ensureTestImage(connectDocker());
    process.env.WORKSHOP_TEST_IMAGE_READY = TEST_IMAGE;
  }
}

/** True for `check NN.k` when every test file that names step NN.k is a unit test file (workshop/runner.ts). */
async function unitOnlyStep(arg: string | undefined): Promise<boolean> {
  if (!arg || !/^\d+\.\d+$/.test(arg.trim())) return false;
  const [{ resolveStep }, { isUnitTestFile, stepTestFiles }] = await Promise.all([import("./resolve.ts"), import("./runner.ts")]);
  const { chapter, step } = resolveStep(arg);
  const files = stepTestFiles(chapter, step);
  return files.length > 0 && files.every(isUnitTestFile);
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
