/**
 * Tests allowed to wait for a later step in `npm run verify:steps`.
 *
 * The learner's loop is "do step NN.k, run `npm run check NN.k`, see it
 * pass", so a test named NN.k must pass once steps up to NN.k are done. The
 * rare exception is a test that checks step NN.k's concept through the whole
 * component on purpose, and is named NN.k so that `npm run mutate` blames
 * the right step. It is listed here with the later step it needs and why.
 * verify:steps excuses it only when it failed by reaching that later step's
 * todo(), and only when the step still has a test of its own that passes.
 */
export interface AllowedStepWait {
  /** The test file, relative to the repo root. */
  file: string;
  /** The test's full name as vitest reports it ("describe > it"). */
  test: string;
  /** The later step it needs, e.g. "09.11". */
  waitsFor: string;
  reason: string;
}

/**
 * Chapter 09's hollow-node tests run the whole scheduler (queue, cycle,
 * binding) against an apiserver. The lesson says so ("a step is done when
 * its unit tests pass"), and each is named for the plugin or part it
 * checks, so that a mistake there is blamed on its own step.
 */
const HOLLOW = "runs the whole scheduler loop on hollow nodes on purpose; the step's own unit tests pass without 09.11";

export const STEP_ALLOWLIST: AllowedStepWait[] = [
  {
    file: "test/09-scheduler.test.ts",
    test: "09.1 hollow nodes > respects requests: a full node takes no more",
    waitsFor: "09.11",
    reason: HOLLOW,
  },
  {
    file: "test/09-scheduler.test.ts",
    test: "09.3 hollow nodes > taints, cordoned nodes and host ports",
    waitsFor: "09.11",
    reason: HOLLOW,
  },
  {
    file: "test/09-scheduler.test.ts",
    test: "09.6 hollow nodes > spreads the replicas of one controller over the nodes",
    waitsFor: "09.11",
    reason: HOLLOW,
  },
  {
    file: "test/09-scheduler.test.ts",
    test: "09.7 hollow nodes > a plugin added through the options filters like the default ones",
    waitsFor: "09.11",
    reason: HOLLOW,
  },
  {
    file: "test/09-scheduler.test.ts",
    test: "09.9 hollow nodes > binds a pod through the binding subresource, and records a Scheduled event",
    waitsFor: "09.11",
    reason: HOLLOW,
  },
  {
    file: "test/09-scheduler.test.ts",
    test: "09.9 hollow nodes > places 1000 pods on 200 hollow nodes without overcommitting any",
    waitsFor: "09.11",
    reason: HOLLOW,
  },
  {
    file: "test/09-scheduler.test.ts",
    test: "09.10 hollow nodes > an impossible pod gets PodScheduled=False with Kubernetes' message and a FailedScheduling event",
    waitsFor: "09.11",
    reason: HOLLOW,
  },
];
