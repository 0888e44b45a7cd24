/** Turns what a user typed ("1", "01", "containers", "01.2") into chapters and steps, or one clear error. */
import { availableChapters, type Chapter, findChapter, parseStepId } from "../shared/chapters.ts";
import { UserError } from "./ui.ts";

export function resolveChapter(id: string | undefined): Chapter {
  const list = availableChapters()
    .map((c) => c.number)
    .join(", ");
  if (!id) throw new UserError(`name a chapter: one of ${list}`);
  const chapter = findChapter(id);
  if (!chapter || !availableChapters().some((c) => c.slug === chapter.slug)) {
    throw new UserError(`there is no chapter "${id}" in this workshop: chapters are ${list}`);
  }
  return chapter;
}

export function resolveStep(id: string | undefined): { chapter: Chapter; step: string } {
  if (!id) throw new UserError("name a step, like 01.2 (the TODO(01.2) comments in the code)");
  const number = /^\s*(\d{1,2})\.\d{1,2}\s*$/.exec(id)?.[1];
  if (number) resolveChapter(number); // "99.1": there is no chapter 99, say so
  const parsed = parseStepId(id);
  if (!parsed) throw new UserError(`"${id}" is not a step: steps look like 01.2 (chapter 01, step 2)`);
  resolveChapter(parsed.chapter.number);
  return parsed;
}
