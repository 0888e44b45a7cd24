/**
 * The workshop CLI on a scratch copy of the repository (so the real chapters/
 * is never touched): the one-line errors for bad input, progressive hints,
 * the Chinese lessons, and check on the untouched starter. The rest of the
 * learner loop (solve, then check and reset) is in cli-solve.test.ts: a file
 * of its own, so that two test workers run the two halves at the same time.
 */
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCli, scratchCopy } from "./scratch-copy.ts";

let copy: string;

const cli = (...args: string[]) => runCli(copy, {}, ...args);
/** The CLI with extra environment variables (the language: WORKSHOP_LANG, LANG). */
const cliWith = (env: NodeJS.ProcessEnv, ...args: string[]) => runCli(copy, env, ...args);

beforeAll(() => {
  copy = scratchCopy("cli-test-");
});

afterAll(() => {
  rmSync(copy, { recursive: true, force: true });
});

// Each case is a CLI process of its own that writes no state: they run at once.
describe.concurrent("bad input gets one line and a non-zero exit", () => {
  const cases: [string, string[], RegExp][] = [
    ["an unknown chapter", ["check", "99"], /there is no chapter "99"/],
    ["an unknown chapter to solve", ["solve", "nope"], /there is no chapter "nope"/],
    ["a malformed step", ["hint", "abc"], /"abc" is not a step/],
    ["a step without hints", ["hint", "01.99"], /no hints for step 01\.99/],
    ["an unknown command", ["frobnicate"], /unknown command "frobnicate"/],
  ];
  for (const [what, args, message] of cases) {
    it(what, async ({ expect }) => {
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

// Each case asks for other steps' hints (02.1 to 02.4), so they run at once too.
describe.concurrent("in Chinese", () => {
  const han = /[\u4e00-\u9fff]/;

  it("WORKSHOP_LANG=zh-CN: hint 01.1 prints the Chinese hints, with Chinese labels", async ({ expect }) => {
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

  it("a Chinese locale (LANG=zh_CN.UTF-8) without WORKSHOP_LANG does the same; WORKSHOP_LANG=en wins over it", async ({
    expect,
  }) => {
    expect((await cliWith({ LANG: "zh_CN.UTF-8" }, "hint", "02.2")).out).toMatch(/提示 1\//);
    expect((await cliWith({ LANG: "zh_CN.UTF-8", WORKSHOP_LANG: "en" }, "hint", "02.3")).out).toMatch(/Hint 1 of/);
  });

  it("an unknown WORKSHOP_LANG is one line naming the languages", async ({ expect }) => {
    const r = await cliWith({ WORKSHOP_LANG: "fr" }, "hint", "02.4");
    expect(r.code).toBe(1);
    expect(r.err.trim()).toBe("error: WORKSHOP_LANG=fr is not a language of the workshop: use en or zh-CN");
  });
});

describe.skipIf(!inject("dockerAvailable"))("check on the untouched starter", () => {
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
});
