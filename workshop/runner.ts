/**
 * Runs one chapter's tests with vitest against a tree (solutions/, chapters/
 * or a scratch tree) and returns what passed and what failed.
 *
 * vitest runs in a child process with WORKSHOP_TREE set, which is how the
 * `@tree/...` imports of the tests find the code under test (vitest.config.ts).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { type Chapter, REPO_ROOT } from "../shared/chapters.ts";

const require = createRequire(import.meta.url);

export interface TestOutcome {
  file: string;
  name: string;
  status: "passed" | "failed" | "skipped";
  /** First lines of the failure, when it failed. */
  message?: string;
}

export interface ChapterRun {
  chapter: Chapter;
  tests: TestOutcome[];
  passed: number;
  failed: number;
  skipped: number;
  /** Errors outside any test: a test file that does not load, a failing setup. */
  errors: string[];
  /** Everything vitest printed, for --verbose. */
  output: string;
}

/** The test files of a chapter: test/NN-*.test.ts. */
export function chapterTestFiles(chapter: Chapter, root = REPO_ROOT): string[] {
  const dir = join(root, "test");
  return readdirSync(dir)
    .filter((f) => f.startsWith(`${chapter.number}-`) && f.endsWith(".test.ts"))
    .map((f) => `test/${f}`)
    .sort();
}

interface JsonAssertion {
  ancestorTitles: string[];
  title: string;
  status: string;
  failureMessages?: string[];
}
interface JsonFileResult {
  name: string;
  status: string;
  message?: string;
  assertionResults: JsonAssertion[];
}

export async function runChapterTests(
  chapter: Chapter,
  treeDir: string,
  options: { root?: string; extraEnv?: Record<string, string> } = {},
): Promise<ChapterRun> {
  const root = options.root ?? REPO_ROOT;
  const files = chapterTestFiles(chapter, root);
  const outDir = join(root, ".workshop", "results");
  mkdirSync(outDir, { recursive: true });
  const outFile = join(outDir, `${chapter.slug}-${process.pid}.json`);
  rmSync(outFile, { force: true });
  if (files.length === 0) {
    return { chapter, tests: [], passed: 0, failed: 0, skipped: 0, errors: [`no tests found: test/${chapter.number}-*.test.ts`], output: "" };
  }

  const vitest = join(dirname(require.resolve("vitest/package.json")), "vitest.mjs");
  const args = [vitest, "run", "--reporter=default", "--reporter=json", `--outputFile.json=${outFile}`, ...files];
  const output = await new Promise<string>((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      env: { ...process.env, ...options.extraEnv, WORKSHOP_TREE: treeDir, FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let text = "";
    child.stdout.on("data", (d: Buffer) => (text += d));
    child.stderr.on("data", (d: Buffer) => (text += d));
    child.on("close", () => resolve(text));
  });

  const tests: TestOutcome[] = [];
  const errors: string[] = [];
  if (!existsSync(outFile)) {
    errors.push(firstLines(output, 12) || "vitest did not run");
  } else {
    const report = JSON.parse(readFileSync(outFile, "utf8")) as { testResults: JsonFileResult[] };
    rmSync(outFile, { force: true });
    for (const file of report.testResults) {
      const rel = file.name.startsWith(root) ? file.name.slice(root.length + 1) : file.name;
      if (file.assertionResults.length === 0 && file.status === "failed") {
        errors.push(`${rel}: ${firstLines(file.message ?? "failed to load", 6)}`);
      }
      // When a beforeAll hook fails, vitest marks the file failed and its tests
      // skipped: they did not pass, and the hook's error is why. Count them as failed.
      const hookFailed = file.status === "failed" && Boolean(file.message);
      for (const a of file.assertionResults) {
        let status: TestOutcome["status"] = a.status === "passed" ? "passed" : a.status === "failed" ? "failed" : "skipped";
        let message = a.failureMessages?.length ? firstLines(a.failureMessages[0]!, 6) : undefined;
        if (status === "skipped" && hookFailed) {
          status = "failed";
          message = firstLines(file.message!, 6);
        }
        tests.push({ file: rel, name: [...a.ancestorTitles, a.title].join(" > "), status, message });
      }
    }
    // Errors outside tests (a failing hook or global setup) show up only in the text output.
    const unhandled = /Unhandled Errors?[\s\S]*?(Error: [^\n]+)/.exec(output);
    if (unhandled) errors.push(unhandled[1]!);
  }
  const count = (s: TestOutcome["status"]) => tests.filter((t) => t.status === s).length;
  return { chapter, tests, passed: count("passed"), failed: count("failed"), skipped: count("skipped"), errors, output };
}

function firstLines(text: string, n: number): string {
  return text
    .split("\n")
    .filter((l) => l.trim() && !/^\s+at /.test(l))
    .slice(0, n)
    .join("\n");
}

export function chapterPassed(run: ChapterRun): boolean {
  return run.errors.length === 0 && run.failed === 0 && run.passed > 0;
}
