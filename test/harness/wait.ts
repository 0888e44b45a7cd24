/**
 * Waiting on a condition with a deadline, instead of sleeping and hoping.
 * On timeout the error says what was awaited and what was last seen.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { expect, type TestContext } from "vitest";
import { NotImplementedError, todoCalls } from "../../shared/todo.ts";

/**
 * Thrown by a probe that can already tell the wait has failed (the wrong
 * event arrived, the watch closed, the pod ended in the wrong phase): waitFor
 * fails at once with this message instead of waiting for its deadline.
 */
export class GiveUp extends Error {}

/** Ends a wait at once: `throw giveUp("event #0 should be ..., received ...")`. */
export function giveUp(message: string): GiveUp {
  return new GiveUp(message);
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 20_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  const todosBefore = todoCalls().count;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      last = value;
    } catch (err) {
      // A starter's todo() will not start working by waiting, and a probe
      // that gave up knows the answer already: fail at once.
      if (err instanceof NotImplementedError || err instanceof GiveUp) throw err;
      last = err;
    }
    // A component of the cluster under test ran into a starter's todo() while
    // we waited, and caught the error (a sync loop logs it and retries): what
    // we wait for cannot happen before that step is written, so say so now
    // instead of at the deadline. (Never on solutions/: they have no todo().)
    const todos = todoCalls();
    if (todos.count > todosBefore && blocks(todos.last!)) throw new NotImplementedError(todos.last!, `while waiting for ${what}`);
    if (Date.now() > deadline) {
      // "false" says nothing: a probe that wants to show what it saw throws it.
      const seen =
        last instanceof Error
          ? `; last seen: ${last.message}`
          : last === false || last === undefined
            ? ""
            : `; last seen: ${JSON.stringify(last)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${seen}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** The name of the test that runs this code, for tests that run at once (asTest below). */
const runningTest = new AsyncLocalStorage<string>();

/**
 * A test body that runs with its test's name attached, for tests that run at
 * once (it.concurrent). vitest's global `expect` knows one current test:
 * with several running, it names whichever started last, and blocks() would
 * judge a todo() by another test's step. The test's own context knows its
 * name, and AsyncLocalStorage carries it through every await of the body.
 *
 *   it.concurrent("05.3 kubelet > ...", asTest(async () => { ... }));
 */
export function asTest(body: () => Promise<void>): (ctx: TestContext) => Promise<void> {
  return (ctx) => runningTest.run(ctx.expect.getState().currentTestName ?? "", body);
}

/**
 * Whether a todo() of `step`, reached in the background, means the running
 * test cannot pass: it can when the step comes after the test's own step (the
 * learner has not got there yet; a check of step 05.3 runs a kubelet whose
 * later steps are still TODOs). A test of the whole chapter needs every step.
 */
function blocks(step: string): boolean {
  const name = runningTest.getStore() ?? expect.getState().currentTestName ?? "";
  const own = /^(\d{2})\.(\d+)\b/.exec(name);
  if (!own) return true;
  const [chapter, k] = step.split(".").map(Number) as [number, number];
  const [ownChapter, ownK] = [Number(own[1]), Number(own[2])];
  return chapter < ownChapter || (chapter === ownChapter && k <= ownK);
}
