/**
 * The starter generator: solutions/ is the one source of truth, and every
 * learner starter file in chapters/ is made from it by replacing each marked
 * solution region with a call to todo("NN.k"). See docs/maintainers.md.
 *
 * A step is marked `STEP(NN.k)` in solutions/ (the reference has nothing left
 * to do) and becomes `TODO(NN.k)` in the starter, where the learner works.
 *
 *   // STEP(01.3): start the container.          // TODO(01.3): start the container.
 *   //#solution                           ==>     todo("01.3");
 *   await this.docker.getContainer(id).start();
 *   //#end
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { type Chapter, REPO_ROOT } from "../shared/chapters.ts";

/** The step marker in solutions/; the starter says TODO at the same place. */
const STEP_COMMENT = /\bSTEP\((\d{2}\.\d{1,2})\)/;
const STRAY_TODO = /\bTODO\(\d{2}\.\d{1,2}\)/;
const REGION_START = /^(\s*)\/\/#solution\s*$/;
const REGION_END = /^\s*\/\/#end\s*$/;
const TODO_CALL = /\btodo\("(\d{2}\.\d{1,2})"\)/;

export class StarterError extends Error {}

/** Where a TODO comment stands in a file (1-based line). */
export interface StepLocation {
  step: string;
  file: string;
  line: number;
}

export interface StarterOptions {
  /**
   * Keep the solution of every step up to and including this one ("03.2"), and
   * write the TODO stub only for the later steps: the chapter as a learner has
   * it after finishing that step (`npm run verify:steps`, workshop/verify-steps.ts).
   */
  solvedThrough?: string;
}

/** Generates the starter text of one solution file. `file` is the path relative to the repo root. */
export function generateStarter(
  source: string,
  file: string,
  chapter: Chapter,
  options: StarterOptions = {},
): { text: string; steps: StepLocation[] } {
  const out: string[] = [];
  const steps: StepLocation[] = [];
  let currentStep: string | undefined;
  let inRegion: { line: number; keep: boolean } | undefined;
  const solved = (step: string) =>
    options.solvedThrough !== undefined && compareSteps(step, normaliseStep(options.solvedThrough)) <= 0;
  let usesTodo = false;
  const lines = source.split("\n");

  lines.forEach((line, i) => {
    const where = `${file}:${i + 1}`;
    if (inRegion) {
      if (REGION_START.test(line))
        throw new StarterError(`${where}: //#solution inside a region opened at line ${inRegion.line}`);
      if (REGION_END.test(line)) inRegion = undefined;
      else if (inRegion.keep) out.push(line); // a step already solved keeps its solution
      return; // otherwise solution lines are dropped
    }
    const start = REGION_START.exec(line);
    if (start) {
      if (!currentStep) throw new StarterError(`${where}: //#solution without a STEP(${chapter.number}.k) comment above it`);
      inRegion = { line: i + 1, keep: solved(currentStep) };
      if (inRegion.keep) return;
      out.push(`${start[1]}todo("${currentStep}");`);
      usesTodo = true;
      return;
    }
    if (REGION_END.test(line)) throw new StarterError(`${where}: //#end without //#solution`);
    if (STRAY_TODO.test(line)) {
      throw new StarterError(`${where}: solutions/ marks a step with STEP(NN.k), not TODO(NN.k): the generator writes the TODO`);
    }
    const stepComment = STEP_COMMENT.exec(line);
    if (stepComment) {
      const step = normaliseStep(stepComment[1]!);
      if (!step.startsWith(`${chapter.number}.`)) {
        throw new StarterError(`${where}: STEP(${step}) in chapter ${chapter.number}: steps are numbered ${chapter.number}.k`);
      }
      currentStep = step;
      steps.push({ step, file, line: out.length + 1 });
      out.push(solved(step) ? line : line.replace(STEP_COMMENT, `TODO(${step})`));
      return;
    }
    out.push(line);
  });
  if (inRegion) throw new StarterError(`${file}:${inRegion.line}: //#solution is never closed with //#end`);

  let text = out.join("\n");
  if (usesTodo) text = addTodoImport(text, file, steps);
  return { text, steps };
}

/** "1.02" style slips become "01.2"; the canonical form is two-digit chapter, plain step number. */
function normaliseStep(step: string): string {
  const [chapter, k] = step.split(".");
  return `${chapter!.padStart(2, "0")}.${Number(k)}`;
}

