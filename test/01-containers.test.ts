/**
 * Chapter 01 on a real Docker engine: DockerRuntime creates, runs, stops and
 * inspects real containers, and the kernel's isolation shows from inside them.
 *
 * Every container here is named with d.name() and labelled with d.labels(),
 * and d.cleanup() removes them all, however a test ends.
 *
 * The tests of 01.3 and 01.4 read the container back through the engine
 * (test/harness/engine.ts), not through runtime.inspect() and runtime.logs():
 * those are steps 01.5 and 01.6, and a learner who has just written
 * create/start or stop/remove must be able to see those steps pass.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DockerRuntime } from "@tree/01-containers/docker-runtime.ts";
import { connectDocker } from "../shared/docker.ts";
import { isRuntimeError, type RuntimeErrorCode } from "../shared/runtime/errors.ts";
import { type ContainerSpec, type ContainerStatus } from "../shared/runtime/types.ts";
import { dockerTest } from "./harness/docker.ts";
import { DOCKER_ZERO_TIME, ending, engineView } from "./harness/engine.ts";
import { asTest, waitFor } from "./harness/wait.ts";

const d = dockerTest();
const MiB = 1024 * 1024;
// A registry on the loopback where nothing listens: the pull fails at once, everywhere, without leaving this machine.
const MISSING_IMAGE = "127.0.0.1:1/k8s-workshop/missing-image:does-not-exist";

/** Awaits a rejection and checks it is a RuntimeError with this code and a one-line message. */
async function rejectsWith(promise: Promise<unknown>, code: RuntimeErrorCode): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isRuntimeError(err, code), `expected RuntimeError(${code}), got ${String(err)}`).toBe(true);
  const message = (err as Error).message;
  expect(message, "one line, no stack trace").not.toContain("\n");
  return message;
}

const runtime = new DockerRuntime(connectDocker());
/** The engine's own view of a container, for the tests of 01.3 and 01.4. */
const engine = engineView(connectDocker());
const tempDirs: string[] = [];

