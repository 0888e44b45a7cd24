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

export const STARTER_ALLOWLIST: AllowedStarterPass[] = [
  {
    file: "test/13-lifecycle.unit.test.ts",
    test: "13 chapter > lifecycle hooks > runs postStart after the container starts, and preStop before the stop signal, within the grace period",
    reason: "lifecycle hooks are given code in chapter 13 (kubelet/lifecycle-hooks.ts); the learner's steps are the deployment controller",
  },
  {
    file: "test/13-lifecycle.unit.test.ts",
    test: "13 chapter > lifecycle hooks > reports a failed preStop as a FailedPreStopHook event and stops the container anyway",
    reason: "lifecycle hooks are given code in chapter 13 (kubelet/lifecycle-hooks.ts); the learner's steps are the deployment controller",
  },
  {
    file: "test/13-lifecycle.unit.test.ts",
    test: "13 chapter > lifecycle hooks > kills a container whose postStart fails, with a FailedPostStartHook event",
    reason: "lifecycle hooks are given code in chapter 13 (kubelet/lifecycle-hooks.ts); the learner's steps are the deployment controller",
  },
  {
    file: "test/13-lifecycle.unit.test.ts",
    test: "13 chapter > lifecycle hooks > runs no hook for a container without one, or with a grace period of 0",
    reason: "lifecycle hooks are given code in chapter 13 (kubelet/lifecycle-hooks.ts); the learner's steps are the deployment controller",
  },
];
