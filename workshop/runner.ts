/**
 * Runs one chapter's tests with vitest against a tree (solutions/, chapters/
 * or a scratch tree) and returns what passed and what failed.
 *
 * vitest runs in a child process with WORKSHOP_TREE set, which is how the
 * `@tree/...` imports of the tests find the code under test (vitest.config.ts).
 * The child gets a process group of its own: a Ctrl-C in the terminal reaches
 * only the CLI, which stops the tests and removes what they created
 * (workshop/interrupt.ts) instead of leaving half-run tests behind.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { type Chapter, REPO_ROOT } from "../shared/chapters.ts";
import { atInterrupt, interrupted } from "./interrupt.ts";
import { firstLines, type ProgressMessage, type ReportedRun, type ReportedTest } from "./reporter.ts";

const require = createRequire(import.meta.url);

export type TestOutcome = ReportedTest;

export interface ChapterRun {
  chapter: Chapter;
  tests: TestOutcome[];
  passed: number;
  failed: number;
  skipped: number;
  /** Errors outside any test: a test file that does not load, a failing setup. */
  errors: string[];
  /** file -> what it printed about skipping its tests. */
  skipNotes: Record<string, string[]>;
  /** Everything vitest printed, for --verbose. */
  output: string;
  /** The steps whose todo() the run reached, caught or not (shared/todo.ts). */
  todosReached: string[];
  durationMs: number;
}

export interface RunOptions {
  root?: string;
  extraEnv?: Record<string, string>;
  /** Only the tests whose full name matches (vitest -t). */
  testNamePattern?: string;
  /** Only these test files (default: every test/NN-*.test.ts of the chapter). */
  files?: string[];
  /** Also test/challenges/NN-*.test.ts (WORKSHOP_CHALLENGES=1). */
  challenges?: boolean;
  /** Called after every finished test. */
  onTest?: (test: { status: TestOutcome["status"]; name: string }) => void;
  /**
   * Keep vitest's transformed files on disk between runs (vitest's experimental
   * fsModuleCache). For the learner's checks, run again and again on one tree;
   * the maintainers' runs over scratch trees (verify-starters, mutate) leave it off.
   */
  transformCache?: boolean;
}

/** The test files of a chapter: test/NN-*.test.ts. */
export function chapterTestFiles(chapter: Chapter, root = REPO_ROOT): string[] {
  return testFilesIn(root, "test", chapter);
}

/** The optional challenge tests of a chapter: test/challenges/NN-*.test.ts. */
export function challengeTestFiles(chapter: Chapter, root = REPO_ROOT): string[] {
  return testFilesIn(root, "test/challenges", chapter);
}

function testFilesIn(root: string, dir: string, chapter: Chapter): string[] {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir))
    .filter((f) => f.startsWith(`${chapter.number}-`) && f.endsWith(".test.ts"))
    .map((f) => `${dir}/${f}`)
    .sort();
}

/** A unit test file (test/NN-*.unit.test.ts): it runs without a Docker engine or a cluster. */
export const isUnitTestFile = (file: string) => file.endsWith(".unit.test.ts");

/**
 * The chapter's test files that name step `step` ("05.2") in a title, so a step check loads only those.
 * A file that runs a shared suite names the suite's steps too: test/02-etcd.test.ts runs the store
 * behaviour suite, whose tests are named where test/harness/store-behaviour.ts calls step("02.5", ...).
 */
export function stepTestFiles(chapter: Chapter, step: string, root = REPO_ROOT): string[] {
  const title = new RegExp(`["'\`]${step.replace(".", "\\.")}[ "'\`]`);
  return chapterTestFiles(chapter, root).filter((f) => testSources(f, root).some((text) => title.test(text)));
}

/**
 * A test file's text, then the text of each shared suite it runs. A shared suite is a
 * module the file imports a `describe...()` function from by relative path, and
 * that registers tests itself (it imports `it` or `test` from vitest). A file that only
 * borrows a helper of that module (`collect()`) does not run its tests.
 */
function testSources(file: string, root: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  const suites: string[] = [];
  for (const [, names, from] of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*["'](\.{1,2}\/[^"']+\.ts)["']/g)) {
    if (!/\bdescribe\w+/.test(names!)) continue;
    const path = join(root, dirname(file), from!);
    if (!existsSync(path)) continue;
    const suite = readFileSync(path, "utf8");
    if (/import\s*\{[^}]*\b(it|test)\b[^}]*\}\s*from\s*["']vitest["']/.test(suite)) suites.push(suite);
  }
  return [text, ...suites];
}

