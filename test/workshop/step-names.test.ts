/**
 * Every test of a chapter belongs to a step: its full name starts with the
 * step id ("02.4 watch > replays ...") or, for a test of the whole chapter,
 * with "NN chapter > ". The check groups failures by step and `npm run check
 * NN.k` selects by this prefix, so a test without it would be lost. The step
 * must exist as a STEP(NN.k) in solutions/: renaming or merging a step cannot
 * leave tests that point at nothing.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { availableChapters, REPO_ROOT } from "../../shared/chapters.ts";
import { chapterTestFiles, listTests, solutionSteps, stepOfTestName } from "../../workshop/test-names.ts";

describe("test names name their step", () => {
  it.each(availableChapters().map((c) => [c.number, c] as const))("chapter %s", (number, chapter) => {
    const steps = solutionSteps(chapter, REPO_ROOT);
    const files = chapterTestFiles(chapter, REPO_ROOT);
    expect(files.length, `chapter ${number} has test files`).toBeGreaterThan(0);
    const problems: string[] = [];
    for (const file of files) {
      const tests = listTests(file, REPO_ROOT);
      if (tests.length === 0) problems.push(`${file}: no test found`);
      for (const t of tests) {
        const where = `${t.file}:${t.line} "${t.name}"`;
        const step = stepOfTestName(t.name);
        if (step === undefined)
          problems.push(`${where}: start the name with "${number}.k " (its step) or "${number} chapter > "`);
        else if (!step.startsWith(number)) problems.push(`${where}: names ${step}, but the file belongs to chapter ${number}`);
        else if (step.includes(".") && !steps.has(step)) {
          problems.push(`${where}: step ${step} has no STEP(${step}) in solutions/${chapter.slug} (renamed or merged?)`);
        }
      }
    }
    expect(problems, `${problems.length} test name(s) break the rule:\n${problems.join("\n")}`).toEqual([]);
  });
});

describe("harness tests name their step", () => {
  it('every step("NN.k", ...) in test/harness names a STEP of solutions/', () => {
    const known = new Set(availableChapters().flatMap((c) => [...solutionSteps(c, REPO_ROOT)]));
    const files = readdirSync(join(REPO_ROOT, "test", "harness")).filter((f) => f.endsWith(".ts"));
    const problems = files.flatMap((f) =>
      listTests(`test/harness/${f}`, REPO_ROOT)
        // A helper's own it(`${id} ...`) is not a test yet; its calls are.
        .filter((t) => !t.name.startsWith("…") && !known.has(stepOfTestName(t.name) ?? ""))
        .map((t) => `${t.file}:${t.line} "${t.name}": no such STEP in solutions/`),
    );
    expect(problems, problems.join("\n")).toEqual([]);
  });
});

describe("listTests", () => {
  it("joins describes and finds tests under skipIf, each and a harness step()", async () => {
    const { mkdtempSync, writeFileSync, mkdirSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const root = mkdtempSync(join(tmpdir(), "names-"));
    mkdirSync(join(root, "test"));
    writeFileSync(
      join(root, "test", "02-x.test.ts"),
      [
        'describe.skipIf(!ok)("02.4 watch", () => {',
        '  it("replays", () => {});',
        '  it.each([1])("row %s", () => {});',
        "});",
        "it(`02 chapter > ${n} writes`, { timeout: 1 }, async () => {});",
        'step("02.1", "stamps", async () => {});',
      ].join("\n"),
    );
    expect(listTests("test/02-x.test.ts", root).map((t) => [t.name, stepOfTestName(t.name)])).toEqual([
      ["02.4 watch > replays", "02.4"],
      ["02.4 watch > row %s", "02.4"],
      ["02 chapter > … writes", "02"],
      ["02.1 stamps", "02.1"],
    ]);
  });
});
