/**
 * Chapter 12 without a cluster: the probe handlers against servers on
 * loopback and a fake runtime, the thresholds, and the pure parts of the
 * node lifecycle controller (heartbeats, taints, eviction times).
 */
import { createServer, type Server } from "node:http";
import { createServer as createTcpServer } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { markUnknown, NodeHealth } from "@tree/12-self-healing/node-lifecycle/health.ts";
import { evictionTime, podsToEvict } from "@tree/12-self-healing/node-lifecycle/eviction.ts";
import { reconcileTaints, TAINT_NOT_READY, TAINT_UNREACHABLE } from "@tree/12-self-healing/node-lifecycle/taints.ts";
import { runProbe, type ProbeTarget } from "@tree/12-self-healing/probes/prober.ts";
import { KubeletProbeManager } from "@tree/12-self-healing/probes/probe-manager.ts";
import { ProbeWorker, ResultCounter } from "@tree/12-self-healing/probes/worker.ts";
import type { Node, Pod, Taint } from "../shared/api/index.ts";
import { FakeRuntime } from "../shared/runtime/fake-runtime.ts";
import type { ContainerStatus } from "../shared/runtime/types.ts";

describe("12.2 ResultCounter: thresholds turn checks into a result", () => {
  it("fails only after failureThreshold failures in a row, and recovers after successThreshold successes", () => {
    const c = new ResultCounter("success", 2, 3);
    const flips = ["failure", "failure", "success", "failure", "failure", "failure", "failure", "success", "success"].map((r) =>
      c.observe(r as "success" | "failure"),
    );
    expect(flips).toEqual([false, false, false, false, false, true, false, false, true]);
    expect(c.result).toBe("success");
  });

  it("starts a readiness result as failure and turns it with the first success (threshold 1)", () => {
    const c = new ResultCounter("failure", 1, 3);
    expect(c.observe("success")).toBe(true);
    expect(c.result).toBe("success");
    expect(c.observe("success")).toBe(false);
  });
});

describe("12 chapter > the probe worker", () => {
  it("a check that throws stops its worker and is reported, not left as an unhandled rejection", async () => {
    const changes: string[] = [];
    const err = await new Promise<Error>((resolve) => {
      new ProbeWorker({
        kind: "liveness",
        // No handler: every check is a failure, and failureThreshold 1 flips the result at once.
        probe: { failureThreshold: 1 },
        containerId: "c1",
        startedAt: new Date().toISOString(),
        target: () => ({
          runtime: new FakeRuntime(),
          containerId: "c1",
          container: { name: "app", image: "busybox" },
          podIP: undefined,
        }),
        onChange: (result) => {
          changes.push(result);
          throw new Error("the kubelet's handler broke");
        },
        onError: resolve,
      });
    });
    expect(err.message).toBe("the kubelet's handler broke");
    expect(changes).toEqual(["failure"]);
  });
});

