/**
 * The learner loop, end to end, on a scratch copy of the repository (so the
 * real chapters/ is never touched): solve makes check pass, reset brings the
 * starter back. The check on the untouched starter is in cli.test.ts.
 */
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { findChapter } from "../../shared/chapters.ts";
import { generateChapter } from "../../workshop/starters.ts";
import { runCli, scratchCopy } from "./scratch-copy.ts";

let copy: string;
const cli = (...args: string[]) => runCli(copy, {}, ...args);

beforeAll(() => {
  copy = scratchCopy("cli-solve-test-");
});

afterAll(() => {
  rmSync(copy, { recursive: true, force: true });
});

describe.skipIf(!inject("dockerAvailable"))("solve and reset", () => {
  const chapter = findChapter("01")!;

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
