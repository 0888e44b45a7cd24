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
    file: "test/10-services.unit.test.ts",
    test: '10 chapter > the Service resource (given code) > fills in the type, the protocol and the target port',
    reason: "The Service's defaulting and validation are given code since step 10.1 became given (they copy Kubernetes' rules; no decision for the learner).",
  },
  {
    file: "test/10-services.unit.test.ts",
    test: '10 chapter > the Service resource (given code) > accepts the example Service and reports every mistake of a bad one',
    reason: "The Service's defaulting and validation are given code since step 10.1 became given (they copy Kubernetes' rules; no decision for the learner).",
  },
  {
    file: "test/10-services.unit.test.ts",
    test: '10.2 what the proxy serves > puts cluster IPs on the bridge with `ip addr`, and takes them off without minding one already gone',
    reason: "The `ip addr` commands and BridgeAddresses are given code (shell strings, not a mechanism); step 10.3 is the proxy's sync.",
  },
  {
    file: "test/10-services.test.ts",
    test: '10.2 on Docker > puts addresses on a bridge through a short-lived container and takes every one off on close',
    reason: "The `ip addr` commands and BridgeAddresses are given code (shell strings, not a mechanism); step 10.3 is the proxy's sync.",
  },
];
