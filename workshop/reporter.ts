/**
 * A vitest reporter for the workshop CLI (workshop/runner.ts passes it with
 * --reporter). It tells the CLI about each finished test while the run goes
 * on (over the IPC channel the CLI opened), and writes every test's outcome,
 * duration and skip reason to WORKSHOP_RESULTS_FILE at the end.
 */
import { writeFileSync } from "node:fs";
import type { Reporter, SerializedError, TestCase, TestModule, TestSuite } from "vitest/node";

type UserConsoleLog = Parameters<NonNullable<Reporter["onUserConsoleLog"]>>[0];

export interface ReportedTest {
  file: string;
  name: string;
  status: "passed" | "failed" | "skipped";
  durationMs: number;
  /** The failure (first lines), or why it was skipped when the test said so. */
  message?: string;
}

export interface ReportedRun {
  tests: ReportedTest[];
  /** Errors outside any test: a file that does not load, a failing hook or global setup. */
  errors: string[];
  /** file -> what the file printed about skipping ("No Docker engine answers: skipping ..."). */
  skipNotes: Record<string, string[]>;
}

export type ProgressMessage = { type: "workshop-test"; status: ReportedTest["status"]; name: string };

const relative = (file: string) => (file.startsWith(`${process.cwd()}/`) ? file.slice(process.cwd().length + 1) : file);

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

export function firstLines(text: string, n: number): string {
  return text
    .replace(ANSI, "")
    .split("\n")
    .filter((l) => l.trim() && !/^\s+at /.test(l))
    .slice(0, n)
    .join("\n");
}

const errorText = (e: SerializedError | undefined) => firstLines(`${e?.message ?? "failed"}${e?.diff ? `\n${e.diff}` : ""}`, 40);

export default class WorkshopReporter implements Reporter {
  private readonly skipNotes: Record<string, string[]> = {};
  private readonly fileOf = new Map<string, string>();

  onTestModuleCollected(module: TestModule): void {
    this.fileOf.set(module.id, relative(module.moduleId));
  }

  onUserConsoleLog(log: UserConsoleLog): void {
    if (!/skipping/i.test(log.content) || !log.taskId) return;
    const file = [...this.fileOf.entries()].find(([id]) => log.taskId!.startsWith(id))?.[1] ?? "?";
    (this.skipNotes[file] ??= []).push(log.content.trim());
  }

  onTestCaseResult(test: TestCase): void {
    const state = test.result().state;
    if (state === "pending") return;
    const message: ProgressMessage = { type: "workshop-test", status: state, name: test.fullName };
    process.send?.(message);
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandled: ReadonlyArray<SerializedError>): void {
    const run: ReportedRun = { tests: [], errors: [], skipNotes: this.skipNotes };
    for (const module of modules) {
      const file = relative(module.moduleId);
      // A hook error that already failed the tests under it (below) is reported with them, not again here.
      const told = new Set<string>();
      for (const test of module.children.allTests()) {
        const result = test.result();
        let status: ReportedTest["status"] =
          result.state === "passed" ? "passed" : result.state === "failed" ? "failed" : "skipped";
        let message =
          result.state === "failed" ? errorText(result.errors?.[0]) : result.state === "skipped" ? result.note : undefined;
        // A failing beforeAll skips the tests after it: they did not pass, and the hook's error is why.
        const hookError = status === "skipped" && test.options.mode === "run" ? suiteError(test) : undefined;
        if (hookError) {
          status = "failed";
          message = errorText(hookError);
          told.add(message);
        }
        run.tests.push({ file, name: test.fullName, status, durationMs: Math.round(test.diagnostic()?.duration ?? 0), message });
      }
      for (const e of module.errors()) if (!told.has(errorText(e))) run.errors.push(`${file}: ${errorText(e)}`);
    }
    for (const e of unhandled) run.errors.push(errorText(e));
    const out = process.env.WORKSHOP_RESULTS_FILE;
    if (out) writeFileSync(out, JSON.stringify(run));
  }
}

/** The error of a failing hook in the test's suite or any suite above it. */
function suiteError(test: TestCase): SerializedError | undefined {
  for (
    let parent: TestSuite | TestModule | undefined = test.parent;
    parent;
    parent = parent.type === "suite" ? parent.parent : undefined
  ) {
    const e = parent.errors()[0];
    if (e) return e;
  }
  return undefined;
}