describe("12.1 the prober: exec, httpGet, tcpSocket", () => {
  let server: Server;
  let httpPort: number;
  let closedPort: number;
  let slowPort: number;
  let slow: Server;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const code =
        req.url === "/ok"
          ? 200
          : req.url === "/moved"
            ? 302
            : req.url === "/header"
              ? req.headers["x-probe"] === "yes"
                ? 200
                : 401
              : 500;
      res.writeHead(code).end("body");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    httpPort = (server.address() as AddressInfo).port;
    // A port that was free a moment ago: nothing listens.
    const probe = createTcpServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    closedPort = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    // A server that never answers.
    slow = createServer(() => {});
    await new Promise<void>((r) => slow.listen(0, "127.0.0.1", r));
    slowPort = (slow.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    slow.closeAllConnections();
    await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => slow.close(r))]);
  });

  const target = (runtime = new FakeRuntime()): ProbeTarget => ({
    runtime,
    containerId: "",
    container: { name: "app", ports: [{ name: "web", containerPort: httpPort }] },
    podIP: "127.0.0.1",
  });

  it("exec: exit code 0 is a success, anything else a failure with the output", async () => {
    const runtime = new FakeRuntime({
      exec: (_c, cmd) =>
        cmd[1] === "/tmp/healthy" ? { exitCode: 0, stdout: "", stderr: "" } : { exitCode: 1, stdout: "", stderr: "no such file" },
    });
    const id = await runtime.create({ name: "app", image: "busybox:latest" });
    await runtime.start(id);
    const t = { ...target(runtime), containerId: id };
    expect((await runProbe({ exec: { command: ["cat", "/tmp/healthy"] } }, t)).result).toBe("success");
    const bad = await runProbe({ exec: { command: ["cat", "/tmp/gone"] } }, t);
    expect(bad).toEqual({ result: "failure", message: 'command ["cat","/tmp/gone"] exited with 1: no such file' });
  });

  it("exec: a command slower than timeoutSeconds fails", async () => {
    const runtime = new FakeRuntime({
      exec: () => new Promise((r) => setTimeout(() => r({ exitCode: 0, stdout: "", stderr: "" }), 3_000)),
    });
    const id = await runtime.create({ name: "app", image: "busybox:latest" });
    await runtime.start(id);
    const out = await runProbe({ exec: { command: ["true"] }, timeoutSeconds: 1 }, { ...target(runtime), containerId: id });
    expect(out.result).toBe("failure");
    expect(out.message).toMatch(/timed out/);
  });

  it("httpGet: 200-399 succeed (a named port works), other codes and no answer fail, headers are sent", async () => {
    const t = target();
    expect((await runProbe({ httpGet: { path: "/ok", port: "web" } }, t)).result).toBe("success");
    expect((await runProbe({ httpGet: { path: "/moved", port: httpPort } }, t)).result).toBe("success");
    expect(await runProbe({ httpGet: { path: "/broken", port: httpPort } }, t)).toEqual({
      result: "failure",
      message: "HTTP probe failed with statuscode: 500",
    });
    expect((await runProbe({ httpGet: { path: "/header", port: httpPort } }, t)).result).toBe("failure");
    expect(
      (await runProbe({ httpGet: { path: "/header", port: httpPort, httpHeaders: [{ name: "X-Probe", value: "yes" }] } }, t))
        .result,
    ).toBe("success");
    expect((await runProbe({ httpGet: { path: "/ok", port: closedPort } }, t)).result).toBe("failure");
    expect((await runProbe({ httpGet: { path: "/ok", port: slowPort }, timeoutSeconds: 1 }, t)).result).toBe("failure");
    expect(await runProbe({ httpGet: { path: "/ok", port: "nope" } }, t)).toEqual({
      result: "failure",
      message: 'the container has no port named "nope"',
    });
  });

  it("tcpSocket: a connection is a success, a refused one a failure", async () => {
    const t = target();
    expect((await runProbe({ tcpSocket: { port: httpPort } }, t)).result).toBe("success");
    expect((await runProbe({ tcpSocket: { port: "web" } }, t)).result).toBe("success");
    expect((await runProbe({ tcpSocket: { port: closedPort } }, t)).result).toBe("failure");
  });
});

const node = (heartbeat: string): Node => ({
  metadata: { name: "n1" },
  status: { conditions: [{ type: "Ready", status: "True", lastHeartbeatTime: heartbeat }] },
});

it("12.5 node lifecycle > calls a node stale only when its heartbeat stood still for longer than the grace period", () => {
  const health = new NodeHealth();
  expect(health.isStale(node("t1"), 0, 1_000)).toBe(false);
  expect(health.isStale(node("t1"), 900, 1_000)).toBe(false);
  expect(health.isStale(node("t2"), 1_500, 1_000)).toBe(false); // it moved: alive at 1500
  expect(health.isStale(node("t2"), 2_400, 1_000)).toBe(false);
  expect(health.isStale(node("t2"), 2_600, 1_000)).toBe(true);
  expect(health.isStale(node("t3"), 2_700, 1_000)).toBe(false);
});

it("12.5 node lifecycle > marks every condition Unknown, keeping the kubelet's heartbeat time", () => {
  const out = markUnknown([{ type: "Ready", status: "True", lastHeartbeatTime: "h", lastTransitionTime: "old" }], "now");
  expect(out).toEqual([
    {
      type: "Ready",
      status: "Unknown",
      lastHeartbeatTime: "h",
      lastTransitionTime: "now",
      reason: "NodeStatusUnknown",
      message: "Kubelet stopped posting node status.",
    },
  ]);
  expect(markUnknown(out, "later")[0]!.lastTransitionTime).toBe("now");
  expect(markUnknown(undefined, "now")).toMatchObject([{ type: "Ready", status: "Unknown" }]);
});