// Step 01.1 first: every test below needs the image. When ensureImage
// fails, every test fails with its error (rather than being skipped).
let imageError: unknown;
beforeAll(async () => {
  await runtime.ensureImage(d.image).catch((err: unknown) => (imageError = err));
});
beforeEach(() => {
  if (imageError) throw imageError;
});
afterAll(async () => {
  await d.cleanup();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** Creates (not starts) a container with a unique name and this file's labels. */
function create(prefix: string, spec: Partial<ContainerSpec> = {}): Promise<string> {
  return runtime.create({ image: d.image, ...spec, name: d.name(prefix), labels: d.labels(spec.labels) });
}

async function run(prefix: string, spec: Partial<ContainerSpec> = {}): Promise<string> {
  const id = await create(prefix, spec);
  await runtime.start(id);
  return id;
}

/** `sh -c script` */
const sh = (script: string): Partial<ContainerSpec> => ({ command: ["sh", "-c", script] });

/** Waits with the runtime's own inspect() (step 01.5): for the tests of 01.5 and later. */
async function waitExited(id: string): Promise<ContainerStatus> {
  await runtime.inspect(id); // fails at once (not after the deadline) if inspect is not written yet
  return waitFor(`container ${id.slice(0, 12)} to exit`, async () => {
    const status = await runtime.inspect(id);
    return status.state === "exited" && status;
  });
}

/** A DockerRuntime whose DOCKER_HOST points at a socket where no engine listens. */
async function withEngineDown(check: (down: DockerRuntime, socket: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "no-docker-"));
  tempDirs.push(dir);
  const socket = join(dir, "docker.sock");
  const saved = process.env.DOCKER_HOST;
  process.env.DOCKER_HOST = `unix://${socket}`;
  try {
    await check(new DockerRuntime(connectDocker()), socket);
  } finally {
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
  }
}

/** Runs a script to its end and returns its stdout (read through the engine: 01.3 needs no inspect or logs). */
async function output(prefix: string, spec: Partial<ContainerSpec>): Promise<string> {
  const id = await run(prefix, spec);
  const state = await engine.waitExited(id);
  const logs = await engine.logs(id);
  expect(state.ExitCode, `exit code of ${prefix}; stderr: ${logs.stderr}`).toBe(0);
  return logs.stdout;
}

/**
 * The suites of steps 01.3, 01.4, 01.6 and 01.7 run at once, and so do their
 * tests (describe.concurrent): each test has its own containers, and most of
 * a test is waiting for Docker. Each body gets its own test's name for
 * waitFor (asTest, test/harness/wait.ts). 01.1 and 01.5 run alone: their
 * "engine not running" tests point DOCKER_HOST at a dead socket for a moment.
 */
function test(name: string, body: () => Promise<void>): void {
  it(name, asTest(body));
}

describe.skipIf(!d.available)("01.1 images and the engine", () => {
  it("uses an image that is present without pulling it", async () => {
    const progress: string[] = [];
    await runtime.ensureImage(d.image, (p) => progress.push(p.status));
    expect(progress).toEqual([]);
  });

  it("a missing image that cannot be pulled: ImageNotFound, naming the image and what to do", async () => {
    const message = await rejectsWith(runtime.ensureImage(MISSING_IMAGE), "ImageNotFound");
    expect(message).toContain(MISSING_IMAGE);
    expect(message).toMatch(/docker pull|docker load/);
  });

  it("an engine that is not running: EngineUnavailable, naming the socket and how to start one", async () => {
    await withEngineDown(async (down, socket) => {
      const message = await rejectsWith(down.ensureImage(d.image), "EngineUnavailable");
      expect(message).toContain(socket);
      expect(message).toMatch(/start/);
    });
  });
});

describe.skipIf(!d.available).concurrent("01.3 create and start", () => {
  test("refuses an invalid name before Docker sees it", async () => {
    const message = await rejectsWith(
      runtime.create({ name: "no spaces allowed", image: d.image, labels: d.labels() }),
      "InvalidSpec",
    );
    expect(message).toContain("no spaces allowed");
  });

  test("a missing image: ImageNotFound; a taken name: NameConflict", async () => {
    const missing = await rejectsWith(create("missing", { image: MISSING_IMAGE }), "ImageNotFound");
    expect(missing).toContain(MISSING_IMAGE);

    const name = d.name("taken");
    await runtime.create({ name, image: d.image, labels: d.labels() });
    expect(await rejectsWith(runtime.create({ name, image: d.image, labels: d.labels() }), "NameConflict")).toContain(name);
  });

  test("starting a container that already runs is not an error", async () => {
    // Docker answers 304 Not Modified; the kubelet (chapter 05) may start a container twice after a restart.
    const id = await run("again", { command: ["sleep", "300"] });
    const second = await runtime.start(id).then(
      () => "resolved",
      (err: unknown) => `rejected with ${err instanceof Error ? err.message : String(err)}`,
    );
    expect(second, "expected start() of a running container to resolve (Docker's 304 means: already running)").toBe("resolved");
    expect((await engine.state(id)).Status).toBe("running");
  });

  test("gives the container its own hostname, its own PID 1 and the image's filesystem", async () => {
    const hostFile = join(process.cwd(), "package.json"); // exists on the host, not in the image
    const out = await output("isolated", {
      hostname: "isolated-host",
      env: { GREETING: "hello from env" },
      workingDir: "/tmp",
      ...sh(
        [
          'echo "hostname=$(hostname) file=$(cat /etc/hostname)"',
          'echo "pid=$$"', // the shell is the container's first process
          `echo "host-file=$(test -e ${hostFile} && echo visible || echo hidden)"`,
          'echo "env=$GREETING pwd=$(pwd)"',
          "touch /tmp/made-in-first",
        ].join("; "),
      ),
    });
    expect(out).toContain("hostname=isolated-host file=isolated-host\n");
    expect(out).toContain("pid=1\n");
    expect(out).toContain("host-file=hidden\n");
    expect(out).toContain("env=hello from env pwd=/tmp\n");

    // Another container from the same image starts from the image's layers, not from the first one's changes.
    const second = await output("isolated-2", sh('test -e /tmp/made-in-first && echo "seen" || echo "not-seen"'));
    expect(second).toBe("not-seen\n");
  });

  test("returns the process's exit code, with command replacing the entrypoint and args the image's CMD", async () => {
    // Docker's own State (the runtime's inspect() is step 01.5).
    const viaArgs = await engine.waitExited(await run("exit-args", { args: ["sh", "-c", "exit 3"] }));
    expect(ending(viaArgs)).toBe("exited, exit code 3"); // and not OOM-killed
    // Both times were set: it was started, and it ended. (No order between
    // the two: Docker notes StartedAt after the process started, and
    // `exit 3` can be over by then.)
    expect(viaArgs.StartedAt).not.toBe(DOCKER_ZERO_TIME);
    expect(viaArgs.FinishedAt).not.toBe(DOCKER_ZERO_TIME);

    const viaBoth = await engine.waitExited(await run("exit-both", { command: ["sh", "-c"], args: ["exit 4"] }));
    expect(viaBoth.ExitCode).toBe(4);
  });

  test("puts the limits into the container's cgroups", async () => {
    const out = await output("limits", {
      resources: { memoryBytes: 64 * MiB, cpuMillis: 500 },
      // cgroup v2 files first, then cgroup v1 (this machine's).
      ...sh(
        "cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes; " +
          "cat /sys/fs/cgroup/cpu.max 2>/dev/null || cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us",
      ),
    });
    const [memory, cpu] = out.trim().split("\n");
    expect(memory).toBe(String(64 * MiB));
    expect(cpu).toMatch(/^50000( 100000)?$/); // 50 ms of CPU per 100 ms period: half a core
  });

  test("ends a memory hog at a 32 MiB limit with the OOM killer: exit code 137, oomKilled", async () => {
    const id = await run("hog", { resources: { memoryBytes: 32 * MiB }, command: ["tail", "/dev/zero"] });
    expect(ending(await engine.waitExited(id))).toBe("exited, exit code 137, OOM-killed");
  });

  test("mounts a host directory read-only and a tmpfs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "k8s-workshop-01-"));
    tempDirs.push(dir);
    writeFileSync(join(dir, "hello.txt"), "from the host\n");
    mkdirSync(join(dir, "sub"));
    const out = await output("mounts", {
      mounts: [
        { type: "bind", source: dir, target: "/data", readOnly: true },
        { type: "tmpfs", target: "/scratch" },
      ],
      ...sh(
        [
          "cat /data/hello.txt",
          "touch /data/new 2>/dev/null && echo ro=written || echo ro=refused",
          "echo x > /scratch/f && echo tmpfs=written",
          "grep ' /scratch ' /proc/mounts | cut -d' ' -f3",
        ].join("; "),
      ),
    });
    expect(out).toBe("from the host\nro=refused\ntmpfs=written\ntmpfs\n");
    expect(readdirSync(dir).sort()).toEqual(["hello.txt", "sub"]);
  });
});

