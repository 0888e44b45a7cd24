/**
 * Chapter 13, no Docker: lifecycle hooks around a fake runtime. preStop runs
 * before the stop signal and its time comes out of the grace period; a
 * failed hook is an event; a failed postStart kills the container. A small
 * HTTP server plays the apiserver (the pod to read, events to post).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withLifecycleHooks } from "@tree/13-deployments/kubelet/lifecycle-hooks.ts";
import type { Pod } from "../shared/api/index.ts";
import { FakeRuntime } from "../shared/runtime/fake-runtime.ts";
import { TEST_IMAGE } from "../shared/test-image.ts";

const pod: Pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web", namespace: "default", uid: "uid-web" },
  spec: {
    terminationGracePeriodSeconds: 10,
    containers: [
      { name: "ok", image: TEST_IMAGE, lifecycle: { postStart: { exec: { command: ["start-hook"] } }, preStop: { exec: { command: ["stop-hook"] } } } },
      { name: "bad", image: TEST_IMAGE, lifecycle: { postStart: { exec: { command: ["fail"] } }, preStop: { exec: { command: ["fail"] } } } },
      { name: "plain", image: TEST_IMAGE },
    ],
  },
  status: { podIP: "10.88.0.9" },
};

let server: Server;
let url: string;
const events: Array<{ reason: string; message: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      if (req.method === "GET" && req.url === "/api/v1/namespaces/default/pods/web") return res.end(JSON.stringify(pod));
      if (req.method === "POST" && req.url === "/api/v1/namespaces/default/events") {
        events.push(JSON.parse(body));
        res.statusCode = 201;
        return res.end(body);
      }
      res.statusCode = 404;
      res.end(JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404, message: "not found" }));
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

/** A fake runtime that writes down execs and stops, in order, and its wrapped view. */
function setup() {
  const calls: string[] = [];
  const fake = new FakeRuntime({ exec: (_c, command) => (calls.push(`exec ${command.join(" ")}`), { exitCode: command[0] === "fail" ? 1 : 0, stdout: "", stderr: "" }) });
  const stop = fake.stop.bind(fake);
  fake.stop = async (id, grace) => {
    calls.push(`stop ${grace}`);
    return stop(id, grace);
  };
  const runtime = withLifecycleHooks(fake, { server: url });
  const create = (name: string) =>
    runtime.create({
      name: `web-${name}`,
      image: TEST_IMAGE,
      labels: { "io.kubernetes.pod.uid": "uid-web", "io.kubernetes.pod.name": "web", "io.kubernetes.pod.namespace": "default", "io.kubernetes.container.name": name },
    });
  return { fake, runtime, calls, create };
}

describe("13 chapter > lifecycle hooks", () => {
  it("runs postStart after the container starts, and preStop before the stop signal, within the grace period", async () => {
    const { runtime, calls, create } = setup();
    const id = await create("ok");
    await runtime.start(id);
    expect(calls).toEqual(["exec start-hook"]);
    await runtime.stop(id, 10);
    expect(calls.slice(1)).toHaveLength(2);
    expect(calls[1]).toBe("exec stop-hook");
    const grace = Number(calls[2]!.split(" ")[1]);
    expect(grace).toBeGreaterThanOrEqual(2);
    expect(grace).toBeLessThanOrEqual(10);
  });

  it("reports a failed preStop as a FailedPreStopHook event and stops the container anyway", async () => {
    const { runtime, fake, calls, create } = setup();
    const id = await create("bad");
    await fake.start(id);
    events.length = 0;
    await runtime.stop(id, 5);
    expect(calls).toEqual(["exec fail", expect.stringMatching(/^stop \d+$/)]);
    expect(events.map((e) => e.reason)).toEqual(["FailedPreStopHook"]);
    expect((await fake.inspect(id)).state).toBe("exited");
  });

  it("kills a container whose postStart fails, with a FailedPostStartHook event", async () => {
    const { runtime, fake, calls, create } = setup();
    const id = await create("bad");
    events.length = 0;
    await runtime.start(id);
    expect(calls).toEqual(["exec fail", "stop 0"]);
    expect(events.map((e) => e.reason)).toEqual(["FailedPostStartHook"]);
    expect((await fake.inspect(id)).state).toBe("exited");
  });

  it("runs no hook for a container without one, or with a grace period of 0", async () => {
    const { runtime, calls, create } = setup();
    const plain = await create("plain");
    await runtime.start(plain);
    await runtime.stop(plain, 10);
    const ok = await create("ok");
    await runtime.start(ok);
    await runtime.stop(ok, 0);
    expect(calls).toEqual(["stop 10", "exec start-hook", "stop 0"]);
  });
});
