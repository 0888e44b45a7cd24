/**
 * The starter generator: its rules, and the promise that the committed
 * chapters/ starters are exactly what it makes from solutions/.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { availableChapters, findChapter, REPO_ROOT } from "../../shared/chapters.ts";
import { generateChapter, generateStarter, StarterError } from "../../workshop/starters.ts";

const ch01 = findChapter("01")!;

describe("generateStarter", () => {
  const source = [
    'import { a } from "./a.ts";',
    "import {",
    "  b,",
    '} from "./b.ts";',
    "",
    "export function f(): number {",
    "  // STEP(01.2): compute it.",
    "  //#solution",
    "  const x = a + b;",
    "  return x;",
    "  //#end",
    "}",
  ].join("\n");

  it("replaces a region with todo() at its indentation and imports todo after the last import", () => {
    const { text, steps } = generateStarter(source, "solutions/01-containers/f.ts", ch01);
    expect(text.split("\n")).toEqual([
      'import { a } from "./a.ts";',
      "import {",
      "  b,",
      '} from "./b.ts";',
      'import { todo } from "../../shared/todo.ts";',
      "",
      "export function f(): number {",
      "  // TODO(01.2): compute it.",
      '  todo("01.2");',
      "}",
    ]);
    expect(steps).toEqual([{ step: "01.2", file: "solutions/01-containers/f.ts", line: 8 }]);
  });

  it("computes the todo import path from the file's depth", () => {
    const { text } = generateStarter(source, "solutions/01-containers/sub/dir/f.ts", ch01);
    expect(text).toContain('import { todo } from "../../../../shared/todo.ts";');
  });

  it("leaves a file without regions unchanged", () => {
    const plain = "export const x = 1;\n";
    expect(generateStarter(plain, "solutions/01-containers/x.ts", ch01).text).toBe(plain);
  });

  it("rejects malformed markers with file and line", () => {
    const bad = (text: string) => () => generateStarter(text, "solutions/01-containers/x.ts", ch01);
    expect(bad("//#solution\nx\n//#end")).toThrow(/x\.ts:1: \/\/#solution without a STEP/);
    expect(bad("// STEP(01.1): a\n//#solution\nx")).toThrow(/x\.ts:2: \/\/#solution is never closed/);
    expect(bad("// STEP(01.1): a\n//#end")).toThrow(/x\.ts:2: \/\/#end without/);
    expect(bad("// STEP(02.1): a\n")).toThrow(StarterError);
    // The reference has nothing left to do: a TODO(NN.k) in solutions/ is a slip.
    expect(bad("// TODO(01.1): a\n")).toThrow(/marks a step with STEP/);
  });

  describe("solvedThrough (npm run verify:steps)", () => {
    const twoSteps = [
      'import { a } from "./a.ts";',
      "",
      "export function f(): number {",
      "  // STEP(01.2): first.",
      "  //#solution",
      "  const x = a;",
      "  //#end",
      "  // STEP(01.3): second.",
      "  //#solution",
      "  return x + 1;",
      "  //#end",
      "}",
    ].join("\n");

    it("keeps the solution of the steps up to k and writes the TODO stub for the later ones", () => {
      const { text, steps } = generateStarter(twoSteps, "solutions/01-containers/f.ts", ch01, { solvedThrough: "01.2" });
      expect(text.split("\n")).toEqual([
        'import { a } from "./a.ts";',
        'import { todo } from "../../shared/todo.ts";',
        "",
        "export function f(): number {",
        "  // STEP(01.2): first.",
        "  const x = a;",
        "  // TODO(01.3): second.",
        '  todo("01.3");',
        "}",
      ]);
      expect(steps.map((s) => s.step)).toEqual(["01.2", "01.3"]);
    });

    it("keeps every solution and imports no todo once the last step is solved; stubs all before the first", () => {
      const all = generateStarter(twoSteps, "solutions/01-containers/f.ts", ch01, { solvedThrough: "01.3" }).text;
      expect(all).not.toMatch(/todo|TODO|#solution|#end/);
      expect(all).toContain("  const x = a;\n  // STEP(01.3): second.\n  return x + 1;");
      const none = generateStarter(twoSteps, "solutions/01-containers/f.ts", ch01, { solvedThrough: "01.1" }).text;
      expect(none).toBe(generateStarter(twoSteps, "solutions/01-containers/f.ts", ch01).text);
      // Steps compare as numbers: 01.10 comes after 01.9, not between 01.1 and 01.2.
      const ten = twoSteps.replace("STEP(01.3)", "STEP(01.10)");
      expect(generateStarter(ten, "solutions/01-containers/f.ts", ch01, { solvedThrough: "01.9" }).text).toContain(
        'todo("01.10")',
      );
    });
  });
});

/** The committed version of a file: git's index when this is a git checkout, else the disk. */
function committed(path: string): string | undefined {
  try {
    return execFileSync("git", ["show", `:${path}`], { cwd: REPO_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    const full = join(REPO_ROOT, path);
    return existsSync(full) ? readFileSync(full, "utf8") : undefined;
  }
}

describe("committed starters", () => {
  for (const chapter of availableChapters()) {
    it(`chapters/${chapter.slug} is what the generator makes from solutions/ (else run npm run gen:starters)`, () => {
      const { files, steps } = generateChapter(chapter);
      expect(files.size).toBeGreaterThan(0);
      expect(steps.length, "a chapter has at least one step").toBeGreaterThan(0);
      expect(steps[0]!.step).toBe(`${chapter.number}.1`);
      for (const [rel, text] of files) {
        expect(committed(`chapters/${chapter.slug}/${rel}`), `chapters/${chapter.slug}/${rel}`).toBe(text);
      }
    });

    it(`chapters/${chapter.slug} has a lesson with every step and hints for every step`, () => {
      const lesson = readFileSync(join(REPO_ROOT, "chapters", chapter.slug, "README.md"), "utf8");
      const hints = readFileSync(join(REPO_ROOT, "chapters", chapter.slug, "hints.md"), "utf8");
      for (const { step } of generateChapter(chapter).steps) {
        expect(lesson, `lesson section "Step ${step}"`).toMatch(new RegExp(`^#+\\s*Step ${step.replace(".", "\\.")}\\b`, "m"));
        expect(hints, `hints section "## ${step}"`).toMatch(new RegExp(`^##\\s+${step.replace(".", "\\.")}\\b`, "m"));
      }
    });
  }
});
