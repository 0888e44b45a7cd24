/**
 * The learner loop, end to end, on a scratch copy of the repository (so the
 * real chapters/ is never touched): check fails on the untouched starter and
 * names the first step, solve makes it pass, reset brings the starter back.
 * Plus the one-line errors for bad input.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { findChapter, REPO_ROOT } from "../../shared/chapters.ts";
import { generateChapter } from "../../workshop/starters.ts";

let copy: string;
let stateDir: string;

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, ["--import", "tsx", join(copy, "workshop", "cli.ts"), ...args], {
    cwd: copy,
    encoding: "utf8",
    env: { ...process.env, WORKSHOP_STATE_DIR: stateDir, NO_COLOR: "1", WORKSHOP_TREE: "" },
    timeout: 300_000,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

beforeAll(() => {
  // Inside the repository, so that node_modules resolves; git-ignored.
  const scratch = join(REPO_ROOT, ".workshop");
  mkdirSync(scratch, { recursive: true });
  copy = mkdtempSync(join(scratch, "cli-test-"));
  for (const entry of ["shared", "workshop", "solutions", "chapters", "test", "package.json", "vitest.config.ts", "tsconfig.json"]) {
    cpSync(join(REPO_ROOT, entry), join(copy, entry), { recursive: true });
  }
  stateDir = join(copy, ".state");
});

afterAll(() => {
  rmSync(copy, { recursive: true, force: true });
});

describe("bad input gets one line and a non-zero exit", () => {
  const cases: [string, string[], RegExp][] = [
    ["an unknown chapter", ["check", "99"], /there is no chapter "99"/],
    ["an unknown chapter to solve", ["solve", "nope"], /there is no chapter "nope"/],
    ["a malformed step", ["hint", "abc"], /"abc" is not a step/],
    ["a step without hints", ["hint", "01.99"], /no hints for step 01\.99/],
    ["an unknown command", ["frobnicate"], /unknown command "frobnicate"/],
  ];
  for (const [what, args, message] of cases) {
    it(what, () => {
      const r = cli(...args);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(message);
      expect(r.err.trim().split("\n")).toHaveLength(1);
      expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
    });
  }
});

describe("hints are progressive", () => {
  it("shows one more level per call, never all at once", () => {
    const first = cli("hint", "01.1");
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/Hint 1 of (\d+)/);
    expect(first.out).not.toMatch(/Hint 2 of/);
    const second = cli("hint", "01.1");
    expect(second.out).toMatch(/Hint 2 of/);
    expect(cli("hint", "01.1", "--reset").code).toBe(0);
    expect(cli("hint", "01.1").out).not.toMatch(/Hint 2 of/);
  });
});

describe.skipIf(!inject("dockerAvailable"))("check, solve and reset", () => {
  const chapter = findChapter("01")!;

  it("check 01 fails on the untouched starter and names step 01.1 with file:line", () => {
    const r = cli("check", "01");
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/failing/);
    expect(r.out).toMatch(/\b0\/[1-9]\d*\b/); // the tests ran, and none passed
    expect(r.out).toMatch(/step 01\.1\b/);
    expect(r.out).toMatch(/chapters\/01-containers\/[\w/.-]+\.ts:\d+/);
    expect(r.out).toMatch(/npm run hint 01\.1/);
  });

  it("solve 01 backs up the learner's files and makes check 01 pass; reset 01 restores the starter", () => {
    const solved = cli("solve", "01");
    expect(solved.code).toBe(0);
    const backup = /backed up to (\S+)/.exec(solved.out)?.[1];
    expect(backup).toBeDefined();
    expect(readdirSync(join(copy, backup!)).length).toBeGreaterThan(0);

    const passing = cli("check", "01");
    expect(passing.out).toMatch(/All tests of chapters 01-01 pass/);
    expect(passing.code).toBe(0);
    expect(cli("progress").out).toMatch(/01\s+.*done/);

    expect(cli("reset", "01").code).toBe(0);
    for (const [rel, text] of generateChapter(chapter, copy).files) {
      expect(readFileSync(join(copy, "chapters", chapter.slug, rel), "utf8")).toBe(text);
    }
    expect(cli("progress").out).toMatch(/01\s+.*not started/);
  }, 300_000); // two CLI runs and chapter 01's Docker tests
});