export async function runChapterTests(chapter: Chapter, treeDir: string, options: RunOptions = {}): Promise<ChapterRun> {
  const started = Date.now();
  const root = options.root ?? REPO_ROOT;
  const files = [
    ...(options.files ?? chapterTestFiles(chapter, root)),
    ...(options.challenges ? challengeTestFiles(chapter, root) : []),
  ];
  const outDir = join(root, ".workshop", "results");
  mkdirSync(outDir, { recursive: true });
  const outFile = join(outDir, `${chapter.slug}-${process.pid}.json`);
  rmSync(outFile, { force: true });
  const todoLog = join(outDir, `${chapter.slug}-${process.pid}.todos`);
  rmSync(todoLog, { force: true });
  const empty = {
    chapter,
    tests: [],
    passed: 0,
    failed: 0,
    skipped: 0,
    skipNotes: {},
    output: "",
    durationMs: 0,
    todosReached: [],
  };
  if (files.length === 0) return { ...empty, errors: [`no tests found: test/${chapter.number}-*.test.ts`] };

  // Unit test files use no Docker engine: without the Docker global setup they start in about a second less.
  const unitOnly = files.every(isUnitTestFile);
  const vitest = join(dirname(require.resolve("vitest/package.json")), "vitest.mjs");
  const reporter = join(import.meta.dirname, "reporter.ts");
  // Transformed files are cached on disk between runs (keyed by their content
  // and the config, so an edit or another tree is transformed again): a check
  // after a save transforms only what changed, instead of the whole cluster.
  const cache = options.transformCache
    ? ["--experimental.fsModuleCache", `--experimental.fsModuleCachePath=${join(root, ".workshop", "vitest-cache")}`]
    : [];
  const args = [vitest, "run", "--reporter=default", `--reporter=${reporter}`, ...cache, ...files];
  if (options.testNamePattern) args.push("--testNamePattern", options.testNamePattern);
  const output = await new Promise<string>((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      env: {
        ...process.env,
        ...options.extraEnv,
        ...(options.challenges ? { WORKSHOP_CHALLENGES: "1" } : {}),
        ...(unitOnly ? { WORKSHOP_UNIT_ONLY: "1" } : {}),
        WORKSHOP_TREE: treeDir,
        WORKSHOP_RESULTS_FILE: outFile,
        WORKSHOP_TODO_LOG: todoLog,
        FORCE_COLOR: "0",
      },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      detached: true, // a process group of its own: see the comment at the top
    });
    // At Ctrl-C: stop every process of the test run at once. Their containers
    // are then removed by this run's label (interrupt.ts).
    const unregister = atInterrupt(async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((done) => child.once("close", done));
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
      await exited;
    });
    let text = "";
    child.stdout!.on("data", (d: Buffer) => (text += d));
    child.stderr!.on("data", (d: Buffer) => (text += d));
    child.on("message", (m: ProgressMessage) => {
      if (m?.type === "workshop-test") options.onTest?.(m);
    });
    child.on("close", () => {
      unregister();
      // Stopped by Ctrl-C: interrupt.ts reports and exits; the caller must not go on to print results.
      if (!interrupted()) resolve(text);
    });
  });

  const durationMs = Date.now() - started;
  const todosReached = existsSync(todoLog) ? [...new Set(readFileSync(todoLog, "utf8").split("\n").filter(Boolean))] : [];
  rmSync(todoLog, { force: true });
  if (!existsSync(outFile))
    return { ...empty, errors: [firstLines(output, 12) || "vitest did not run"], output, durationMs, todosReached };
  const report = JSON.parse(readFileSync(outFile, "utf8")) as ReportedRun;
  rmSync(outFile, { force: true });
  const count = (s: TestOutcome["status"]) => report.tests.filter((t) => t.status === s).length;
  return {
    chapter,
    tests: report.tests,
    passed: count("passed"),
    failed: count("failed"),
    skipped: count("skipped"),
    errors: report.errors,
    skipNotes: report.skipNotes,
    output,
    durationMs,
    todosReached,
  };
}

/** Challenge tests are reported apart: they are extensions, expected to fail until the learner builds them. */
export const isChallenge = (t: TestOutcome) => t.file.startsWith("test/challenges/");

export function chapterPassed(run: ChapterRun): boolean {
  const own = run.tests.filter((t) => !isChallenge(t));
  return run.errors.length === 0 && own.every((t) => t.status !== "failed") && own.some((t) => t.status === "passed");
}
