/**
 * Nothing left behind: npm run check interrupted twice mid-run (Ctrl-C in a
 * real terminal) stops the tests and removes their containers and networks.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { waitFor } from "../harness/wait.ts";
import { interruptScratch, leftovers } from "./interrupt-scratch.ts";
import { runCli } from "./scratch-copy.ts";
import { openTerminal } from "./terminal.ts";

const s = interruptScratch();

describe.skipIf(!s.runs)("nothing is left behind", () => {
  it("npm run check 05 interrupted twice mid-run: the tests stop and their containers and networks are removed", async () => {
    const copy = s.copy();
    // The five solves write five different chapters: at once, not one node start after another.
    const solved = await Promise.all(["01", "02", "03", "04", "05"].map((n) => runCli(copy, {}, "solve", n)));
    for (const r of solved) expect(r.code, r.err).toBe(0);
    const term = await openTerminal(copy, { NO_COLOR: "1", WORKSHOP_STATE_DIR: join(copy, ".state") });
    s.terminals.push(term);
    term.type("npm run check 05");
    await waitFor(
      "the tests of chapter 05 to create containers",
      async () => (await leftovers(copy)).some((l) => l.startsWith("container")),
      { timeoutMs: 180_000 },
    );
    term.keys("C-c");
    term.keys("C-c"); // a second Ctrl-C while cleaning is ignored, not an abort of the cleanup
    await term.waitForPrompt(60_000);
    expect(term.output()).toMatch(/stopping \(SIGINT\): cleaning up/);
    expect(term.output()).toMatch(/stopped: removed /);
    expect(term.output()).not.toMatch(/All tests of chapters/);
    expect(await leftovers(copy)).toEqual([]);
  }, 400_000);
});
