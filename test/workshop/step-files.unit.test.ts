/**
 * workshop/runner.ts, stepTestFiles(): the files `npm run check NN.k` and
 * `npm run verify:steps` load for a step. A file names a step in its own test
 * titles, or through a shared suite it runs (test/02-etcd.test.ts runs the
 * store behaviour suite, whose compaction test is step 02.5's only test).
 */
import { expect, it } from "vitest";
import { resolveChapter } from "../../workshop/resolve.ts";
import { stepTestFiles } from "../../workshop/runner.ts";

it("finds the file that runs a shared suite for a step named only in the suite (02.5)", () => {
  expect(stepTestFiles(resolveChapter("02"), "02.5")).toEqual(["test/02-etcd.test.ts"]);
});

it("does not load a file that only borrows helpers of the suite (the durability tests, for 02.2)", () => {
  expect(stepTestFiles(resolveChapter("02"), "02.2")).toEqual(["test/02-etcd.test.ts"]);
});

it("still finds a step named in the test file itself (03.4)", () => {
  expect(stepTestFiles(resolveChapter("03"), "03.4")).toEqual(["test/03-status.unit.test.ts"]);
});
