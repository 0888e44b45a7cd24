/**
 * The translated lessons: every one in sync with its English file (this is
 * the check CI relies on), and the check itself failing where it must: a
 * changed English section, a renamed step heading, an edited code block.
 * Plus how the CLI chooses its language.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { availableChapters, REPO_ROOT } from "../../shared/chapters.ts";
import { checkTranslations } from "../../workshop/i18n/command.ts";
import { workshopLanguage } from "../../workshop/i18n/language.ts";
import { outline } from "../../workshop/i18n/markdown.ts";
import { readStamp, stamp, syncProblems } from "../../workshop/i18n/sync.ts";
import { chapterTitle } from "../../workshop/i18n/lessons.ts";

const names = { english: "chapters/01-containers/README.md", translation: "chapters/01-containers/README.zh-CN.md" };
const read = (file: string) => readFileSync(join(REPO_ROOT, file), "utf8");

describe("the translations", () => {
  it("exist for every lesson and hints file, and match their English file's sections, step headings and code blocks", () => {
    const problems = checkTranslations();
    expect(problems, problems.join("\n")).toEqual([]);
  });
});

describe("the sync check", () => {
  const english = read(names.english);
  const translation = read(names.translation);

  it("passes the stamped translation of the English as it is", () => {
    expect(syncProblems(english, translation, names)).toEqual([]);
  });

  it("names the section whose English text changed since the translation", () => {
    const step2 = outline(english).sections.find((s) => s.heading?.text.startsWith("Step 01.2"))!;
    const changed = english.replace(step2.text, `${step2.text}\nOne more sentence in the English.`);
    const problems = syncProblems(changed, translation, names);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(names.english);
    expect(problems[0]).toContain(`changed: "${step2.key}"`);
    expect(problems[0]).toContain(`npm run i18n -- stamp ${names.translation}`);
  });

  it("fails when an English step heading changes: the old section is removed, the new one added", () => {
    const heading = outline(english).headings.find((h) => h.text.startsWith("Step 01.3"))!;
    const changed = english.replace(`### ${heading.text}`, "### Step 01.3 — A different title");
    const problems = syncProblems(changed, translation, names);
    expect(problems.join("\n")).toMatch(/added: "[^"]*Step 01\.3 — A different title"/);
    expect(problems.join("\n")).toContain(`removed: "`);
  });

  it("fails when a translated step heading loses its id, naming both lines", () => {
    const broken = translation.replace(/^### Step 01\.3\b/m, "### 步骤 01.3");
    const problems = syncProblems(english, broken, names);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/the English has "### Step 01\.3 .*" \(chapters\/01-containers\/README\.md:\d+\)/);
    expect(problems[0]).toContain('keeping "Step 01.3" at the start');
  });

  it("fails when a code block differs by one character, and when one is dropped", () => {
    const block = outline(english).codeBlocks[0]!;
    const lines = block.text.split("\n");
    const edited = [lines[0], `${lines[1]}x`, ...lines.slice(2)].join("\n");
    const changedBlock = syncProblems(english, translation.replace(block.text, edited), names);
    expect(changedBlock).toHaveLength(1);
    expect(changedBlock[0]).toMatch(/^code block 1 differs: chapters\/01-containers\/README\.md:\d+ has /);
    const dropped = syncProblems(english, translation.replace(block.text, ""), names);
    expect(dropped.join("\n")).toMatch(/code block 1 differs|is missing from/);
  });

  it("asks for a stamp when there is none, and a stamp makes a matching translation pass", () => {
    const { body } = readStamp(translation);
    expect(syncProblems(english, body, names)[0]).toMatch(/has no sync stamp/);
    expect(syncProblems(english, stamp(names.english, english, body), names)).toEqual([]);
  });

  it("does not take a # line inside a code block for a heading", () => {
    const md = "# Title\n\n```sh\n# a shell comment\n```\n\n## Section\n";
    expect(outline(md).headings.map((h) => h.text)).toEqual(["Title", "Section"]);
    expect(outline(md).codeBlocks).toHaveLength(1);
  });
});

describe("the CLI's language", () => {
  it("is Chinese for WORKSHOP_LANG=zh-CN or zh, and WORKSHOP_LANG wins over the locale", () => {
    expect(workshopLanguage({ WORKSHOP_LANG: "zh-CN" })).toBe("zh-CN");
    expect(workshopLanguage({ WORKSHOP_LANG: "zh" })).toBe("zh-CN");
    expect(workshopLanguage({ WORKSHOP_LANG: "en", LANG: "zh_CN.UTF-8" })).toBe("en");
  });

  it("follows the locale without WORKSHOP_LANG: LC_ALL first, then LC_MESSAGES, then LANG", () => {
    expect(workshopLanguage({ LANG: "zh_CN.UTF-8" })).toBe("zh-CN");
    expect(workshopLanguage({ LANG: "en_US.UTF-8" })).toBe("en");
    expect(workshopLanguage({ LC_ALL: "C.UTF-8", LANG: "zh_CN.UTF-8" })).toBe("en");
    expect(workshopLanguage({ LC_MESSAGES: "zh_TW.UTF-8" })).toBe("zh-CN");
    expect(workshopLanguage({})).toBe("en");
  });

  it("refuses a WORKSHOP_LANG it does not speak, naming the ones it does", () => {
    expect(() => workshopLanguage({ WORKSHOP_LANG: "fr" })).toThrow(/WORKSHOP_LANG=fr .*use en or zh-CN/);
  });
});

describe("chapter titles", () => {
  it("come from the translated lesson's first heading in Chinese, without its chapter number, and from shared/chapters.ts in English", () => {
    for (const chapter of availableChapters()) {
      expect(chapterTitle(chapter, "en")).toBe(chapter.title);
      const zh = chapterTitle(chapter, "zh-CN");
      expect(zh, chapter.slug).toMatch(/[\u4e00-\u9fff\uff1a]|^Service$/);
      expect(zh, chapter.slug).not.toMatch(/^第|^#/);
    }
  });
});
