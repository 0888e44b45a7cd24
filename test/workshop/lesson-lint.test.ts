/**
 * The lesson linter: what counts as prose, how sentences are cut, and the
 * agreement between a chapter's STEP markers, lesson headings and hints.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findChapter } from "../../shared/chapters.ts";
import { CLOSING_SECTIONS, countWords, lintChapter, proseSentences } from "../../workshop/lesson-lint.ts";

describe("proseSentences", () => {
  it("cuts a paragraph after . ! ? when a new sentence starts, and keeps e.g. inside one", () => {
    const s = proseSentences("The store keeps history. Is it big? No! It is small, e.g. a list.\n");
    expect(s.map((x) => x.text)).toEqual(["The store keeps history.", "Is it big?", "No!", "It is small, e.g. a list."]);
  });

  it("leaves out code blocks, indented code, tables, headings and HTML tag lines", () => {
    const md = [
      "# A heading that is long enough to be a sentence if it were counted as one",
      "",
      "```ts",
      "const neverCounted = 'this is code and has many many words in it';",
      "```",
      "",
      "    indented code with a lot of words that are not prose at all",
      "",
      "| a | table | row |",
      "<details><summary>Answer</summary>",
      "One sentence.",
      "</details>",
    ].join("\n");
    expect(proseSentences(md).map((x) => x.text)).toEqual(["One sentence."]);
  });

  it("counts inline code and a link as one word each, and gives the line of the sentence", () => {
    const [s] = proseSentences("\n\nCall `store.write(key, value)` as [the guide](https://example.org/a/b) says.");
    expect(s!.words).toBe(6);
    expect(s!.line).toBe(3);
  });

  it("makes each list item a block of its own", () => {
    expect(proseSentences("- first item\n- second item\n").map((x) => x.text)).toEqual(["first item", "second item"]);
  });

  it("counts words, not punctuation", () => {
    expect(countWords("a - b — c ...")).toBe(3);
  });
});

describe("lintChapter", () => {
  const root = mkdtempSync(join(tmpdir(), "lesson-lint-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const ch01 = findChapter("01")!;
  const write = (path: string, text: string) => {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  write(
    "solutions/01-containers/a.ts",
    ["export function f(): number {", "  // STEP(01.1): say one.", "  //#solution", "  return 1;", "  //#end", "}", ""].join(
      "\n",
    ),
  );
  const closing = CLOSING_SECTIONS.map((s) => `## ${s}\n\nShort text.\n`).join("\n");

  it("finds a step with no heading, a heading with no step, and too few hint levels", () => {
    write("chapters/01-containers/README.md", `# Lesson\n\n### Step 01.2 — ghost\n\nShort.\n\n${closing}`);
    write("chapters/01-containers/hints.md", "# Hints\n\n## 01.1 one\n\n### 1\n\nnudge\n\n### 2\n\napproach\n");
    const { problems } = lintChapter(ch01, root);
    expect(problems).toContain('chapters/01-containers/README.md: no "### Step 01.1" heading for TODO(01.1)');
    expect(problems).toContain('chapters/01-containers/README.md: "Step 01.2" has no TODO(01.2) in the code');
    expect(problems.some((p) => p.includes("step 01.1 has 2 hint level(s)"))).toBe(true);
  });

  it("reports a sentence over the limit with its line, a high average and a missing closing section", () => {
    const long = Array.from({ length: 40 }, (_, i) => `w${i}`).join(" ") + ".";
    write("chapters/01-containers/README.md", `# Lesson\n\n### Step 01.1 — one\n\n${long}\n\n## Check your work\n\nOk.\n`);
    write("chapters/01-containers/hints.md", "## 01.1 one\n\n### 1\n\na\n\n### 2\n\nb\n\n### 3\n\nc\n");
    const report = lintChapter(ch01, root);
    expect(report.tooLong.map((s) => [s.line, s.words])).toEqual([[5, 40]]);
    expect(report.problems.some((p) => p.startsWith("chapters/01-containers/README.md:5: a sentence of 40 words"))).toBe(true);
    expect(report.problems.some((p) => /sentences average .* the limit is 18/.test(p))).toBe(true);
    expect(report.problems).toContain('chapters/01-containers/README.md: no "## Challenges" section');
  });

  it("passes a lesson that keeps every rule", () => {
    write("chapters/01-containers/README.md", `# Lesson\n\n### Step 01.1 — one\n\nA short sentence. Another one.\n\n${closing}`);
    write("chapters/01-containers/hints.md", "## 01.1 one\n\n### 1\n\na\n\n### 2\n\nb\n\n### 3\n\nc\n");
    expect(lintChapter(ch01, root).problems).toEqual([]);
  });
});
