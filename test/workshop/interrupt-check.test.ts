/**
 * Nothing left behind: npm run check interrupted twice mid-run (Ctrl-C in a
 * real terminal) stops the tests and removes their containers and networks.
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { findChapter } from "../../shared/chapters.ts";
import { solutionFiles } from "../../workshop/starters.ts";
import { waitFor } from "../harness/wait.ts";
import { interruptScratch, leftovers } from "./interrupt-scratch.ts";
import { openTerminal } from "./terminal.ts";

const s = interruptScratch();

describe.skipIf(!s.runs)("nothing is left behind", () => {
  it("npm run check 05 interrupted twice mid-run: the tests stop and their containers and networks are removed", async () => {
    const copy = s.copy();
    // Chapters 01-05 hold the reference solution, as five `npm run solve` would
    // leave them: copied here, not by five CLI processes (cli-solve.test.ts tests solve).
    for (const n of ["01", "02", "03", "04", "05"]) {
      const chapter = findChapter(n)!;
      const slug = chapter.slug;
      for (const rel of solutionFiles(chapter, copy)) {
        const to = join(copy, "chapters", slug, rel);
        mkdirSync(dirname(to), { recursive: true });
        copyFileSync(join(copy, "solutions", slug, rel), to);
      }
    }
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
