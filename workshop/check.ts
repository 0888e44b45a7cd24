/**
 * `npm run check [NN | NN.k]`: runs tests against the learner's code in chapters/.
 *
 *   check NN     chapter NN's tests (they boot the cluster built from chapters
 *                01..NN). Earlier chapters count as passed without running when
 *                their code is the reference or unchanged since their tests last
 *                passed (workshop/record.ts); a changed one runs first.
 *   check NN.k   only the tests of step NN.k, then the next step.
 *   --all        run every chapter up to NN again, records or not.
 *
 * Then it says what to do next: the earliest step with a failure, the test to
 * start with, the TODO (file:line) and the hint command.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { availableChapters, type Chapter, REPO_ROOT } from "../shared/chapters.ts";
import { codeHash, standing, testsHash, when } from "./record.ts";
import { chapterPassed, type ChapterRun, isChallenge, runChapterTests, stepTestFiles, type TestOutcome } from "./runner.ts";
import { resolveChapter, resolveStep } from "./resolve.ts";
import { localized, workshopLanguage } from "./i18n/language.ts";
import { messages } from "./i18n/messages.ts";
import { compareSteps, generateChapter, remainingSteps, remainingTodos } from "./starters.ts";
import { loadState, saveState } from "./state.ts";
import { stepOfTestName } from "./step-id.ts";
import { chapterTitle, lessonFile } from "./i18n/lessons.ts";
import { c, table, UserError } from "./ui.ts";

export interface CheckOptions {
  verbose?: boolean;
  /** Rerun every chapter up to NN, ignoring the pass record. */
  all?: boolean;
  /** Also run the chapter's challenge tests (test/challenges/NN-*.test.ts). */
  challenges?: boolean;
}

const CHAPTERS_DIR = () => join(REPO_ROOT, "chapters");

/** The step that the last failing check pointed at ("Next: step NN.k"), for watch. */
let lastNext: string | undefined;
export const lastNextStep = () => lastNext;

export async function check(target: string | undefined, options: CheckOptions = {}): Promise<boolean> {
  lastNext = undefined;
  if (target && /^\d+\.\d+$/.test(target.trim())) return checkStep(target, options);
  return checkChapters(target, options);
}

async function checkChapters(upTo: string | undefined, options: CheckOptions): Promise<boolean> {
  const chapters = chaptersUpTo(upTo);
  const state = loadState();
  const rows: string[][] = [];
  let failed: ChapterRun | undefined;
  const runs: ChapterRun[] = [];

  for (const [i, chapter] of chapters.entries()) {
    const last = i === chapters.length - 1;
    if (!last && !options.all) {
      const s = standing(chapter, state);
      if (s.kind === "reference") {
        rows.push([chapter.number, chapterTitle(chapter), "-", c.green("passed (reference)")]);
        continue;
      }
      if (s.kind === "unchanged") {
        rows.push([chapter.number, chapterTitle(chapter), "-", c.green(`passed (unchanged since ${when(s.since)})`)]);
        continue;
      }
    }
    const hashes = { codeHash: codeHash(chapter, CHAPTERS_DIR()), testsHash: testsHash(chapter) };
    const run = await runWithProgress(chapter, `chapter ${chapter.number}`, { challenges: last && options.challenges });
    runs.push(run);
    const ok = chapterPassed(run);
    const own = run.tests.filter((t) => !isChallenge(t));
    state.checks[chapter.slug] = {
      passed: own.filter((t) => t.status === "passed").length,
      total: own.length,
      ok,
      at: new Date().toISOString(),
      ...hashes,
    };
    saveState(state);
    rows.push([
      chapter.number,
      chapterTitle(chapter),
      `${state.checks[chapter.slug]!.passed}/${own.length}`,
      ok ? c.green("passed") : c.red("failing"),
    ]);
    if (!ok) {
      failed = run;
      break;
    }
  }
  for (const chapter of chapters.slice(rows.length))
    rows.push([chapter.number, chapterTitle(chapter), "-", c.dim("not run yet")]);

  console.log(table(["chapter", "", "tests", "result"], rows));
  console.log();
  if (options.verbose) for (const run of runs) printVerbose(run);
  const challengeRun = runs.find((r) => r.tests.some(isChallenge));
  if (options.challenges) printChallenges(challengeRun, chapters.at(-1)!);
  if (!failed) {
    const last = chapters.at(-1)!;
    const next = availableChapters().find((ch) => ch.number > last.number);
    console.log(c.green(say().chaptersPassed(chapters[0]!.number, last.number)));
    if (next) console.log(say().nextChapter(lessonFile(next), c.cyan(`npm run check ${next.number}`)));
    return true;
  }
  explainFailure(failed, {});
  return false;
}

