/**
 * `npm run mutate [NN | NN.k]`: do the tests catch the mistakes learners make?
 *
 * Every wrong implementation in workshop/mutations.ts is applied, one at a
 * time, to a scratch copy of solutions/ (like verify-starters, the copy sits
 * beside solutions/ so its `../../shared` imports still resolve). The
 * chapter's tests run against it with WORKSHOP_TREE pointing there. A
 * mutation is "killed" when a test fails, and "survived" when every test
 * passes: then the suite cannot tell that mistake from the right answer.
 * For a killed one we also check what a learner would be told first: the
 * earliest failing step must be the step of the mistake.
 *
 * By default only the tests of the mistake's step and of the steps before it
 * run (vitest -t on the "NN.k " prefix of test names): that is enough to see
 * whether the step's tests kill it and whether an earlier step's tests
 * wrongly fail first, and it saves the slow tests of later steps.
 *
 *   --all        run every test of the chapter (a mistake caught only by a
 *                later step's or a chapter-level test counts as killed)
 *   --root DIR   run against another checkout (its solutions/ and test/),
 *                e.g. an older commit, to compare its messages with these
 *   --json FILE  also write the results as JSON
 *   --unit       run only the unit test files (*.unit.test.ts): no Docker,
 *                no cluster; a quick first pass while the machine is busy
 */
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { availableChapters, type Chapter, REPO_ROOT } from "../shared/chapters.ts";
import { MUTATIONS, type Mutation } from "./mutations.ts";
import { pidAlive } from "./sweeper.ts";
import { type ChapterRun, runChapterTests, type TestOutcome } from "./runner.ts";
import { compareSteps } from "./starters.ts";
import { chapterTestFiles, listTests, solutionSteps, stepOfTestName } from "./test-names.ts";
import { c, table, UserError } from "./ui.ts";

export interface MutationResult {
  mutation: Mutation;
  verdict: "killed" | "survived" | "stale";
  /** The earliest step with a failing test ("02" for a chapter-level test). */
  firstStep?: string;
  /** That step's first failing test and the first line of its message. */
  firstTest?: string;
  firstLine?: string;
  failed: number;
  passed: number;
  seconds: number;
  /** Every failing test with the first line of its message. */
  failures: { test: string; line: string }[];
}

