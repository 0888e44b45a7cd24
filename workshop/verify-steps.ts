/**
 * `npm run verify:steps NN`: proves that a learner can see each step pass as
 * soon as it is done.
 *
 * The learner's loop is "do step NN.k, run `npm run check NN.k`, see it pass".
 * That loop breaks when a test named NN.k needs a later step too: the learner
 * finishes NN.k and still sees "not implemented yet: TODO(NN.m)". So for each
 * step k in order, this builds the tree a learner has then (every other
 * chapter solved, chapter NN solved up to step k, its later steps still TODO
 * stubs) and runs the tests that `npm run check NN.k` runs. Every one must pass.
 */
import { rmSync } from "node:fs";
import { type Chapter } from "../shared/chapters.ts";
import { atInterrupt } from "./interrupt.ts";
import { resolveChapter } from "./resolve.ts";
import { runChapterTests, stepTestFiles, type TestOutcome } from "./runner.ts";
import { compareSteps, generateChapter } from "./starters.ts";
import { c, table, UserError } from "./ui.ts";
import { buildStarterTree } from "./verify-starters.ts";
import { STEP_ALLOWLIST, type AllowedStepWait } from "../test/step-allowlist.ts";

export interface StepVerdict {
  step: string;
  passed: number;
  /** What failed: a test ("file > name: first line of the error") or an error outside any test. */
  failures: string[];
  /** The later steps whose todo() the run reached, when a test failed. */
  note?: string;
  /** Failures excused by test/step-allowlist.ts: the test waits for a later step on purpose. */
  excused: string[];
}

export async function verifySteps(only?: string): Promise<boolean> {
  if (!only) throw new UserError("name one chapter: npm run verify:steps NN (each step runs the chapter's tests again)");
  const chapter = resolveChapter(only);
  const steps = generateChapter(chapter).steps.map((s) => s.step);
  if (steps.length === 0) throw new UserError(`chapter ${chapter.number} has no steps`);
  const verdicts: StepVerdict[] = [];
  for (const step of steps) {
    process.stdout.write(c.dim(`step ${step}: its tests, with steps up to ${step} solved ...\n`));
    const verdict = await verifyStep(chapter, step);
    verdicts.push(verdict);
    for (const f of verdict.failures) console.log(c.red(`  ${f}`));
    for (const e of verdict.excused) console.log(c.dim(`  ${e}`));
    if (verdict.note) console.log(c.yellow(`  ${verdict.note}`));
  }
  const rows = verdicts.map((v) => [
    v.step,
    `${v.passed} passed, ${v.failures.length} failed${v.excused.length > 0 ? `, ${v.excused.length} wait(s) for a later step (allowed)` : ""}`,
    v.failures.length === 0 ? c.green("ok") : c.red("fails"),
  ]);
  console.log(table(["step", "its tests, with the steps up to it solved", "verdict"], rows));
  const ok = verdicts.every((v) => v.failures.length === 0);
  if (!ok) {
    console.log(
      c.red(
        "\nA step's tests must pass once it and the steps before it are done. A TODO(NN.m) with m > k in a failure is a " +
          "test that needs a later step: name it after the step it needs, or split it.",
      ),
    );
  }
  return ok;
}

async function verifyStep(chapter: Chapter, step: string): Promise<StepVerdict> {
  // `npm run check NN.k` runs only the files that name the step; none is a failure too (nothing to see pass).
  const files = stepTestFiles(chapter, step);
  if (files.length === 0) return { step, passed: 0, failures: [`no test is named "${step} ..."`], excused: [] };
  const tree = buildStarterTree(chapter, { solvedThrough: step }, "-steps");
  const removeTree = () => rmSync(tree, { recursive: true, force: true });
  // Ctrl-C: the tests are stopped by runner.ts, the tree goes here.
  const unregister = atInterrupt(async () => removeTree());
  try {
    const run = await runChapterTests(chapter, tree, { files, testNamePattern: `^ ?${step.replace(".", "\\.")} ` });
    const mine = run.tests.filter((t) => t.status !== "skipped");
    const failed = mine.filter((t) => t.status === "failed");
    // A test listed in test/step-allowlist.ts may fail here, but only by reaching the later step it names.
    const allowed = (t: TestOutcome): AllowedStepWait | undefined => {
      const entry = STEP_ALLOWLIST.find((a) => a.file === t.file && a.test === t.name);
      const reached = entry && (t.message?.includes(`TODO(${entry.waitsFor})`) || run.todosReached.includes(entry.waitsFor));
      return reached ? entry : undefined;
    };
    const excused = failed.flatMap((t) => {
      const entry = allowed(t);
      return entry ? [`${t.file} > ${t.name}: waits for ${entry.waitsFor} (allowed: ${entry.reason})`] : [];
    });
    const failures = [
      ...failed.filter((t) => !allowed(t)).map(describeFailure),
      ...run.errors.map((e) => `error outside any test: ${e.split("\n")[0]}`),
    ];
    const passed = mine.filter((t) => t.status === "passed").length;
    if (passed === 0 && failures.length === 0) {
      failures.push(
        excused.length > 0
          ? `no test named "${step} ..." passes: every one waits for a later step`
          : `no test named "${step} ..." ran`,
      );
    }
    // A controller that meets a todo() logs it and tries again, and its test times out
    // without naming the step: the run's todo log (shared/todo.ts) does.
    let note: string | undefined;
    const later = run.todosReached.filter((s) => compareSteps(s, step) > 0).sort(compareSteps);
    if (failures.length > 0 && later.length > 0) {
      note = `the run reached the todo() of later step(s): ${later.map((s) => `TODO(${s})`).join(", ")}`;
    }
    return { step, passed, failures, note, excused };
  } finally {
    unregister();
    removeTree();
  }
}

function describeFailure(t: TestOutcome): string {
  const message = t.message ?? "";
  const first = message.split("\n").find((l) => l.trim() !== "") ?? "(no message)";
  // A later step's todo() often hides inside a 500 answer: name the step the test really reached.
  const later = [...new Set([...message.matchAll(/TODO\((\d{2}\.\d{1,2})\)/g)].map((m) => m[1]!))];
  const needs = later.length > 0 ? ` [reaches ${later.map((s) => `TODO(${s})`).join(", ")}]` : "";
  return `${t.file} > ${t.name}: ${first.trim().slice(0, 300)}${needs}`;
}
