import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { configDefaults, defineConfig } from "vitest/config";
import SlowFirstSequencer from "./test/harness/sequencer.ts";

/**
 * Tests import the code under test as `@tree/NN-slug/file.ts`. WORKSHOP_TREE
 * picks which tree that is: solutions/ (the default, what `npm test` checks),
 * chapters/ (the learner's work, what `npm run check` uses) or a scratch tree
 * that mixes the two (what `npm run verify:starters` builds).
 */
const tree = resolve(process.env.WORKSHOP_TREE ?? "solutions");

// Challenge tests are optional extensions that fail on the reference until
// the learner builds them: only `npm run check NN -- --challenges` runs them.
const exclude = [...configDefaults.exclude, ...(process.env.WORKSHOP_CHALLENGES === "1" ? [] : ["test/challenges/**"])];

export default defineConfig({
  resolve: {
    alias: [{ find: /^@tree\//, replacement: `${tree}/` }],
  },
  test: {
    // Two projects, one per kind of test file (vitest prints the name beside each file).
    projects: [
      // Files that may use the Docker engine, a cluster, the CLI: one fresh
      // process per file, so that no module state of one reaches the next.
      {
        extends: true,
        test: {
          name: "engine",
          include: ["test/**/*.test.ts"],
          exclude: [...exclude, "test/**/*.unit.test.ts"],
          // The Docker setup (engine check, test image, sweep, leak check) is for
          // tests that use the engine. A step check whose files are all unit tests
          // (*.unit.test.ts) skips it: workshop/runner.ts sets WORKSHOP_UNIT_ONLY.
          globalSetup: process.env.WORKSHOP_UNIT_ONLY === "1" ? [] : ["test/harness/global-setup.ts"],
        },
      },
      // Unit test files (*.unit.test.ts: no engine, no cluster) share their
      // worker processes: a fresh process per file cost more than most of
      // these files' tests (a fork, vitest's own start, the imports again).
      // They keep no state between files: no mocks of modules, no fake
      // timers left on, no changes to process.env.
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/**/*.unit.test.ts"],
          exclude,
          isolate: false,
        },
      },
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Tests of one chapter share a Docker engine and (later) ports; files run
    // in parallel, tests within a file in order.
    pool: "forks",
    // vitest's default is one worker less than the cores: on a 2-core machine
    // that is ONE file at a time. A cluster test spends most of its time
    // waiting (for Docker, for a kubelet's relist, for a controller's next
    // sync), so a second file at once uses the time the first one waits. Not
    // more on 2 cores: each cluster test would get slower, and its timings
    // less like a learner's run. `--maxWorkers N` still overrides it.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // Slow files first, so that no long file starts last and runs alone (on a
    // clean clone vitest has no durations yet): test/harness/sequencer.ts.
    sequence: { sequencer: SlowFirstSequencer },
    // Under CI a skipped test fails the run (test/harness/no-skips-reporter.ts).
    // Its JSON report lets .ci/run print a plain "N passed, N failed" closing line.
    reporters:
      process.env.CI === "true"
        ? ["default", "./test/harness/no-skips-reporter.ts", ["json", { outputFile: ".workshop/test-results.json" }]]
        : ["default"],
  },
});