/** `check NN.k`: the tests of one step only, against the learner's chapters. */
async function checkStep(id: string, options: CheckOptions): Promise<boolean> {
  const { chapter, step } = resolveStep(id);
  // The files that name the step, also through a shared suite they run (the store's behaviour, test/harness).
  const files = stepTestFiles(chapter, step);
  const noOwnTests = () => console.log(say().noOwnTests(step, chapter.number, c.cyan(`npm run check ${chapter.number}`)));
  if (files.length === 0) {
    noOwnTests();
    return true;
  }
  const run = await runWithProgress(chapter, `step ${step}`, {
    files,
    testNamePattern: `^${step.replace(".", "\\.")} `,
  });
  const mine = run.tests.filter((t) => t.status !== "skipped" || stepOf(t.name) === step);
  if (run.errors.length === 0 && mine.length === 0) {
    // A step whose code only the whole chapter exercises (a sync loop driven by the real kubectl).
    noOwnTests();
    return true;
  }
  if (options.verbose) printVerbose({ ...run, tests: run.tests.filter((t) => stepOf(t.name) === step) });
  const title = stepTitle(chapter, step);
  const passed = mine.filter((t) => t.status === "passed").length;
  if (!chapterPassed(run)) {
    console.log(c.red(say().stepFailed(step, title, passed, mine.length)));
    explainFailure(run, { step });
    return false;
  }
  console.log(c.green(say().stepPassed(step, title, passed)));
  const steps = generateChapter(chapter).steps.map((s) => s.step);
  const next = steps.find((s) => compareSteps(s, step) > 0);
  if (next) {
    console.log(say().nextStep(c.cyan(next), stepTitle(chapter, next), c.cyan(`npm run check ${next}`)));
  } else {
    console.log(say().lastStep(chapter.number, c.cyan(`npm run check ${chapter.number}`)));
  }
  return true;
}

/** Runs one chapter's tests with a live line: elapsed time and tests finished (one line per chapter when not a terminal). */
async function runWithProgress(
  chapter: Chapter,
  label: string,
  options: { challenges?: boolean; files?: string[]; testNamePattern?: string },
): Promise<ChapterRun> {
  const tty = Boolean(process.stdout.isTTY);
  const started = Date.now();
  let finished = 0;
  let failures = 0;
  const line = () => {
    const elapsed = Math.round((Date.now() - started) / 1000);
    return `${label} (${chapter.slug}): ${finished} test${finished === 1 ? "" : "s"} finished${failures ? `, ${failures} failed` : ""}, ${elapsed} s`;
  };
  const draw = () => process.stdout.write(`\r\u001b[K${c.dim(line())}`);
  const timer = tty ? setInterval(draw, 1000) : undefined;
  if (tty) draw();
  try {
    return await runChapterTests(chapter, CHAPTERS_DIR(), {
      ...options,
      transformCache: true,
      onTest: (t) => {
        if (t.status === "skipped") return;
        finished++;
        if (t.status === "failed") failures++;
        if (tty) draw();
      },
    });
  } finally {
    clearInterval(timer);
    if (tty) process.stdout.write("\r\u001b[K");
    else console.log(line());
  }
}

function chaptersUpTo(upTo: string | undefined): Chapter[] {
  const available = availableChapters();
  if (available.length === 0) throw new UserError("no chapters found under solutions/");
  if (upTo === undefined) return available;
  const last = resolveChapter(upTo);
  return available.filter((ch) => ch.number <= last.number);
}

