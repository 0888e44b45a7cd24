/**
 * The lesson linter (`npm run lint:lessons`): keeps every lesson readable for
 * someone whose first language is not English, and keeps the lesson, the code
 * and the hints telling the same story.
 *
 * Per chapter it checks:
 *   - sentences: the average length (words) and every sentence over the limit,
 *     counted in prose only (code blocks, tables, headings and HTML tags are
 *     not prose);
 *   - steps: every `STEP(NN.k)` of the solution has a `### Step NN.k` heading in
 *     the lesson and a `## NN.k` section in hints.md with at least three levels
 *     (a nudge, the approach, pseudo-code of the hard part), and the lesson and
 *     the hints name no step the code does not have;
 *   - sections: the closing sections every chapter ends with.
 *
 * The functions here are pure (text in, findings out); workshop/cli.ts runs them.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { availableChapters, type Chapter, REPO_ROOT } from "../shared/chapters.ts";
import { compareSteps, generateChapter } from "./starters.ts";

export const LIMITS = {
  /** Average words per sentence, per lesson. */
  averageWords: 18,
  /** No single sentence may be longer. */
  maxWords: 35,
  /** Hint levels per step: nudge, approach, pseudo-code. */
  hintLevels: 3,
};

/** The sections that close every chapter, in the lesson as `## <title>`. */
export const CLOSING_SECTIONS = ["Check your work", "Read the real thing", "Check yourself", "Challenges"];

export interface Sentence {
  /** 1-based line of the sentence's first word. */
  line: number;
  text: string;
  words: number;
}

/**
 * The prose of a Markdown text, cut into sentences. A paragraph or a list
 * item is a block; a block is cut after `.`, `!` or `?` when a new sentence
 * starts (a capital, a digit, a quote or code). Inline code and a link's
 * address count as one word each.
 */
