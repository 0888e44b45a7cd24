/**
 * test/harness/wait.ts: a todo() reached in the background ends a wait at
 * once only when its step is the waiting test's own step or an earlier one.
 * With tests running at once, each must be judged by its own name (asTest),
 * not by the name of whichever test vitest started last.
 */
import { expect, it } from "vitest";
import { NotImplementedError, todo } from "../../shared/todo.ts";
import { asTest, waitFor } from "../harness/wait.ts";

/** What a component's sync loop does on a starter: it runs into todo() and catches the error. */
function reachTodoInBackground(step: string): void {
  setTimeout(() => {
    try {
      todo(step);
    } catch {
      // caught and retried later, as a sync loop does
    }
  }, 20);
}

// The two tests run at once. The second starts last, so vitest's global
// expect names it while the first one waits. (Top level: a full name must
// begin with its step.)
it.concurrent(
  "05.3 a later step's todo() does not end the wait of a test of an earlier step",
  asTest(async () => {
    let done = false;
    setTimeout(() => (done = true), 300);
    reachTodoInBackground("05.4");
    await expect(waitFor("a condition that holds after 300 ms", () => done, { timeoutMs: 5_000 })).resolves.toBe(true);
  }),
);

it.concurrent(
  "05.4 the test's own step's todo() ends its wait at once",
  asTest(async () => {
    reachTodoInBackground("05.4");
    await expect(waitFor("a condition that never holds", () => false, { timeoutMs: 5_000 })).rejects.toBeInstanceOf(
      NotImplementedError,
    );
  }),
);
