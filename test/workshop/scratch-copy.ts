/**
 * A scratch copy of the repository for the tests that run the workshop CLI
 * end to end (check, solve, reset, npm start, Ctrl-C), so that the real
 * chapters/ is never touched. It lives in the repository's .workshop/
 * (git-ignored), so node_modules resolves from it.
 *
 * Each test file makes its own copy: files that run at the same time never
 * share one, and a file's checkout label (its copy's path) names exactly the
 * containers and networks that file's runs created.
 */
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../shared/chapters.ts";

/** What the CLI and the chapters' tests need to run in a copy. */
const ENTRIES = ["shared", "workshop", "solutions", "chapters", "test", "package.json", "vitest.config.ts", "tsconfig.json"];

/** Copies the repository (plus `extra` entries, e.g. "examples") to .workshop/<prefix>XXXXXX and returns its path. */
export function scratchCopy(prefix: string, extra: string[] = []): string {
  const scratch = join(REPO_ROOT, ".workshop");
  mkdirSync(scratch, { recursive: true });
  const copy = mkdtempSync(join(scratch, prefix));
  for (const entry of [...ENTRIES, ...extra]) cpSync(join(REPO_ROOT, entry), join(copy, entry), { recursive: true });
  return copy;
}

export interface CliResult {
  code: number | null;
  out: string;
  err: string;
}

/**
 * Runs the copy's CLI (`node workshop/cli.ts ...args`) in the copy, in
 * English unless `env` asks for another language: the machine's own locale
 * must not decide. Asynchronous on purpose: a spawnSync of a minute-long
 * check would block this test worker, and vitest's worker RPC times out meanwhile.
 */
export function runCli(copy: string, env: NodeJS.ProcessEnv, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(copy, "workshop", "cli.ts"), ...args], {
      cwd: copy,
      env: {
        ...process.env,
        LC_ALL: "",
        LC_MESSAGES: "",
        LANG: "C.UTF-8",
        WORKSHOP_LANG: "",
        WORKSHOP_STATE_DIR: join(copy, ".state"),
        NO_COLOR: "1",
        WORKSHOP_TREE: "",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    child.stderr.on("data", (d: Buffer) => (err += d));
    child.on("close", (code) => resolve({ code, out, err }));
  });
}
