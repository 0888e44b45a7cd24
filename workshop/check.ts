/**
 * `npm run check [NN]`: runs the tests of chapters 01..NN against the
 * learner's code in chapters/, in order, and stops at the first chapter that
 * fails. Then it says exactly what to do next: which TODO (file:line), which
 * step of the lesson, and which hint command.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { availableChapters, type Chapter, REPO_ROOT } from "../shared/chapters.ts";
import { chapterPassed, type ChapterRun, runChapterTests } from "./runner.ts";
import { compareSteps, generateChapter, remainingSteps, type StepLocation } from "./starters.ts";
import { loadState, saveState } from "./state.ts";
import { c, table, UserError } from "./ui.ts";
import { resolveChapter } from "./resolve.ts";

export async function check(upTo: string | undefined, options: { verbose?: boolean } = {}): Promise<boolean> {
  const chapters = chaptersUpTo(upTo);
  const state = loadState();
  const rows: string[][] = [];
  let failed: ChapterRun | undefined;

  for (const chapter of chapters) {
    const tty = Boolean(process.stdout.isTTY);
    if (tty) process.stdout.write(c.dim(`running chapter ${chapter.number} (${chapter.slug}) ...\r`));
    const run = await runChapterTests(chapter, join(REPO_ROOT, "chapters"));
    if (tty) process.stdout.write("\u001b[K");
    const total = run.tests.length;
    const ok = chapterPassed(run);
    state.checks[chapter.slug] = { passed: run.passed, total, ok, at: new Date().toISOString() };
    rows.push([chapter.number, chapter.title, `${run.passed}/${total}`, ok ? c.green("passed") : c.red("failing")]);
    if (!ok) {
      failed = run;
      break;
    }
  }
  saveState(state);
  for (const chapter of chapters.slice(rows.length)) rows.push([chapter.number, chapter.title, "-", c.dim("not run yet")]);

  console.log(table(["chapter", "", "tests", "result"], rows));
  console.log();
  if (!failed) {
    const last = chapters[chapters.length - 1]!;
    const next = availableChapters().find((ch) => ch.number > last.number);
    console.log(c.green(`All tests of chapters ${chapters[0]!.number}-${last.number} pass.`));
    if (next) console.log(`Next: chapters/${next.slug}/README.md, then ${c.cyan(`npm run check ${next.number}`)}`);
    return true;
  }
  if (options.verbose) console.log(failed.output);
  explainFailure(failed);
  return false;
}

function chaptersUpTo(upTo: string | undefined): Chapter[] {
  const available = availableChapters();
  if (available.length === 0) throw new UserError("no chapters found under solutions/");
  if (upTo === undefined) return available;
  const last = resolveChapter(upTo);
  return available.filter((ch) => ch.number <= last.number);
}

/** Prints the failing tests and the step to work on next. */
function explainFailure(run: ChapterRun): void {
  const { chapter } = run;
  const failures = run.tests.filter((t) => t.status === "failed");
  console.log(c.red(`Chapter ${chapter.number} has ${failures.length} failing test(s) of ${run.tests.length}.`));
  for (const e of run.errors) console.log(c.red(`  ${e.split("\n").join("\n  ")}`));
  for (const t of failures.slice(0, 5)) {
    console.log(`  ${c.red("x")} ${t.name}`);
    if (t.message) console.log(c.dim(`      ${t.message.split("\n")[0]}`));
  }
  if (failures.length > 5) console.log(c.dim(`  ... and ${failures.length - 5} more (npm run check ${chapter.number} -- --verbose)`));
  console.log();

  const next = nextStep(run);
  if (next) {
    const title = stepTitle(chapter, next.step);
    console.log(`${c.bold("Next:")} step ${c.cyan(next.step)}${title ? ` (${title})` : ""}`);
    console.log(`  code:   ${c.cyan(`${next.file}:${next.line}`)}`);
    console.log(`  lesson: chapters/${chapter.slug}/README.md, "Step ${next.step}"`);
    console.log(`  stuck?  ${c.cyan(`npm run hint ${next.step}`)}`);
  } else {
    const first = failures[0];
    console.log(`${c.bold("Next:")} every TODO of chapter ${chapter.number} is written, but tests still fail.`);
    if (first) console.log(`  Start with the first failing test above (${first.file}) and compare with the lesson.`);
    console.log(`  More detail: ${c.cyan(`npm run check ${chapter.number} -- --verbose`)}`);
  }
}

/**
 * The step to work on: the lowest step whose todo() a failing test ran into,
 * else the lowest step still calling todo().
 */
function nextStep(run: ChapterRun): StepLocation | undefined {
  const remaining = remainingSteps(run.chapter);
  const hit = new Set<string>();
  for (const t of run.tests) {
    for (const m of (t.message ?? "").matchAll(/TODO\((\d{2}\.\d+)\)/g)) hit.add(m[1]!);
  }
  for (const e of run.errors) for (const m of e.matchAll(/TODO\((\d{2}\.\d+)\)/g)) hit.add(m[1]!);
  const hitSteps = [...hit].filter((s) => s.startsWith(`${run.chapter.number}.`)).sort(compareSteps);
  for (const step of hitSteps) {
    const where = remaining.find((r) => r.step === step) ?? generateChapter(run.chapter).steps.find((s) => s.step === step);
    if (where) return where;
  }
  return remaining[0];
}

/** The title of "### Step NN.k <title>" in the lesson, if the lesson has one. */
export function stepTitle(chapter: Chapter, step: string): string | undefined {
  const lesson = join(REPO_ROOT, "chapters", chapter.slug, "README.md");
  if (!existsSync(lesson)) return undefined;
  const escaped = step.replace(".", "\\.");
  const m = new RegExp(`^#+\\s*Step\\s+${escaped}\\b[\\s:.\\-–—]*(.*)$`, "m").exec(readFileSync(lesson, "utf8"));
  return m?.[1]?.trim() || undefined;
}