describe.skipIf(!d.available).concurrent("01.4 stop and remove", () => {
  test("a process that handles SIGTERM ends the way it chooses", async () => {
    const id = await run("polite", sh('trap "exit 42" TERM; echo ready; while true; do sleep 0.1; done'));
    await engine.waitForStdout(id, "ready\n"); // the trap is set: SIGTERM will not be ignored
    await runtime.stop(id, 30);
    expect(ending(await engine.state(id))).toBe("exited, exit code 42");
  });

  test("a process still busy when the grace period ends is killed: 137", async () => {
    // The handler needs 3 s. With a grace period of 1 s, SIGKILL comes first;
    // with Docker's default of 10 s (if the grace period got lost on the
    // way) the handler would finish and the exit code would be 42.
    const id = await run("slow", sh('trap "sleep 3; exit 42" TERM; echo ready; while true; do sleep 0.1; done'));
    await engine.waitForStdout(id, "ready\n");
    await runtime.stop(id, 1);
    expect(ending(await engine.state(id))).toBe("exited, exit code 137");
  });

  test("a PID 1 that ignores SIGTERM is killed after the grace period: 137", async () => {
    // The kernel does not apply a signal's default action (die) to PID 1 of
    // a namespace: `sleep` has no handler, so SIGTERM does nothing to it.
    const id = await run("stubborn", { command: ["sleep", "300"] });
    await runtime.stop(id, 1);
    expect(ending(await engine.state(id))).toBe("exited, exit code 137");
  });

  test("stopping a container that does not run does nothing", async () => {
    const created = await create("never-started", { command: ["sleep", "300"] });
    await runtime.stop(created, 1);
    expect((await engine.state(created)).Status).toBe("created");

    const done = await run("done", sh("exit 0"));
    const before = await engine.waitExited(done);
    await runtime.stop(done, 1);
    const after = await engine.state(done);
    expect(ending(after)).toBe("exited, exit code 0");
    expect(after.FinishedAt, "stop() of an exited container must leave it as it was").toBe(before.FinishedAt);
  });

  test("removes a running container; removing a missing one is not an error", async () => {
    const id = await run("doomed", { command: ["sleep", "300"] });
    await runtime.remove(id);
    expect(await engine.exists(id), "the engine still knows the container after remove()").toBe(false);
    await runtime.remove(id);
    const left = await engine.list(d.labels());
    expect(left.map((c) => c.Id)).not.toContain(id);
  });
});