/**
 * The later step a failing test waits for: the test belongs to step S, and
 * its message names the todo() of a step after S in this chapter. Undefined
 * when the failure is the test's own (or it belongs to no step).
 */
export function waitsFor(chapter: Chapter, test: TestOutcome): string | undefined {
  const own = stepOf(test.name);
  if (!own || !/^\d{2}\.\d+$/.test(own)) return undefined;
  const todos = [...(test.message ?? "").matchAll(/TODO\((\d{2}\.\d+)\)/g)].map((m) => m[1]!);
  const mine = todos.filter((s) => s.startsWith(`${chapter.number}.`)).sort(compareSteps);
  // Its own step's todo() (or an earlier one) is still there: the test waits for the learner, not for a later step.
  return mine.length > 0 && compareSteps(mine[0]!, own) > 0 ? mine[0] : undefined;
}

/**
 * A failing test with no error of its own (a time-out, an assertion on a state
 * that never came) while the run reached the todo() of a later step of the
 * chapter: a component caught that error and only logged it, so the test may be
 * waiting for that step. Returns the earliest such step. Says nothing when the
 * run also reached the todo() of the test's own step or an earlier one (a fresh
 * chapter reaches them all): that step explains the failure just as well, and
 * it comes first.
 */
export function mayWaitFor(chapter: Chapter, test: TestOutcome, reached: string[]): string | undefined {
  const own = stepOf(test.name);
  if (!own || !/^\d{2}\.\d+$/.test(own) || /TODO\(\d{2}\.\d+\)/.test(test.message ?? "")) return undefined;
  const ofChapter = reached.filter((s) => s.startsWith(`${chapter.number}.`)).sort(compareSteps);
  if (ofChapter.some((s) => compareSteps(s, own) <= 0)) return undefined;
  return ofChapter[0];
}

/**
 * A failure in a few lines: its first line, then, when it carries a diff, the
 * first lines that differ (not the "- Expected" / "+ Received" legend, which
 * alone says nothing).
 */
export function brief(message: string): string[] {
  const [first = "", ...rest] = message.split("\n");
  const changed = rest.filter((l) => /^[-+] /.test(l) && !/^- Expected\s*$|^\+ Received\s*$/.test(l));
  return [first, ...(changed.length > 0 ? changed.slice(0, 4) : rest.filter((l) => l.trim() !== "").slice(0, 2))];
}

/** "05.2 kubelet > ..." -> "05.2"; "05 chapter > ..." -> "05 chapter"; else undefined. */
export function stepOf(name: string): string | undefined {
  const step = stepOfTestName(name);
  return step === undefined ? undefined : step.includes(".") ? step : `${step} chapter`;
}

/** Step order: steps by number, then the whole-chapter tests, then tests without a step. */
function compareGroups(a: string, b: string): number {
  const rank = (g: string) => (/^\d{2}\.\d+$/.test(g) ? 0 : /chapter$/.test(g) ? 1 : 2);
  return rank(a) - rank(b) || (rank(a) === 0 ? compareSteps(a, b) : a.localeCompare(b));
}

