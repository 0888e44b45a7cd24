/**
 * The hollow runtime (shared/runtime/fake-runtime.ts) must behave like
 * DockerRuntime wherever a caller can tell: states, errors, names, labels,
 * logs, exec. Later chapters trust it to stand in for Docker at scale.
 */
import { describe, expect, it } from "vitest";
import { FakeRuntime } from "../../shared/runtime/fake-runtime.ts";
import { isRuntimeError, type RuntimeErrorCode } from "../../shared/runtime/errors.ts";
import { logText, type ContainerSpec } from "../../shared/runtime/types.ts";
import { TEST_IMAGE } from "../../shared/test-image.ts";

async function rejectsWith(promise: Promise<unknown>, code: RuntimeErrorCode): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isRuntimeError(err, code), `expected RuntimeError(${code}), got ${String(err)}`).toBe(true);
  const message = (err as Error).message;
  expect(message).not.toContain("\n");
  return message;
}

/** A clock that moves one second per call, so timestamps are predictable. */
function tickingClock(start = Date.parse("2024-01-01T00:00:00Z")) {
  let t = start;
  return () => new Date((t += 1000));
}

const spec = (name: string, extra: Partial<ContainerSpec> = {}): ContainerSpec => ({ name, image: TEST_IMAGE, ...extra });

