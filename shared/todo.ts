/**
 * The placeholder that starter files call where the learner has work to do.
 *
 * The starter generator (workshop/starters.ts) replaces every marked solution
 * region with `todo("NN.k")`. Calling it throws a NotImplementedError whose
 * message points at the lesson step, so a failing test tells the learner
 * exactly where to go. `npm run check` recognises this error and names the
 * file and line of the TODO.
 */
import { parseStepId } from "./chapters.ts";

export class NotImplementedError extends Error {
  override readonly name = "NotImplementedError";
  constructor(readonly step: string) {
    const chapter = parseStepId(step)?.chapter;
    const lesson = chapter ? `chapters/${chapter.slug}/README.md` : "the chapter's README.md";
    super(`not implemented yet: TODO(${step}), see ${lesson}, step ${step} (hint: npm run hint ${step})`);
  }
}

export function todo(step: string): never {
  throw new NotImplementedError(step);
}
