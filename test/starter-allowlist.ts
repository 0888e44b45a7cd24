/**
 * Tests allowed to pass on a chapter's untouched starter.
 *
 * `npm run verify:starters` runs every chapter's tests on a tree where that
 * chapter is the untouched starter, and every test must fail there: a test
 * that passes without the learner's code cannot tell a right answer from no
 * answer. The rare exception (a test of code the chapter is given, such as an
 * error message of shared/) is listed here with its reason.
 */
export interface AllowedStarterPass {
  /** The test file, relative to the repo root. */
  file: string;
  /** The test's full name as vitest reports it ("describe > it"). */
  test: string;
  reason: string;
}

export const STARTER_ALLOWLIST: AllowedStarterPass[] = [];
