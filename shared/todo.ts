/**
 * The placeholder that starter files call where the learner has work to do.
 *
 * The starter generator (workshop/starters.ts) replaces every marked solution
 * region with `todo("NN.k")`. Calling it throws a NotImplementedError whose
 * message points at the lesson step, so a failing test tells the learner
 * exactly where to go. `npm run check` recognises this error and names the
 * file and line of the TODO.
 */
import { appendFileSync } from "node:fs";
import { parseStepId } from "./chapters.ts";

export class NotImplementedError extends Error {
  override readonly name = "NotImplementedError";
  constructor(
    readonly step: string,
    /** Where it was met, when not in the caller's own code ("while waiting for the pod to run"). */
    context?: string,
  ) {
    const chapter = parseStepId(step)?.chapter;
    const lesson = chapter ? `chapters/${chapter.slug}/README.md` : "the chapter's README.md";
    const where = context ? ` (reached ${context})` : "";
    super(`not implemented yet: TODO(${step})${where}, see ${lesson}, step ${step} (hint: npm run hint ${step})`);
  }
}

/** Steps whose todo() this process already wrote to WORKSHOP_TODO_LOG (once each is enough). */
const logged = new Set<string>();

/** How many times todo() ran in this process, and for which step last: a test's wait reads it. */
let calls = 0;
let lastStep: string | undefined;
export const todoCalls = (): { count: number; last: string | undefined } => ({ count: calls, last: lastStep });

export function todo(step: string): never {
  calls += 1;
  lastStep = step;
  // A component's loop may catch this error and only log it; its test then
  // sees a time-out, not this message. So `npm run check` also asks for the
  // list of todo() calls the run reached (workshop/runner.ts sets the file).
  const log = process.env.WORKSHOP_TODO_LOG;
  if (log && !logged.has(step)) {
    logged.add(step);
    try {
      appendFileSync(log, `${step}\n`);
    } catch {
      // the check only loses a clue
    }
  }
  throw new NotImplementedError(step);
}
