/**
 * The order in which test files start (vitest.config.ts, sequence.sequencer).
 *
 * Two workers share the files, so the run ends when the last long file ends.
 * Long files must start first, short ones fill the gaps at the end.
 * vitest knows the duration of a file it has run before (its cache in
 * node_modules/.vite) and then starts the longest first. A file it has never
 * run, as in CI on a clean clone, it orders by size. Size is a poor guess
 * here: the end-to-end tests of the workshop CLI (test/workshop/) are short
 * files that boot whole clusters, and the unit tests (*.unit.test.ts) are long
 * files that take a second. By size, the slow files started last and ran
 * alone at the end.
 *
 * So, when some file has no recorded duration: test/workshop/ first, then the
 * chapters' cluster tests, then the unit tests, each group in vitest's order.
 * With a duration for every file, vitest's own order (longest first) stands.
 */
import { relative } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

const group = (file: TestSpecification): number => {
  if (file.moduleId.endsWith(".unit.test.ts")) return 2;
  return file.moduleId.includes("/test/workshop/") ? 0 : 1;
};

export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    // The cache's key, as vitest's own sequencer makes it.
    const known = (f: TestSpecification) =>
      this.ctx.cache.getFileTestResults(`${f.project.name}:${relative(this.ctx.config.root, f.moduleId)}`) !== undefined;
    if (sorted.every(known)) return sorted;
    // Array.prototype.sort is stable: inside a group, vitest's order stays.
    return sorted.sort((a, b) => group(a) - group(b));
  }
}