it("12.6 node lifecycle > derives the unreachable and not-ready taints from Ready, keeping other taints and the time added", () => {
  const gpu: Taint = { key: "gpu", effect: "NoSchedule" };
  const unknown = reconcileTaints([gpu], "Unknown", "t0");
  expect(unknown).toEqual([
    gpu,
    { key: TAINT_UNREACHABLE, effect: "NoSchedule" },
    { key: TAINT_UNREACHABLE, effect: "NoExecute", timeAdded: "t0" },
  ]);
  expect(reconcileTaints(unknown, "Unknown", "t1")).toEqual(unknown);
  expect(reconcileTaints(unknown, "False", "t2")).toEqual([
    gpu,
    { key: TAINT_NOT_READY, effect: "NoSchedule" },
    { key: TAINT_NOT_READY, effect: "NoExecute", timeAdded: "t2" },
  ]);
  expect(reconcileTaints(unknown, "True", "t3")).toEqual([gpu]);
});

it("12.7 node lifecycle > evicts after the default timeout, a toleration's seconds, never, or at once", () => {
  const added = "2024-01-01T00:00:00Z";
  const t0 = Date.parse(added);
  const taints: Taint[] = [
    { key: TAINT_UNREACHABLE, effect: "NoSchedule" },
    { key: TAINT_UNREACHABLE, effect: "NoExecute", timeAdded: added },
  ];
  const pod = (name: string, tolerations?: NonNullable<Pod["spec"]>["tolerations"]): Pod => ({
    metadata: { name },
    spec: { nodeName: "n1", containers: [], tolerations },
  });
  expect(evictionTime(pod("plain"), taints, 300_000, t0)).toBe(t0 + 300_000);
  expect(
    evictionTime(
      pod("short", [{ key: TAINT_UNREACHABLE, operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 }]),
      taints,
      300_000,
      t0,
    ),
  ).toBe(t0 + 30_000);
  expect(evictionTime(pod("forever", [{ operator: "Exists" }]), taints, 300_000, t0)).toBeUndefined();
  expect(evictionTime(pod("other"), [{ key: "dedicated", effect: "NoExecute", timeAdded: added }], 300_000, t0)).toBe(t0);
  expect(evictionTime(pod("none"), [{ key: "gpu", effect: "NoSchedule" }], 300_000, t0)).toBeUndefined();

  const pods = [
    pod("plain"),
    pod("short", [{ key: TAINT_UNREACHABLE, operator: "Exists", tolerationSeconds: 30 }]),
    { ...pod("elsewhere"), spec: { nodeName: "n2", containers: [] } },
  ];
  expect(podsToEvict("n1", taints, pods, 300_000, t0 + 60_000).map((p) => p.metadata?.name)).toEqual(["short"]);
  expect(podsToEvict("n1", taints, pods, 300_000, t0 + 300_000).map((p) => p.metadata?.name)).toEqual(["plain", "short"]);
});

it("12.4 readiness > a running container without a readiness probe is ready; one with a probe is not ready before its first success", () => {
  const manager = new KubeletProbeManager({
    nodeName: "node-1",
    runtime: new FakeRuntime(),
    client: {} as never, // no probe runs here, so nothing is sent
    log: () => {},
  });
  const pod: Pod = {
    metadata: { name: "web", namespace: "default", uid: "uid-web" },
    spec: {
      containers: [
        { name: "plain", image: "busybox" },
        { name: "probed", image: "busybox", readinessProbe: { exec: { command: ["true"] } } },
      ],
    },
  };
  const running = { id: "c1", state: "running" } as ContainerStatus;
  expect(
    manager.isReady(pod, "plain", running),
    "expected a running container without a readinessProbe to be ready (Kubernetes counts it ready once it runs), but isReady said false",
  ).toBe(true);
  expect(
    manager.isReady(pod, "probed", running),
    "expected a container with a readinessProbe to be not ready before its probe ever succeeded, but isReady said true",
  ).toBe(false);
});