/** Inserts `import { todo } from ".../shared/todo.ts";` after the file's last import. */
function addTodoImport(text: string, file: string, steps: StepLocation[]): string {
  const starterFile = file.replace(/^solutions\//, "chapters/");
  let path = relative(dirname(starterFile), "shared/todo.ts");
  if (!path.startsWith(".")) path = `./${path}`;
  const importLine = `import { todo } from "${path}";`;
  const lines = text.split("\n");
  let insertAt = -1;
  let inImport = false;
  lines.forEach((line, i) => {
    if (/^import\s/.test(line)) inImport = true;
    if (inImport && (/\sfrom\s+["'][^"']+["'];?\s*$/.test(line) || /^import\s+["'][^"']+["'];?\s*$/.test(line))) {
      inImport = false;
      insertAt = i + 1;
    }
  });
  if (insertAt < 0) {
    // No imports: put it after the file's leading comment block, if any.
    insertAt = 0;
    if (lines[0]?.startsWith("/**") || lines[0]?.startsWith("/*")) {
      insertAt = lines.findIndex((l) => l.includes("*/")) + 1;
    }
  }
  lines.splice(insertAt, 0, importLine);
  for (const s of steps) if (s.line > insertAt) s.line += 1;
  return lines.join("\n");
}

/** Every .ts file of a chapter's solution, as paths relative to solutions/<slug>/. */
export function solutionFiles(chapter: Chapter, root = REPO_ROOT): string[] {
  const base = join(root, "solutions", chapter.slug);
  if (!existsSync(base)) return [];
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const full = join(dir, e.name);
      if (e.isDirectory()) return walk(full);
      return e.name.endsWith(".ts") ? [relative(base, full)] : [];
    });
  return walk(base).sort();
}

export interface GeneratedChapter {
  /** Path relative to chapters/<slug>/ -> starter text. */
  files: Map<string, string>;
  /** Every step of the chapter, in step order, with the starter location of its first TODO comment. */
  steps: StepLocation[];
  /** Every TODO comment of every step, in file order: a step may have several. */
  todos: StepLocation[];
}

/** Generates (in memory) every starter file of a chapter (with `options.solvedThrough`: the earlier steps solved). */
export function generateChapter(chapter: Chapter, root = REPO_ROOT, options: StarterOptions = {}): GeneratedChapter {
  const files = new Map<string, string>();
  const all: StepLocation[] = [];
  for (const rel of solutionFiles(chapter, root)) {
    const source = readFileSync(join(root, "solutions", chapter.slug, rel), "utf8");
    const { text, steps } = generateStarter(source, `solutions/${chapter.slug}/${rel}`, chapter, options);
    files.set(rel, text);
    all.push(...steps.map((s) => ({ ...s, file: `chapters/${chapter.slug}/${rel}` })));
  }
  return { files, steps: firstLocationPerStep(all), todos: all };
}

function firstLocationPerStep(locations: StepLocation[]): StepLocation[] {
  const byStep = new Map<string, StepLocation>();
  for (const l of locations) if (!byStep.has(l.step)) byStep.set(l.step, l);
  return [...byStep.values()].sort((a, b) => compareSteps(a.step, b.step));
}

export function compareSteps(a: string, b: string): number {
  const [ac, ak] = a.split(".").map(Number);
  const [bc, bk] = b.split(".").map(Number);
  return ac! - bc! || ak! - bk!;
}

/** The steps a learner's chapter folder still leaves to do, each at its first TODO (see remainingTodos). */
export function remainingSteps(chapter: Chapter, root = REPO_ROOT): StepLocation[] {
  return firstLocationPerStep(remainingTodos(chapter, root));
}

/**
 * Every `todo("NN.k")` call that remains in a learner's chapter folder, in file
 * order (a step may have several, in several files), with the location of its
 * TODO comment (what the learner should read) or of the call itself when the
 * comment is gone.
 */
export function remainingTodos(chapter: Chapter, root = REPO_ROOT): StepLocation[] {
  const base = join(root, "chapters", chapter.slug);
  const found: StepLocation[] = [];
  for (const rel of solutionFiles(chapter, root)) {
    const path = join(base, rel);
    if (!existsSync(path)) continue;
    const lines = readFileSync(path, "utf8").split("\n");
    lines.forEach((line, i) => {
      const call = TODO_CALL.exec(line);
      if (!call || line.trimStart().startsWith("//")) return;
      const step = call[1]!;
      // Point at the TODO comment above the call, where the instructions are.
      let at = i;
      for (let j = i; j >= 0 && i - j < 40; j--) {
        if (lines[j]!.includes(`TODO(${step})`)) {
          at = j;
          break;
        }
      }
      found.push({ step, file: `chapters/${chapter.slug}/${rel}`, line: at + 1 });
    });
  }
  return found;
}