describe("FakeRuntime", () => {
  it("walks a container through created -> running -> exited with timestamps and an address", async () => {
    const fake = new FakeRuntime({ now: tickingClock() });
    const id = await fake.create(spec("web", { labels: { app: "web" } }));
    const created = await fake.inspect(id);
    expect(created).toMatchObject({ id, name: "web", image: TEST_IMAGE, state: "created", labels: { app: "web" } });
    expect(created.createdAt).toBe("2024-01-01T00:00:01.000Z");
    expect(created.startedAt).toBeUndefined();
    expect(created.ip).toBeUndefined();

    await fake.start(id);
    const running = await fake.inspect(id);
    expect(running.state).toBe("running");
    expect(running.startedAt).toBe("2024-01-01T00:00:02.000Z");
    expect(running.ip).toMatch(/^10\.88\.\d+\.\d+$/);
    expect(running.pid).toBeGreaterThan(0);
    expect(running.exitCode).toBeUndefined();

    fake.exit(id, 3);
    const exited = await fake.inspect(id);
    expect(exited).toMatchObject({ state: "exited", exitCode: 3, oomKilled: false });
    expect(exited.finishedAt).toBe("2024-01-01T00:00:03.000Z");
    expect(exited.ip).toBeUndefined();
    expect(exited.pid).toBeUndefined();
  });

  it("gives running containers distinct addresses and reuses freed ones", async () => {
    const fake = new FakeRuntime();
    const ips = new Set<string>();
    const ids: string[] = [];
    for (let i = 0; i < 300; i++) {
      const id = await fake.create(spec(`c-${i}`));
      await fake.start(id);
      ids.push(id);
      ips.add((await fake.inspect(id)).ip!);
    }
    expect(ips.size).toBe(300);
    await fake.remove(ids[0]!);
    const again = await fake.create(spec("again"));
    await fake.start(again);
    expect(ips.has((await fake.inspect(again)).ip!)).toBe(false); // round robin: a fresh one first
  });

  it("gives no own address with networkMode none or a joined network", async () => {
    const fake = new FakeRuntime();
    const owner = await fake.create(spec("owner", { ipcMode: "shareable" }));
    const lonely = await fake.create(spec("lonely", { networkMode: "none" }));
    const joiner = await fake.create(
      spec("joiner", { networkMode: `container:${owner}`, ipcMode: `container:${owner}`, pidMode: `container:${owner}` }),
    );
    await fake.start(owner);
    await fake.start(lonely);
    await fake.start(joiner);
    expect((await fake.inspect(owner)).ip).toBeDefined();
    expect((await fake.inspect(lonely)).ip).toBeUndefined();
    expect((await fake.inspect(joiner)).ip).toBeUndefined();
  });

  it("refuses to join the namespaces of a container that does not run, or an IPC namespace that is not shareable", async () => {
    const fake = new FakeRuntime();
    const owner = await fake.create(spec("owner"));
    const joiner = await fake.create(spec("joiner", { networkMode: `container:${owner}`, ipcMode: `container:${owner}` }));
    expect(await rejectsWith(fake.start(joiner), "NotRunning")).toContain("owner");
    await fake.start(owner);
    expect(await rejectsWith(fake.start(joiner), "InvalidSpec")).toContain("shareable");
  });

  it("knows its images: ensureImage of an unknown image and create with it fail clearly", async () => {
    const fake = new FakeRuntime({ registry: ["nginx:1.27"] });
    await fake.ensureImage(TEST_IMAGE);
    expect(await rejectsWith(fake.ensureImage("nope:1"), "ImageNotFound")).toContain("nope:1");
    expect(await rejectsWith(fake.create(spec("x1", { image: "nginx:1.27" })), "ImageNotFound")).toContain("nginx:1.27");

    const progress: string[] = [];
    await fake.ensureImage("nginx:1.27", (p) => progress.push(p.status));
    expect(progress).toEqual(["pulling", "pulled"]);
    expect(fake.hasImage("nginx:1.27")).toBe(true);
    await fake.create(spec("x1", { image: "nginx:1.27" }));
  });

  it("rejects a taken name, an invalid name and a hostname with a joined network", async () => {
    const fake = new FakeRuntime();
    await fake.create(spec("taken"));
    expect(await rejectsWith(fake.create(spec("taken")), "NameConflict")).toContain("taken");
    expect(await rejectsWith(fake.create(spec("bad name!")), "InvalidSpec")).toContain("bad name!");
    await rejectsWith(fake.create(spec("h1", { hostname: "h", networkMode: "container:taken" })), "InvalidSpec");
  });

  it("frees the name on remove; removing twice is fine; a removed container is not found", async () => {
    const fake = new FakeRuntime();
    const id = await fake.create(spec("once"));
    await fake.start(id);
    await fake.remove(id);
    await fake.remove(id);
    await rejectsWith(fake.inspect(id), "ContainerNotFound");
    await rejectsWith(fake.start(id), "ContainerNotFound");
    await fake.create(spec("once"));
  });

  it("finds containers by id, name or a unique id prefix", async () => {
    const fake = new FakeRuntime();
    const id = await fake.create(spec("named"));
    expect((await fake.inspect("named")).id).toBe(id);
    expect((await fake.inspect(id.slice(0, 12))).id).toBe(id);
  });

  it("stops: a no-op unless running; the exit code says how the process ended", async () => {
    const fake = new FakeRuntime();
    const polite = await fake.create(spec("polite"));
    const stubborn = await fake.create(spec("stubborn"));
    await fake.stop(polite, 5); // created: nothing to do
    expect((await fake.inspect(polite)).state).toBe("created");

    await fake.start(polite);
    await fake.start(stubborn);
    fake.setStopExitCode(stubborn, 137);
    await fake.stop(polite, 5);
    await fake.stop(stubborn, 5);
    expect(await fake.inspect(polite)).toMatchObject({ state: "exited", exitCode: 0 });
    expect(await fake.inspect(stubborn)).toMatchObject({ state: "exited", exitCode: 137 });

    const finishedAt = (await fake.inspect(polite)).finishedAt;
    await fake.stop(polite, 5); // exited: nothing to do
    expect((await fake.inspect(polite)).finishedAt).toBe(finishedAt);
  });

  it("restarts an exited container with a fresh start", async () => {
    const fake = new FakeRuntime({ now: tickingClock() });
    const id = await fake.create(spec("again"));
    await fake.start(id);
    fake.exit(id, 1);
    await fake.start(id);
    const status = await fake.inspect(id);
    expect(status).toMatchObject({ state: "running", exitCode: undefined, finishedAt: undefined });
    expect(status.startedAt).toBe("2024-01-01T00:00:04.000Z");
  });

  it("OOM-kills on request: exit code 137 and oomKilled", async () => {
    const fake = new FakeRuntime();
    const id = await fake.create(spec("hog", { resources: { memoryBytes: 32 * 1024 * 1024 } }));
    expect(() => fake.oomKill(id)).toThrow(/not running/);
    await fake.start(id);
    fake.oomKill(id);
    expect(await fake.inspect(id)).toMatchObject({ state: "exited", exitCode: 137, oomKilled: true });
  });

  it("lists by every given label, including stopped containers", async () => {
    const fake = new FakeRuntime();
    const a = await fake.create(spec("aa", { labels: { app: "web", tier: "front" } }));
    const b = await fake.create(spec("bb", { labels: { app: "web", tier: "back" } }));
    await fake.create(spec("cc", { labels: { app: "db" } }));
    await fake.start(b);
    fake.exit(b, 0);
    const names = async (labels?: Record<string, string>) => (await fake.list(labels)).map((c) => c.name).sort();
    expect(await names({ app: "web" })).toEqual(["aa", "bb"]);
    expect(await names({ app: "web", tier: "front" })).toEqual(["aa"]);
    expect(await names({ app: "nothing" })).toEqual([]);
    expect(await names()).toEqual(["aa", "bb", "cc"]);
    expect((await fake.list({ tier: "front" }))[0]).toEqual({
      id: a,
      name: "aa",
      image: TEST_IMAGE,
      labels: { app: "web", tier: "front" },
      state: "created",
    });
  });

  it("does not let callers change its state through returned objects or the spec they passed", async () => {
    const fake = new FakeRuntime();
    const labels = { app: "web" };
    const id = await fake.create(spec("safe", { labels }));
    labels.app = "changed";
    (await fake.inspect(id)).labels.app = "changed too";
    expect((await fake.inspect(id)).labels).toEqual({ app: "web" });
  });

  it("records logs per line and per stream, with tail", async () => {
    const fake = new FakeRuntime();
    const id = await fake.create(spec("talker"));
    await fake.start(id);
    fake.writeLog(id, "stdout", "one\ntwo\n");
    fake.writeLog(id, "stderr", "oops\n");
    fake.writeLog(id, "stdout", "three");
    const all = await fake.logs(id);
    expect(all).toEqual([
      { stream: "stdout", text: "one\n" },
      { stream: "stdout", text: "two\n" },
      { stream: "stderr", text: "oops\n" },
      { stream: "stdout", text: "three" },
    ]);
    expect(logText(all, "stderr")).toBe("oops\n");
    expect(await fake.logs(id, { tail: 2 })).toEqual(all.slice(2));
    expect(await fake.logs(id, { tail: 0 })).toEqual([]);
  });

  it("execs only in a running container, with a configurable result", async () => {
    const seen: string[][] = [];
    const fake = new FakeRuntime({
      exec: (c, command) => {
        seen.push(command);
        return { exitCode: 7, stdout: `${c.name}\n`, stderr: "" };
      },
    });
    const id = await fake.create(spec("shell"));
    expect(await rejectsWith(fake.exec(id, ["hostname"]), "NotRunning")).toContain("shell");
    await fake.start(id);
    expect(await fake.exec(id, ["hostname"])).toEqual({ exitCode: 7, stdout: "shell\n", stderr: "" });
    expect(seen).toEqual([["hostname"]]);
    fake.setExecHandler(() => ({ exitCode: 0, stdout: "", stderr: "changed" }));
    expect((await fake.exec(id, ["true"])).stderr).toBe("changed");
  });

  it("calls onStart so a test can script what the process does", async () => {
    const fake: FakeRuntime = new FakeRuntime({
      onStart: (id, s) => {
        fake.writeLog(id, "stdout", `hello from ${s.name}\n`);
        if (s.labels?.crash) fake.exit(id, 1);
      },
    });
    const ok = await fake.create(spec("ok"));
    const crash = await fake.create(spec("crash", { labels: { crash: "yes" } }));
    await fake.start(ok);
    await fake.start(crash);
    expect((await fake.inspect(ok)).state).toBe("running");
    expect(await fake.inspect(crash)).toMatchObject({ state: "exited", exitCode: 1 });
    expect(logText(await fake.logs(crash))).toBe("hello from crash\n");
  });

  it("behaves like a stopped engine when switched off", async () => {
    const fake = new FakeRuntime({ name: "node-7" });
    const id = await fake.create(spec("before"));
    fake.setEngineAvailable(false);
    expect(await rejectsWith(fake.ping(), "EngineUnavailable")).toContain("node-7");
    await rejectsWith(fake.inspect(id), "EngineUnavailable");
    await rejectsWith(fake.create(spec("during")), "EngineUnavailable");
    fake.setEngineAvailable(true);
    expect((await fake.inspect(id)).name).toBe("before");
  });

  it("holds thousands of containers", async () => {
    const fake = new FakeRuntime();
    for (let i = 0; i < 3000; i++) {
      const id = await fake.create(spec(`pod-${i}`, { labels: { node: `node-${i % 100}` } }));
      await fake.start(id);
    }
    expect(await fake.list({ node: "node-42" })).toHaveLength(30);
    expect(new Set((await fake.list()).map((c) => c.id)).size).toBe(3000);
  });
});
