/**
 * The learner loop, end to end, on a scratch copy of the repository (so the
 * real chapters/ is never touched): check fails on the untouched starter and
 * names the first step, solve makes it pass, reset brings the starter back.
 * Plus the one-line errors for bad input.
 */
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { findChapter, REPO_ROOT } from "../../shared/chapters.ts";
import { generateChapter } from "../../workshop/starters.ts";

let copy: string;
let stateDir: string;

/**
 * Runs the CLI in the copy. Asynchronous on purpose: a spawnSync of a minute-long
 * check would block this test worker, and vitest's worker RPC times out meanwhile.
 */
function cli(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return cliWith({}, ...args);
}

/** The CLI with extra environment variables (the language: WORKSHOP_LANG, LANG). */
function cliWith(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(copy, "workshop", "cli.ts"), ...args], {
      cwd: copy,
      // English unless a test asks for another language: the machine's own locale must not decide.
      env: {
        ...process.env,
        LC_ALL: "",
        LC_MESSAGES: "",
        LANG: "C.UTF-8",
        WORKSHOP_LANG: "",
        WORKSHOP_STATE_DIR: stateDir,
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

beforeAll(() => {
  // Inside the repository, so that node_modules resolves; git-ignored.
  const scratch = join(REPO_ROOT, ".workshop");
  mkdirSync(scratch, { recursive: true });
  copy = mkdtempSync(join(scratch, "cli-test-"));
  for (const entry of [
    "shared",
    "workshop",
    "solutions",
    "chapters",
    "test",
    "package.json",
    "vitest.config.ts",
    "tsconfig.json",
  ]) {
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
    it(what, async () => {
      const r = await cli(...args);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(message);
      expect(r.err.trim().split("\n")).toHaveLength(1);
      expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
    });
  }
});

describe("hints are progressive", async () => {
  it("shows one more level per call, never all at once", async () => {
    const first = await cli("hint", "01.1");
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/Hint 1 of (\d+)/);
    expect(first.out).not.toMatch(/Hint 2 of/);
    const second = await cli("hint", "01.1");
    expect(second.out).toMatch(/Hint 2 of/);
    expect((await cli("hint", "01.1", "--reset")).code).toBe(0);
    expect((await cli("hint", "01.1")).out).not.toMatch(/Hint 2 of/);
  });
});

describe("in Chinese", () => {
  const han = /[\u4e00-\u9fff]/;

  it("WORKSHOP_LANG=zh-CN: hint 01.1 prints the Chinese hints, with Chinese labels", async () => {
    const r = await cliWith({ WORKSHOP_LANG: "zh-CN" }, "hint", "02.1");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/提示 1\/\d+/);
    expect(r.out).not.toMatch(/Hint 1 of/);
    const [title, , label, first] = r.out.split("\n");
    expect(title).toMatch(/^Step 02\.1：/);
    expect(label).toMatch(/^提示 1\//);
    expect(first).toMatch(han); // the hint's own text, from hints.zh-CN.md
    expect((await cliWith({ WORKSHOP_LANG: "zh-CN" }, "hint", "02.1", "--reset")).out).toMatch(/重新从第一条开始/);
  });

  it("a Chinese locale (LANG=zh_CN.UTF-8) without WORKSHOP_LANG does the same; WORKSHOP_LANG=en wins over it", async () => {
    expect((await cliWith({ LANG: "zh_CN.UTF-8" }, "hint", "02.2")).out).toMatch(/提示 1\//);
    expect((await cliWith({ LANG: "zh_CN.UTF-8", WORKSHOP_LANG: "en" }, "hint", "02.3")).out).toMatch(/Hint 1 of/);
  });

  it("an unknown WORKSHOP_LANG is one line naming the languages", async () => {
    const r = await cliWith({ WORKSHOP_LANG: "fr" }, "hint", "02.4");
    expect(r.code).toBe(1);
    expect(r.err.trim()).toBe("error: WORKSHOP_LANG=fr is not a language of the workshop: use en or zh-CN");
  });
});

describe.skipIf(!inject("dockerAvailable"))("check, solve and reset", () => {
  const chapter = findChapter("01")!;

  it("check 01 fails on the untouched starter and names step 01.1 with file:line", async () => {
    const r = await cli("check", "01");
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/failing/);
    expect(r.out).toMatch(/\b0\/[1-9]\d*\b/); // the tests ran, and none passed
    expect(r.out).toMatch(/step 01\.1\b/);
    expect(r.out).toMatch(/chapters\/01-containers\/[\w/.-]+\.ts:\d+/);
    expect(r.out).toMatch(/npm run hint 01\.1/);
  });

  it("under WORKSHOP_LANG=zh-CN, check 01 on the starter prints its Next: block in Chinese, pointing at the Chinese lesson", async () => {
    const r = await cliWith({ WORKSHOP_LANG: "zh-CN" }, "check", "01");
    expect(r.code).toBe(1);
    const next = r.out.slice(r.out.indexOf("下一步："));
    expect(next).toMatch(/^下一步： Step 01\.1（[^）]*[\u4e00-\u9fff][^）]*），这是/); // the title from README.zh-CN.md
    expect(next).toMatch(/代码：chapters\/01-containers\/[\w/.-]+\.ts:\d+（TODO 还在）/);
    expect(next).toContain('课程：chapters/01-containers/README.zh-CN.md，"Step 01.1" 一节');
    expect(next).toContain("卡住了？npm run hint 01.1");
    expect(next).not.toMatch(/\bstart with\b|\blesson:/);
  });

  it("solve 01 backs up the learner's files and makes check 01 pass; reset 01 restores the starter", async () => {
    const solved = await cli("solve", "01");
    expect(solved.code).toBe(0);
    const backup = /backed up to (\S+)/.exec(solved.out)?.[1];
    expect(backup).toBeDefined();
    expect(readdirSync(join(copy, backup!)).length).toBeGreaterThan(0);

    const passing = await cli("check", "01");
    expect(passing.out).toMatch(/All tests of chapters 01-01 pass/);
    expect(passing.code).toBe(0);
    expect((await cli("progress")).out).toMatch(/01\s+.*done/);

    expect((await cli("reset", "01")).code).toBe(0);
    for (const [rel, text] of generateChapter(chapter, copy).files) {
      expect(readFileSync(join(copy, "chapters", chapter.slug, rel), "utf8")).toBe(text);
    }
    expect((await cli("progress")).out).toMatch(/01\s+.*not started/);
  }, 300_000); // two CLI runs and chapter 01's Docker tests
});