/** Prints the failing tests grouped by step, and the step to work on next: the earliest one with a failure. */
/** `how.step`: the step a step check ran (undefined for a chapter check). */
export function explainFailure(run: ChapterRun, how: { step?: string }): void {
  const { chapter } = run;
  const failures = run.tests.filter((t) => t.status === "failed" && !isChallenge(t));
  if (!how.step)
    console.log(
      c.red(
        `Chapter ${chapter.number} has ${failures.length} failing test(s) of ${run.tests.filter((t) => !isChallenge(t)).length}.`,
      ),
    );
  for (const e of run.errors) console.log(c.red(`  ${e.split("\n").join("\n  ")}`));

  // A test of an early step that runs the whole component (a cluster test) can fail only
  // because a LATER step's todo() ran: that is not this step's fault, so say what it waits for.
  const waiting = new Map<string, TestOutcome[]>();
  const perhaps = new Map<string, TestOutcome[]>();
  const own: TestOutcome[] = [];
  for (const t of failures) {
    const later = waitsFor(chapter, t);
    const maybe = later ? undefined : mayWaitFor(chapter, t, run.todosReached);
    if (later) waiting.set(later, [...(waiting.get(later) ?? []), t]);
    else if (maybe) perhaps.set(maybe, [...(perhaps.get(maybe) ?? []), t]);
    else own.push(t);
  }
  const groups = new Map<string, TestOutcome[]>();
  for (const t of own) {
    const g = stepOf(t.name) ?? "other tests";
    groups.set(g, [...(groups.get(g) ?? []), t]);
  }
  const order = [...groups.keys()].sort(compareGroups);
  // The first few steps in full; the rest in one line (they may follow from the first).
  const shown = order.slice(0, 3);
  for (const g of shown) {
    const tests = groups.get(g)!;
    const title = /^\d{2}\.\d+$/.test(g) ? stepTitle(chapter, g) : undefined;
    console.log(`  ${c.bold(/^\d/.test(g) && !g.includes("chapter") ? `step ${g}` : g)}${title ? ` (${title})` : ""}`);
    for (const [i, t] of tests.slice(0, 3).entries()) {
      console.log(`    ${c.red("x")} ${t.name}`);
      // The first failure of the first step with its whole diff (what was expected, what came); the others in brief.
      const message = g === order[0] && i === 0 ? (t.message ?? "").split("\n").slice(0, 30) : brief(t.message ?? "");
      for (const l of message) console.log(c.dim(`        ${l}`));
    }
    if (tests.length > 3) console.log(c.dim(`    ... and ${tests.length - 3} more in this step`));
  }
  const hidden = order.slice(shown.length);
  if (hidden.length) {
    const count = hidden.reduce((n, g) => n + groups.get(g)!.length, 0);
    console.log(
      c.dim(
        `  ... and ${count} failing test(s) in ${hidden.join(", ")} (npm run check ${chapter.number} -- --verbose lists them)`,
      ),
    );
  }
  for (const [later, tests] of [...waiting].sort(([a], [b]) => compareSteps(a, b))) {
    const of = [...new Set(tests.map((t) => stepOf(t.name)))].join(", ");
    console.log(c.yellow(say().waitsFor(tests.length, of, later)));
  }
  for (const [later, tests] of [...perhaps].sort(([a], [b]) => compareSteps(a, b))) {
    const of = [...new Set(tests.map((t) => stepOf(t.name)))].join(", ");
    console.log(c.yellow(say().mayWaitFor(tests.length, of, later)));
    for (const t of tests.slice(0, 3)) console.log(c.dim(`    ${t.name}: ${(t.message ?? "").split("\n")[0]}`));
    if (tests.length > 3) console.log(c.dim(`    ... and ${tests.length - 3} more`));
  }
  console.log();

  // The earliest step: from the failing tests' names and from the todo() calls they ran into.
  const hit = new Set<string>();
  for (const text of [...own.map((t) => t.message ?? ""), ...run.errors]) {
    for (const m of text.matchAll(/TODO\((\d{2}\.\d+)\)/g)) if (m[1]!.startsWith(`${chapter.number}.`)) hit.add(m[1]!);
  }
  // A step check ran only that step's tests: a later step's todo() they reached is
  // what they wait for (said above), not the next step; the steps between come first.
  if (how.step) for (const s of hit) if (compareSteps(s, how.step) > 0) hit.delete(s);
  const stepGroups = order.filter((g) => /^\d{2}\.\d+$/.test(g));
  const earliest = [...new Set([...stepGroups, ...hit])].sort(compareSteps)[0];
  const remaining = remainingSteps(chapter);
  const step = earliest ?? (own.length === 0 || order.length === 0 ? remaining[0]?.step : undefined);
  const later = order.filter((g) => g !== step);

  lastNext = step;
  if (step) {
    // Every place where the step's TODO still stands (a step may span two
    // functions or two files), else every place where the step was: the bug
    // may sit in any of them.
    const left = remainingTodos(chapter).filter((t) => t.step === step);
    let places = [...new Set(left.map((t) => `${t.file}:${t.line}`))];
    if (places.length === 0) {
      places = [
        ...new Set(
          generateChapter(chapter)
            .todos.filter((t) => t.step === step)
            .map((t) => `${t.file}:${t.line}`),
        ),
      ];
    }
    // A step with many small TODOs (one per method) would fill the screen: the first four, then a count.
    if (places.length > 4) places = [...places.slice(0, 4), `and ${places.length - 4} more`];
    const title = stepTitle(chapter, step);
    const first = groups.get(step)?.[0];
    console.log(`${c.bold(say().next)}${say().nextBecause(c.cyan(step), title, Boolean(earliest))}`);
    if (first) console.log(say().startWith(first.name, first.file));
    if (places.length > 0) console.log(say().code(places.map((p) => c.cyan(p)).join(", "), left.length > 0));
    console.log(say().lesson(lessonFile(chapter), step));
    console.log(say().stuck(c.cyan(`npm run hint ${step}`)));
    console.log(say().rerun(c.cyan(`npm run check ${step}`)));
    if (later.length > 0) console.log(c.dim(say().laterFailures(later.join(", "))));
  } else {
    const first = failures[0];
    console.log(`${c.bold(say().next)}${say().allTodosWritten(chapter.number)}`);
    if (first) console.log(say().compareWithLesson(first.name, first.file));
  }
  console.log(say().moreDetail(c.cyan(`npm run check ${chapter.number} -- --verbose`)));
}

