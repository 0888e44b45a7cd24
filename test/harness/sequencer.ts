/**
 * The order in which test files start (vitest.config.ts, sequence.sequencer).
 *
 * The workers share the files, so the run ends when the last long file ends.
 * Long files must start first, short ones fill the gaps at the end.
 * vitest knows the duration of a file it has run before (its cache in
 * node_modules/.vite) and then starts the longest first. A file it has never
 * run, as in CI on a clean clone, it orders by size. Size is a poor guess
 * here: the end-to-end tests of the workshop CLI (test/workshop/) are short
 * files that boot whole clusters, and the unit tests (*.unit.test.ts) are long
 * files that take a second. By size, the slow files started last and ran
 * alone at the end.
 *
 * So, when some file has no recorded duration: the unit tests last (they
 * share worker processes and take seconds in all); before them, the files of
 * test/harness/file-durations.ts, longest first; before those, any file the
 * list does not know (a new file may be a long one). Inside each group,
 * vitest's order stands. With a duration for every file in vitest's cache,
 * vitest's own order (longest first) stands.
 */
import { relative } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { FILE_SECONDS } from "./file-durations.ts";

export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const path = (f: TestSpecification) => relative(this.ctx.config.root, f.moduleId);
    // The cache's key, as vitest's own sequencer makes it.
    const known = (f: TestSpecification) => this.ctx.cache.getFileTestResults(`${f.project.name}:${path(f)}`) !== undefined;
    if (sorted.every(known)) return sorted;
    // Smaller comes first: a file the list does not know (Infinity), then the listed ones by their seconds, unit files last.
    const rank = (f: TestSpecification): number => {
      if (f.moduleId.endsWith(".unit.test.ts")) return 1;
      const seconds = FILE_SECONDS[path(f)];
      return seconds === undefined ? -Infinity : -seconds;
    };
    // Array.prototype.sort is stable: inside a group, vitest's order stays.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}
