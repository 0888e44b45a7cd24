/**
 * The workshop's vitest reporter (workshop/reporter.ts), on two tiny test
 * files run by a vitest of their own: a hook that fails before its tests is
 * reported once, with the tests it stopped; an error no test owns (a failing
 * afterAll) is still reported as an error of its file.
 *
 * On an untouched starter, a cluster test's beforeAll runs into a todo():
 * before, `npm run check` printed that error once per test file as well as
 * under every test, and the first check of a chapter looked broken.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { REPO_ROOT } from "../../shared/chapters.ts";
import type { ReportedRun } from "../../workshop/reporter.ts";

let dir = "";
let run: ReportedRun;

beforeAll(async () => {
  const scratch = join(REPO_ROOT, ".workshop");
  mkdirSync(scratch, { recursive: true });
  dir = mkdtempSync(join(scratch, "reporter-test-"));
  writeFileSync(join(dir, "vitest.config.mjs"), "export default {};\n");
  writeFileSync(
    join(dir, "hook.test.ts"),
    [
      'import { beforeAll, it } from "vitest";',
      'beforeAll(() => { throw new Error("not implemented yet: TODO(03.3)"); });',
      'it("03.1 first", () => {});',
      'it("03.2 second", () => {});',
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(dir, "teardown.test.ts"),
    [
      'import { afterAll, it } from "vitest";',
      'afterAll(() => { throw new Error("teardown broke"); });',
      'it("03.4 passes", () => {});',
      "",
    ].join("\n"),
  );
  const vitest = join(dirname(createRequire(import.meta.url).resolve("vitest/package.json")), "vitest.mjs");
  const results = join(dir, "results.json");
  const args = [
    vitest,
    "run",
    "--config",
    join(dir, "vitest.config.mjs"),
    `--reporter=${join(REPO_ROOT, "workshop", "reporter.ts")}`,
  ];
  await new Promise<void>((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: dir,
      env: { ...process.env, WORKSHOP_RESULTS_FILE: results, FORCE_COLOR: "0" },
      stdio: "ignore",
    });
    child.on("close", () => resolve());
  });
  run = JSON.parse(readFileSync(results, "utf8")) as ReportedRun;
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it("reporter: a failing beforeAll fails the tests it stopped, with its message, and is not also a load error", () => {
  const hooked = run.tests.filter((t) => t.file === "hook.test.ts");
  expect(hooked.map((t) => `${t.name}: ${t.status}`)).toEqual(["03.1 first: failed", "03.2 second: failed"]);
  for (const t of hooked) expect(t.message).toContain("TODO(03.3)");
  expect(
    run.errors.filter((e) => e.includes("TODO(03.3)")),
    "errors outside the tests that mention the hook's error",
  ).toEqual([]);
});

it("reporter: an error that no test owns (a failing afterAll) is still reported, with its file", () => {
  expect(run.tests.find((t) => t.file === "teardown.test.ts")?.status).toBe("passed");
  expect(run.errors).toEqual(["teardown.test.ts: teardown broke"]);
});
