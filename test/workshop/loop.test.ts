/**
 * The learner loop's parts that need no cluster: strict arguments and --help,
 * colours, the pass record, step ids of test names, and the sweeper's choice
 * of what is dead.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { findChapter, REPO_ROOT } from "../../shared/chapters.ts";
import { CHECKOUT_LABEL, connectDocker, HOST_LABEL, PID_LABEL, RUN_LABEL } from "../../shared/docker.ts";
import { TEST_IMAGE } from "../../shared/test-image.ts";
import { brief, mayWaitFor, stepOf, waitsFor } from "../../workshop/check.ts";
import { codeHash, standing, testsHash } from "../../workshop/record.ts";
import { sweepDeadRuns, sweepLine } from "../../workshop/sweeper.ts";
import { colourWanted } from "../../workshop/ui.ts";
import { nodeVersion } from "../../workshop/doctor.ts";
import { hostname } from "node:os";

function cli(...args: string[]) {
  const started = Date.now();
  const r = spawnSync(process.execPath, ["--import", "tsx", join(REPO_ROOT, "workshop", "cli.ts"), ...args], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr, ms: Date.now() - started };
}

describe("arguments", () => {
  for (const command of ["check", "up", "watch", "hint", "solve", "reset", "progress", "image", "doctor"]) {
    it(`${command} --help prints its own usage, exits 0 and runs nothing`, () => {
      const r = cli(command, "--help");
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`^usage: ${command === "up" ? "npm start" : `npm run ${command}`}\\b`));
      expect(r.out).not.toMatch(/chapter\s+tests\s+result|The cluster is up|Hint 1 of/);
      expect(r.err).toBe("");
    });
  }

  it("an unknown flag is one line that lists the valid ones", () => {
    const r = cli("check", "--bogus");
    expect(r.code).toBe(1);
    expect(r.err.trim()).toBe(
      "error: unknown option --bogus for npm run check: valid options are --help, --all, --challenges, --verbose",
    );
  });

  it("a flag that needs a value, and one argument too many, are one line each", () => {
    const port = cli("up", "--port");
    expect(port.code).toBe(1);
    expect(port.err.trim()).toBe("error: --port needs a value (see npm start -- --help)");
    const extra = cli("check", "01", "02");
    expect(extra.code).toBe(1);
    expect(extra.err.trim().split("\n")).toHaveLength(1);
  });

  it("npm run help lists every command", () => {
    const r = cli("help");
    expect(r.code).toBe(0);
    for (const name of ["check", "watch", "hint", "solve", "reset", "progress", "doctor", "npm start"])
      expect(r.out).toContain(name);
  });

  it("a step of a chapter that does not exist names the chapter", () => {
    const r = cli("hint", "99.1");
    expect(r.code).toBe(1);
    expect(r.err.trim()).toMatch(/^error: there is no chapter "99"/);
  });
});

describe("colours", () => {
  it("FORCE_COLOR turns them on in a pipe, NO_COLOR off on a terminal, FORCE_COLOR=0 off", () => {
    expect(colourWanted({}, true)).toBe(true);
    expect(colourWanted({}, false)).toBe(false);
    expect(colourWanted({ NO_COLOR: "1" }, true)).toBe(false);
    expect(colourWanted({ FORCE_COLOR: "1" }, false)).toBe(true);
    expect(colourWanted({ FORCE_COLOR: "0" }, true)).toBe(false);
    expect(colourWanted({ FORCE_COLOR: "1", NO_COLOR: "1" }, false)).toBe(true);
  });
});

describe("doctor", () => {
  it("compares Node's version with package.json engines and says how to fix it", () => {
    expect(nodeVersion("18.19.0").ok).toBe(false);
    expect(nodeVersion("18.19.0").fix).toMatch(/install Node/);
    expect(nodeVersion(process.versions.node).ok).toBe(true);
    expect(nodeVersion("99.0.0").ok).toBe(true);
  });
});

describe("test names belong to steps", () => {
  it("reads the step from the start of a test's full name", () => {
    expect(stepOf("05.2 the kubelet > starts the pause container")).toBe("05.2");
    expect(stepOf("09.11 binds")).toBe("09.11");
    expect(stepOf("05 chapter > a pod runs")).toBe("05 chapter");
    expect(stepOf("the kubelet > 05.2 starts")).toBeUndefined();
  });

  it("a test that ran into a LATER step's todo() waits for that step; its own or an earlier one's is its own failure", () => {
    const chapter = findChapter("09")!;
    const failed = (name: string, message: string) => ({ file: "t.ts", name, status: "failed" as const, durationMs: 1, message });
    const todo = (step: string) => `not implemented yet: TODO(${step}), see chapters/09-scheduler/README.md`;
    expect(waitsFor(chapter, failed("09.1 hollow nodes > a full node takes no more", todo("09.11")))).toBe("09.11");
    expect(waitsFor(chapter, failed("09.1 NodeResourcesFit > too many pods", todo("09.1")))).toBeUndefined();
    expect(waitsFor(chapter, failed("09.9 binds", `${todo("09.11")}\n${todo("09.2")}`))).toBeUndefined();
    expect(waitsFor(chapter, failed("09.9 binds", "expected 1 to be 2"))).toBeUndefined();
    expect(waitsFor(chapter, failed("09 chapter > hollow nodes", todo("09.11")))).toBeUndefined();
    expect(waitsFor(chapter, failed("09.1 uses chapter 08", "not implemented yet: TODO(08.3)"))).toBeUndefined();
  });

  it("a test that failed without an error of its own may wait for a later step whose todo() the run reached (a component caught it)", () => {
    const chapter = findChapter("16")!;
    const failed = (name: string, message: string) => ({ file: "t.ts", name, status: "failed" as const, durationMs: 1, message });
    const timeout = "Error: a never wrote the lease (timed out after 5000 ms)";
    expect(mayWaitFor(chapter, failed("16.1 a follower measures the lease", timeout), ["16.4", "16.2"])).toBe("16.2");
    // Only later steps of this chapter count; an earlier one or its own is the test's own business.
    expect(mayWaitFor(chapter, failed("16.3 b takes over", timeout), ["16.1", "16.3", "15.2"])).toBeUndefined();
    expect(mayWaitFor(chapter, failed("16.1 a follower measures the lease", timeout), [])).toBeUndefined();
    // A fresh chapter reaches every todo(): the test's own step explains its failure first.
    expect(mayWaitFor(chapter, failed("16.3 b takes over", timeout), ["16.4", "16.1", "16.2", "16.3"])).toBeUndefined();
    expect(mayWaitFor(chapter, failed("16.3 b takes over", timeout), ["16.4", "16.3"])).toBeUndefined();
    // A test whose message names a todo() is judged by that (waitsFor), not by what the run reached.
    const named = "not implemented yet: TODO(16.1), see chapters/16-high-availability/README.md";
    expect(mayWaitFor(chapter, failed("16.1 a follower measures the lease", named), ["16.2"])).toBeUndefined();
    expect(mayWaitFor(chapter, failed("16 chapter > the scheduler fails over", timeout), ["16.2"])).toBeUndefined();
  });
});

it("a failure in brief shows the lines of its diff that differ, not the legend", () => {
  const diff = [
    "AssertionError: expected { startedAt: '2024-05-01T10:00:01.5Z' } to deeply equal { …(1) }",
    "",
    "- Expected",
    "+ Received",
    "",
    "  {",
    '-   "startedAt": "2024-05-01T10:00:01.500Z",',
    '+   "startedAt": "2024-05-01T10:00:01.5Z",',
    "  }",
  ].join("\n");
  expect(brief(diff)).toEqual([
    "AssertionError: expected { startedAt: '2024-05-01T10:00:01.5Z' } to deeply equal { …(1) }",
    '-   "startedAt": "2024-05-01T10:00:01.500Z",',
    '+   "startedAt": "2024-05-01T10:00:01.5Z",',
  ]);
  expect(brief("Error: timed out after 5000 ms\n\n  at wait (wait.ts:1)\n  at x")).toEqual([
    "Error: timed out after 5000 ms",
    "  at wait (wait.ts:1)",
    "  at x",
  ]);
});

describe("the pass record", () => {
  const chapter = findChapter("01")!;
  const root = mkdtempSync(join(tmpdir(), "k8s-workshop-record-"));
  const write = (rel: string, text: string) => {
    mkdirSync(join(root, rel, ".."), { recursive: true });
    writeFileSync(join(root, rel), text);
  };
  write("solutions/01-containers/runtime.ts", "export const answer = 42;\n");
  write("chapters/01-containers/runtime.ts", "export const answer = 42;\n");
  write("chapters/01-containers/README.md", "the lesson differs from nothing: only .ts files count\n");
  write("test/01-containers.test.ts", "// tests\n");
  const state = { checks: {}, hints: {} };

  it("a chapter identical to the reference passes as the reference", () => {
    expect(standing(chapter, state, root)).toEqual({ kind: "reference" });
  });

  it("a changed chapter runs, unless its code and tests are the ones that last passed", () => {
    write("chapters/01-containers/runtime.ts", "export const answer = 41 + 1;\n");
    expect(standing(chapter, state, root)).toEqual({ kind: "changed" });
    const record = {
      passed: 3,
      total: 3,
      ok: true,
      at: "2026-11-29T08:00:00.000Z",
      codeHash: codeHash(chapter, join(root, "chapters")),
      testsHash: testsHash(chapter, root),
    };
    const recorded = { checks: { "01-containers": record }, hints: {} };
    expect(standing(chapter, recorded, root)).toEqual({ kind: "unchanged", since: record.at });
    write("test/01-containers.test.ts", "// newer tests\n");
    expect(standing(chapter, recorded, root)).toEqual({ kind: "changed" });
    const failed = { checks: { "01-containers": { ...record, ok: false, testsHash: testsHash(chapter, root) } }, hints: {} };
    expect(standing(chapter, failed, root)).toEqual({ kind: "changed" });
    rmSync(root, { recursive: true, force: true });
  });
});

describe.skipIf(!inject("dockerAvailable"))("the sweeper", () => {
  it("removes the objects of a checkout's dead runs only, and says so in one line", async () => {
    const docker = connectDocker();
    const checkout = `/nonexistent/sweeper-test-${process.pid}-${Date.now()}`;
    const labels = (pid: number, run: string) => ({
      [RUN_LABEL]: run,
      [PID_LABEL]: String(pid),
      [HOST_LABEL]: hostname(),
      [CHECKOUT_LABEL]: checkout,
    });
    const dead = await docker.createContainer({ Image: TEST_IMAGE, Cmd: ["true"], Labels: labels(999_999_999, "dead-run") });
    const live = await docker.createContainer({ Image: TEST_IMAGE, Cmd: ["true"], Labels: labels(process.pid, "live-run") });
    try {
      const removed = await sweepDeadRuns(docker, { checkout });
      expect(removed.containers).toHaveLength(1);
      expect([...removed.runs.keys()]).toEqual(["dead-run"]);
      expect(sweepLine(removed)).toBe("removed what an earlier run left behind (pid 999999999, no longer running): 1 container");
      await expect(dead.inspect()).rejects.toThrow();
      expect((await live.inspect()).Id).toBe(live.id);
      expect(sweepLine(await sweepDeadRuns(docker, { checkout }))).toBeUndefined();
    } finally {
      await dead.remove({ force: true }).catch(() => {});
      await live.remove({ force: true }).catch(() => {});
    }
  });
});

describe("the sweeper and a network Docker refuses to remove", () => {
  it("reports the network and goes on, instead of failing the start", async () => {
    // An engine that lists one dead run's network but answers 403 to its
    // removal, as Docker does for a network with a stale endpoint.
    const refusal = Object.assign(new Error("(HTTP code 403) unexpected"), {
      statusCode: 403,
      json: { message: "error while removing network: network k8s-workshop-0badf00d has active endpoints" },
    });
    const labels = { [RUN_LABEL]: "dead-run", [PID_LABEL]: "999999999", [HOST_LABEL]: hostname(), [CHECKOUT_LABEL]: "/x" };
    const engine = {
      listContainers: async () => [],
      listNetworks: async () => [{ Id: "0badf00d".repeat(8), Name: "k8s-workshop-0badf00d", Labels: labels }],
      getNetwork: () => ({ inspect: async () => ({ Containers: {} }), remove: async () => Promise.reject(refusal) }),
    } as unknown as Parameters<typeof sweepDeadRuns>[0];
    const removed = await sweepDeadRuns(engine, { checkout: "/x", alive: () => false });
    expect(removed.networks).toEqual([]);
    expect(sweepLine(removed)).toBe(
      "could not remove what an earlier run left behind (pid 999999999, no longer running): network " +
        "k8s-workshop-0badf00d (Docker: error while removing network: network k8s-workshop-0badf00d has active endpoints): " +
        "restart the Docker engine to clear it",
    );
  });
});
