/**
 * `npm run hint NN.k`: progressive hints. chapters/NN-slug/hints.md has a
 * section `## NN.k <title>` per step with levels `### 1`, `### 2`, ...; each
 * call shows one more level (and the earlier ones again, for context).
 * In Chinese (WORKSHOP_LANG=zh-CN or a zh locale) it reads hints.zh-CN.md.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../shared/chapters.ts";
import { localized, workshopLanguage } from "./i18n/language.ts";
import { lessonFile } from "./i18n/lessons.ts";
import { messages } from "./i18n/messages.ts";
import { resolveStep } from "./resolve.ts";
import { loadState, saveState } from "./state.ts";
import { c, UserError } from "./ui.ts";

export interface StepHints {
  title: string;
  levels: string[];
}

/** Parses hints.md into step id -> hints. */
export function parseHints(markdown: string): Map<string, StepHints> {
  const steps = new Map<string, StepHints>();
  let current: StepHints | undefined;
  let level: string[] | undefined;
  for (const line of markdown.split("\n")) {
    const step = /^##\s+(\d{2}\.\d+)\b\s*(.*)$/.exec(line);
    if (step) {
      current = { title: step[2]!.replace(/^[\s:.\-–—]+/, ""), levels: [] };
      steps.set(step[1]!, current);
      level = undefined;
      continue;
    }
    if (/^##\s/.test(line)) {
      current = undefined;
      continue;
    }
    if (current && /^###\s+\d+/.test(line)) {
      level = [];
      current.levels.push("");
      continue;
    }
    if (current && level) current.levels[current.levels.length - 1] += `${line}\n`;
  }
  for (const s of steps.values()) s.levels = s.levels.map((l) => l.trim()).filter(Boolean);
  return steps;
}

export function hint(id: string | undefined, options: { reset?: boolean } = {}): void {
  const { chapter, step } = resolveStep(id);
  const language = workshopLanguage();
  const say = messages(language);
  const english = join(REPO_ROOT, "chapters", chapter.slug, "hints.md");
  const file = localized(english, language);
  if (!existsSync(file)) throw new UserError(say.noHintsFile(chapter.number, file));
  const hints = parseHints(readFileSync(file, "utf8")).get(step);
  if (!hints || hints.levels.length === 0) {
    throw new UserError(say.noHints(step, lessonFile(chapter, language), chapter.number));
  }
  const state = loadState();
  if (options.reset) {
    delete state.hints[step];
    saveState(state);
    console.log(say.hintsReset(step));
    return;
  }
  const shown = Math.min((state.hints[step] ?? 0) + 1, hints.levels.length);
  state.hints[step] = shown;
  saveState(state);

  console.log(c.bold(say.hintTitle(step, hints.title)));
  hints.levels.slice(0, shown).forEach((text, i) => {
    const isNew = i === shown - 1;
    console.log();
    const label = say.hintOf(i + 1, hints.levels.length);
    console.log(isNew ? c.cyan(label) : c.dim(label));
    console.log(isNew ? text : c.dim(text));
  });
  console.log();
  if (shown < hints.levels.length) {
    console.log(c.dim(say.hintAgain(`npm run hint ${step}`)));
  } else {
    console.log(c.dim(say.hintLast(step, `npm run solve ${chapter.number}`)));
  }
}