/** --verbose: every test with its duration, and the skipped ones with the reason. */
function printVerbose(run: ChapterRun): void {
  console.log(c.bold(`chapter ${run.chapter.number}: ${run.tests.length} tests in ${(run.durationMs / 1000).toFixed(1)} s`));
  for (const t of run.tests) {
    const mark = t.status === "passed" ? c.green("ok  ") : t.status === "failed" ? c.red("FAIL") : c.yellow("skip");
    const reason = t.status === "skipped" ? skipReason(run, t) : undefined;
    console.log(
      `  ${mark} ${t.name} ${c.dim(t.status === "skipped" ? `(skipped: ${reason})` : `${t.durationMs} ms`)}  ${c.dim(t.file)}`,
    );
  }
  const skippedFiles = [...new Set(run.tests.filter((t) => t.status === "skipped").map((t) => t.file))];
  if (skippedFiles.length) {
    console.log(
      c.yellow(
        `  skipped suites: ${skippedFiles.map((f) => `${f} (${run.skipNotes[f]?.[0] ?? "its condition was false"})`).join("; ")}`,
      ),
    );
  } else {
    console.log(c.dim("  no test was skipped"));
  }
  console.log();
}

function skipReason(run: ChapterRun, t: TestOutcome): string {
  return t.message ?? run.skipNotes[t.file]?.[0] ?? "its skipIf condition was true";
}

function printChallenges(run: ChapterRun | undefined, chapter: Chapter): void {
  const tests = run?.tests.filter(isChallenge) ?? [];
  if (tests.length === 0) {
    console.log(c.dim(`Chapter ${chapter.number} has no challenge tests (test/challenges/${chapter.number}-*.test.ts).`));
    return;
  }
  const passed = tests.filter((t) => t.status === "passed").length;
  console.log(
    c.bold(
      `Challenges of chapter ${chapter.number}: ${passed} of ${tests.length} tests pass (optional; see "Challenges" in the lesson).`,
    ),
  );
  for (const t of tests) console.log(`  ${t.status === "passed" ? c.green("ok") : c.yellow("--")} ${t.name}`);
  console.log();
}

/** The title of "### Step NN.k <title>" in the lesson (in the learner's language), if the lesson has one. */
export function stepTitle(chapter: Chapter, step: string): string | undefined {
  const lesson = localized(join(REPO_ROOT, "chapters", chapter.slug, "README.md"), workshopLanguage());
  if (!existsSync(lesson)) return undefined;
  const escaped = step.replace(".", "\\.");
  const m = new RegExp(`^#+\\s*Step\\s+${escaped}\\b[\\s:.\\-–—]*(.*)$`, "m").exec(readFileSync(lesson, "utf8"));
  return m?.[1]?.trim() || undefined;
}

/** The sentences of the check in the learner's language (WORKSHOP_LANG, or the locale). */
const say = () => messages(workshopLanguage());