/** Applies a mutation to a copy of `solutions/` under root; returns the copy, or undefined when `find` is not there exactly once. */
export function buildMutantTree(root: string, m: Mutation, name: string): string | undefined {
  const tree = join(root, name);
  rmSync(tree, { recursive: true, force: true });
  cpSync(join(root, "solutions"), tree, { recursive: true });
  const path = join(tree, m.file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  if (text.split(m.find).length !== 2) return undefined;
  writeFileSync(
    path,
    text.replace(m.find, () => m.replace),
  );
  return tree;
}

/** Orders steps as a learner meets them; a chapter-level test ("02") comes after the chapter's steps. */
function stepOrder(a: string, b: string): number {
  const key = (s: string) => (s.includes(".") ? s : `${s}.9999`);
  return compareSteps(key(a), key(b));
}

/** The first failure a learner should look at: the earliest step, then file order. */
export function firstFailure(tests: TestOutcome[]): { step: string; test: TestOutcome } | undefined {
  let best: { step: string; test: TestOutcome } | undefined;
  for (const t of tests) {
    if (t.status !== "failed") continue;
    const step = stepOfTestName(t.name) ?? "?";
    if (!best || (step !== "?" && (best.step === "?" || stepOrder(step, best.step) < 0))) best = { step, test: t };
  }
  return best;
}

/** A vitest -t pattern for the tests of `step` and of the chapter's steps before it. */
export function upToStepPattern(chapter: Chapter, step: string, root: string): { pattern: string; files: string[] } {
  const steps = [...solutionSteps(chapter, root)].filter((s) => compareSteps(s, step) <= 0);
  const files = chapterTestFiles(chapter, root).filter((f) =>
    listTests(f, root).some((t) => steps.includes(stepOfTestName(t.name) ?? "")),
  );
  // vitest matches "-t" against "<describe> ... <test>" joined by spaces: the step id is the first word.
  return { pattern: `^ ?(${steps.map((s) => s.replace(".", "\\.")).join("|")}) `, files };
}

export async function runMutation(
  root: string,
  chapter: Chapter,
  m: Mutation,
  all = false,
  unit = false,
): Promise<MutationResult> {
  const started = Date.now();
  const seconds = () => Math.round((Date.now() - started) / 1000);
  const tree = buildMutantTree(root, m, `.mutant-tree-${process.pid}`);
  if (!tree) return { mutation: m, verdict: "stale", failed: 0, passed: 0, seconds: seconds(), failures: [] };
  try {
    const run = all ? await runChapterTests(chapter, tree, { root }) : await runStepTests(chapter, m.step, tree, root, unit);
    const first = firstFailure(run.tests);
    const killed = run.failed > 0 || run.errors.length > 0;
    return {
      mutation: m,
      verdict: killed ? "killed" : "survived",
      firstStep: first?.step ?? (run.errors.length ? "load error" : undefined),
      firstTest: first?.test.name,
      firstLine: (first?.test.message ?? run.errors[0] ?? "").split("\n")[0],
      failed: run.failed,
      passed: run.passed,
      seconds: seconds(),
      failures: run.tests
        .filter((t) => t.status === "failed")
        .map((t) => ({ test: t.name, line: (t.message ?? "").split("\n")[0]! })),
    };
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
}

/** Removes the scratch trees of mutate runs that were killed (their process is gone). */
function sweepMutantTrees(root: string): void {
  for (const name of readdirSync(root)) {
    const pid = /^\.mutant-tree-(\d+)$/.exec(name)?.[1];
    if (pid && !pidAlive(Number(pid))) rmSync(join(root, name), { recursive: true, force: true });
  }
}

export async function mutate(argv: string[]): Promise<boolean> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      root: { type: "string" },
      json: { type: "string" },
      all: { type: "boolean" },
      unit: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log("usage: npm run mutate [NN | NN.k] [-- --all] [--unit] [--root DIR] [--json FILE]");
    return true;
  }
  const root = resolve(values.root ?? REPO_ROOT);
  const only = positionals[0];
  if (only && !/^\d\d(\.\d+)?$/.test(only)) throw new UserError(`"${only}" is not a chapter (02) or a step (02.4)`);
  const selected = MUTATIONS.filter((m) => !only || m.step === only || m.step.startsWith(`${only}.`));
  if (selected.length === 0) throw new UserError(`no mutation is declared for ${only} in workshop/mutations.ts`);

  sweepMutantTrees(root);
  const results: MutationResult[] = [];
  for (const m of selected) {
    const chapter = availableChapters(root).find((ch) => m.step.startsWith(`${ch.number}.`));
    if (!chapter) throw new UserError(`mutation "${m.mistake}": no chapter for step ${m.step}`);
    if (values.unit && !upToStepPattern(chapter, m.step, root).files.some((f) => f.endsWith(".unit.test.ts"))) {
      console.log(c.dim(`${m.step} ${m.mistake}: no unit test up to this step, skipped (run without --unit)`));
      continue;
    }
    process.stdout.write(c.dim(`${m.step} ${m.mistake} ...`));
    const r = await runMutation(root, chapter, m, values.all, values.unit);
    results.push(r);
    const named = r.firstStep === m.step ? "" : c.yellow(` (first failing step ${r.firstStep ?? "-"})`);
    process.stdout.write(` ${r.verdict === "killed" ? c.green("killed") : c.red(r.verdict)}${named} ${r.seconds}s\n`);
    if (r.firstLine) console.log(c.dim(`    ${r.firstTest}\n    ${r.firstLine}`));
  }

  console.log(
    table(
      ["step", "mistake", "verdict", "first failing step"],
      results.map((r) => [
        r.mutation.step,
        r.mutation.mistake,
        r.verdict === "killed" ? c.green("killed") : c.red(r.verdict),
        r.verdict !== "killed"
          ? "-"
          : r.firstStep === r.mutation.step
            ? c.green(r.firstStep)
            : c.yellow(`${r.firstStep ?? "?"} (expected ${r.mutation.step})`),
      ]),
    ),
  );
  const killed = results.filter((r) => r.verdict === "killed");
  const right = killed.filter((r) => r.firstStep === r.mutation.step);
  console.log(`${killed.length}/${results.length} killed; ${right.length}/${killed.length} name the right step first.`);
  if (values.json) writeFileSync(values.json, JSON.stringify(results, null, 2));
  return killed.length === results.length && results.every((r) => r.verdict !== "stale");
}

/** Runs the tests of `step` and earlier steps (by name) against tree. */
function runStepTests(chapter: Chapter, step: string, tree: string, root: string, unit = false): Promise<ChapterRun> {
  const { pattern, files } = upToStepPattern(chapter, step, root);
  const selected = unit ? files.filter((f) => f.endsWith(".unit.test.ts")) : files;
  return runChapterTests(chapter, tree, { root, testNamePattern: pattern, files: selected });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  mutate(process.argv.slice(2)).then(
    (ok) => process.exit(ok ? 0 : 1),
    (err: unknown) => {
      console.error(c.red(`error: ${err instanceof Error ? err.message : String(err)}`));
      process.exit(2);
    },
  );
}