export function proseSentences(markdown: string): Sentence[] {
  const sentences: Sentence[] = [];
  let block: { line: number; parts: string[] } | undefined;
  let fence: string | undefined;
  let indentedCode = false;
  let previousBlank = true;

  const flush = () => {
    if (block) sentences.push(...splitSentences(block.parts.join(" "), block.line));
    block = undefined;
  };

  markdown.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\s+$/, "");
    const fenceMark = /^\s*(```|~~~)/.exec(line)?.[1];
    if (fence) {
      if (fenceMark === fence) fence = undefined;
      return;
    }
    if (fenceMark) {
      flush();
      fence = fenceMark;
      return;
    }
    if (line.trim() === "") {
      flush();
      previousBlank = true;
      indentedCode = false;
      return;
    }
    // An indented code block starts after a blank line with 4+ spaces and is not a list item.
    if ((previousBlank || indentedCode) && /^ {4,}\S/.test(line) && !/^\s*([-*+]|\d+\.)\s/.test(line)) {
      flush();
      indentedCode = true;
      previousBlank = false;
      return;
    }
    previousBlank = false;
    const trimmed = line.trim();
    const notProse =
      /^#{1,6}\s/.test(trimmed) || // a heading
      trimmed.startsWith("|") || // a table row
      /^<\/?[a-z][^>]*>(.*<\/[a-z]+>)?$/i.test(trimmed) || // an HTML tag line (<details>, <summary>...</summary>)
      /^[-*_]{3,}$/.test(trimmed); // a rule
    if (notProse) {
      flush();
      return;
    }
    const listItem = /^\s*([-*+]|\d+\.)\s+(.*)$/.exec(line);
    if (listItem) {
      flush();
      block = { line: i + 1, parts: [listItem[2]!] };
      return;
    }
    if (trimmed.startsWith(">")) {
      const quoted = trimmed.replace(/^>\s?/, "");
      if (!block) block = { line: i + 1, parts: [] };
      block.parts.push(quoted);
      return;
    }
    if (!block) block = { line: i + 1, parts: [] };
    block.parts.push(trimmed);
  });
  flush();
  return sentences;
}

function splitSentences(text: string, line: number): Sentence[] {
  const plain = text
    .replace(/`[^`]*`/g, "CODE") // inline code is one word
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // a link reads as its text
    .replace(/https?:\/\/\S+/g, "URL")
    .replace(/<[^>]+>/g, " ") // inline HTML tags
    .replace(/[*_]{1,2}([^*_]+)[*_]{1,2}/g, "$1"); // emphasis
  return plain
    .split(/(?<=[.!?])["')]?\s+(?=["'(]?[A-Z0-9])/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => ({ line, text: s, words: countWords(s) }))
    .filter((s) => s.words > 0);
}

export function countWords(sentence: string): number {
  return sentence.split(/\s+/).filter((w) => /[A-Za-z0-9]/.test(w)).length;
}

export interface LessonReport {
  chapter: Chapter;
  sentences: number;
  averageWords: number;
  longest: number;
  /** Sentences over LIMITS.maxWords, with where they are. */
  tooLong: Sentence[];
  /** Sentences with three or more colons: a chain a reader has to untangle. */
  colonChains: Sentence[];
  /** Each problem one line, ready to print ("lesson has no Step 05.3 heading ..."). */
  problems: string[];
}

/** Lints one chapter's lesson and hints against its solution's steps. */
export function lintChapter(chapter: Chapter, root: string = REPO_ROOT): LessonReport {
  const lessonPath = join(root, "chapters", chapter.slug, "README.md");
  const hintsPath = join(root, "chapters", chapter.slug, "hints.md");
  const lesson = existsSync(lessonPath) ? readFileSync(lessonPath, "utf8") : "";
  const hints = existsSync(hintsPath) ? readFileSync(hintsPath, "utf8") : "";
  const lessonFile = `chapters/${chapter.slug}/README.md`;
  const problems: string[] = [];
  if (!lesson) problems.push(`${lessonFile} is missing`);
  if (!hints) problems.push(`chapters/${chapter.slug}/hints.md is missing`);

  const sentences = proseSentences(lesson);
  const total = sentences.reduce((n, s) => n + s.words, 0);
  const averageWords = sentences.length ? total / sentences.length : 0;
  const tooLong = sentences.filter((s) => s.words > LIMITS.maxWords);
  if (averageWords > LIMITS.averageWords) {
    problems.push(`${lessonFile}: sentences average ${averageWords.toFixed(1)} words; the limit is ${LIMITS.averageWords}`);
  }
  for (const s of tooLong) {
    problems.push(`${lessonFile}:${s.line}: a sentence of ${s.words} words (limit ${LIMITS.maxWords}): "${preview(s.text)}"`);
  }

  problems.push(...stepProblems(chapter, lesson, hints, root));
  const headings = new Set([...lesson.matchAll(/^##\s+(.+?)\s*$/gm)].map((m) => m[1]!.toLowerCase()));
  for (const section of CLOSING_SECTIONS) {
    if (!headings.has(section.toLowerCase())) problems.push(`${lessonFile}: no "## ${section}" section`);
  }

  return {
    chapter,
    sentences: sentences.length,
    averageWords,
    longest: Math.max(0, ...sentences.map((s) => s.words)),
    tooLong,
    colonChains: sentences.filter((s) => (s.text.match(/:\s/g) ?? []).length >= 3),
    problems,
  };
}

/** The lesson's step headings and the hints' sections against the solution's STEP markers. */
function stepProblems(chapter: Chapter, lesson: string, hints: string, root: string): string[] {
  const problems: string[] = [];
  const code = new Set(generateChapter(chapter, root).steps.map((s) => s.step));
  const inLesson = new Set([...lesson.matchAll(/^###\s+Step\s+(\d{2}\.\d+)\b/gm)].map((m) => m[1]!));
  const hintLevels = new Map<string, number>();
  let current: string | undefined;
  for (const line of hints.split("\n")) {
    const section = /^##\s+(\d{2}\.\d+)\b/.exec(line);
    if (section) {
      current = section[1]!;
      hintLevels.set(current, 0);
    } else if (/^##\s/.test(line)) {
      current = undefined;
    } else if (current && /^###\s+\d+\s*$/.test(line)) {
      hintLevels.set(current, hintLevels.get(current)! + 1);
    }
  }
  const lessonFile = `chapters/${chapter.slug}/README.md`;
  const hintsFile = `chapters/${chapter.slug}/hints.md`;
  for (const step of [...code].sort(compareSteps)) {
    if (!inLesson.has(step)) problems.push(`${lessonFile}: no "### Step ${step}" heading for TODO(${step})`);
    const levels = hintLevels.get(step);
    if (levels === undefined) problems.push(`${hintsFile}: no "## ${step}" section for TODO(${step})`);
    else if (levels < LIMITS.hintLevels) {
      problems.push(
        `${hintsFile}: step ${step} has ${levels} hint level(s); it needs ${LIMITS.hintLevels} (nudge, approach, pseudo-code)`,
      );
    }
  }
  for (const step of [...inLesson].sort(compareSteps)) {
    if (!code.has(step)) problems.push(`${lessonFile}: "Step ${step}" has no TODO(${step}) in the code`);
  }
  for (const step of [...hintLevels.keys()].sort(compareSteps)) {
    if (!code.has(step)) problems.push(`${hintsFile}: hints for ${step}, which has no TODO(${step}) in the code`);
  }
  return problems;
}

function preview(text: string): string {
  const words = text.split(/\s+/);
  return words.length > 12 ? `${words.slice(0, 12).join(" ")} ...` : text;
}

/** Lints every chapter present (or the ones named). */
export function lintLessons(only?: Chapter[], root: string = REPO_ROOT): LessonReport[] {
  return (only ?? availableChapters(root)).map((c) => lintChapter(c, root));
}