describe.skipIf(!d.available)("01.5 list and inspect", () => {
  it("lists the containers that carry every given label, running or not", async () => {
    const alpha = await create("alpha", { labels: { "workshop.test/app": "alpha", "workshop.test/tier": "front" } });
    const beta = await create("beta", { labels: { "workshop.test/app": "beta", "workshop.test/tier": "front" } });
    const ids = async (labels: Record<string, string>) => (await runtime.list(d.labels(labels))).map((c) => c.id).sort();

    expect(await ids({ "workshop.test/app": "alpha" })).toEqual([alpha]);
    expect(await ids({ "workshop.test/tier": "front" })).toEqual([alpha, beta].sort());
    expect(await ids({ "workshop.test/app": "alpha", "workshop.test/tier": "back" })).toEqual([]);

    const [summary] = await runtime.list(d.labels({ "workshop.test/app": "beta" }));
    expect(summary).toMatchObject({ id: beta, image: d.image, state: "created" });
    expect(summary!.name).toMatch(/^beta-/);
    expect(summary!.labels["workshop.test/tier"]).toBe("front");
  });

  it("inspects state, times, pid and the address on the bridge", async () => {
    const created = await create("created", { command: ["sleep", "300"] });
    const fresh = await runtime.inspect(created);
    expect(fresh).toMatchObject({ id: created, state: "created", oomKilled: false });
    expect(fresh.name).toMatch(/^created-/);
    expect(fresh.startedAt).toBeUndefined();
    expect(fresh.exitCode).toBeUndefined();
    expect(fresh.pid).toBeUndefined();

    const onBridge = await run("bridged", { command: ["sleep", "300"] });
    const running = await runtime.inspect(onBridge);
    expect(running).toMatchObject({ state: "running", image: d.image });
    expect(running.ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(running.pid).toBeGreaterThan(0);
    expect(running.startedAt).toBeDefined();
    expect(running.finishedAt).toBeUndefined();
    expect(running.exitCode).toBeUndefined();

    const offline = await run("offline", { command: ["sleep", "300"], networkMode: "none" });
    expect((await runtime.inspect(offline)).ip).toBeUndefined();
  });

  it("an engine that is not running: every call says so, not only ensureImage", async () => {
    await withEngineDown(async (down, socket) => {
      expect(await rejectsWith(down.list(d.labels()), "EngineUnavailable")).toContain(socket);
      await rejectsWith(down.inspect("k8s-workshop-no-such-container"), "EngineUnavailable");
      await rejectsWith(down.create({ name: d.name("never"), image: d.image, labels: d.labels() }), "EngineUnavailable");
    });
  });

  it("an unknown container: ContainerNotFound naming it", async () => {
    expect(await rejectsWith(runtime.inspect("k8s-workshop-no-such-container"), "ContainerNotFound")).toContain(
      "k8s-workshop-no-such-container",
    );
  });
});

describe.skipIf(!d.available).concurrent("01.6 logs", () => {
  test("keeps stdout and stderr apart, in order, and can tail", async () => {
    // stdout and stderr are two pipes that Docker reads in parallel: the
    // pauses keep the three lines in a well-defined order.
    const id = await run("talker", sh("echo out 1; sleep 0.2; echo err 1 >&2; sleep 0.2; echo out 2"));
    await waitExited(id);
    const logs = await runtime.logs(id);
    expect(logs).toEqual([
      { stream: "stdout", text: "out 1\n" },
      { stream: "stderr", text: "err 1\n" },
      { stream: "stdout", text: "out 2\n" },
    ]);
    expect(await runtime.logs(id, { tail: 2 })).toEqual(logs.slice(1));
  });
});

describe.skipIf(!d.available).concurrent("01.7 exec", () => {
  test("runs a command in a running container and returns its exit code and output", async () => {
    const id = await run("shell", { command: ["sleep", "300"], hostname: "exec-host" });
    const result = await runtime.exec(id, ["sh", "-c", "hostname; echo oops >&2; exit 5"]);
    expect(result).toEqual({ exitCode: 5, stdout: "exec-host\n", stderr: "oops\n" });
  });

  test("exec in a container that does not run: NotRunning", async () => {
    const id = await create("asleep", { command: ["sleep", "300"] });
    expect(await rejectsWith(runtime.exec(id, ["true"]), "NotRunning")).toContain(id);
  });

  test("a container can join another's network, IPC and PID namespaces (what a pod is made of)", async () => {
    const owner = await run("owner", {
      hostname: "pod-a",
      ipcMode: "shareable",
      ...sh("mkdir -p /www && echo hello-from-owner > /www/index.html && exec httpd -f -p 127.0.0.1:8080 -h /www"),
    });
    const join = `container:${owner}` as const;
    const guest = await run("guest", { command: ["sleep", "300"], networkMode: join, ipcMode: join, pidMode: join });

    expect((await runtime.exec(guest, ["hostname"])).stdout).toBe("pod-a\n");

    // The owner's server listens on its loopback only; the guest reaches it there.
    const page = await waitFor("the owner's httpd to answer the guest on 127.0.0.1", async () => {
      const r = await runtime.exec(guest, ["wget", "-q", "-O", "-", "http://127.0.0.1:8080/"]);
      return r.exitCode === 0 && r.stdout;
    });
    expect(page).toBe("hello-from-owner\n");
    expect((await runtime.exec(guest, ["ps"])).stdout).toContain("httpd");

    const namespaces = ["sh", "-c", "for n in net ipc pid; do readlink /proc/self/ns/$n; done"];
    const inOwner = await runtime.exec(owner, namespaces);
    const inGuest = await runtime.exec(guest, namespaces);
    expect(inOwner.stdout.trim().split("\n")).toHaveLength(3);
    expect(inGuest.stdout).toBe(inOwner.stdout);

    expect((await runtime.inspect(owner)).ip).toBeDefined();
    expect((await runtime.inspect(guest)).ip).toBeUndefined(); // it uses the owner's
  });
});
