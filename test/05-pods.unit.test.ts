/**
 * Chapter 05 without Docker: the restart policy, the crash back-off (which
 * moment starts the wait) and the log server's switch from tail to follow.
 */
import { describe, expect, it } from "vitest";
import { BackOff, shouldRestart } from "@tree/05-pods/kubelet/restart-policy.ts";
import { startLogServer } from "@tree/05-pods/kubelet/log-server.ts";
import { LABEL_RESTART_COUNT } from "@tree/05-pods/kubelet/containers.ts";
import { containerStatuses, podPhase } from "@tree/05-pods/kubelet/status.ts";
import type { ContainerStatus as ApiContainerStatus, Pod } from "../shared/api/index.ts";
import type { ContainerRuntime, ContainerStatus, LogEntry, LogOptions } from "../shared/runtime/types.ts";

describe("05.6 shouldRestart", () => {
  it("Always restarts any exit, OnFailure only a failure, Never nothing", () => {
    expect([0, 1].map((code) => shouldRestart("Always", code))).toEqual([true, true]);
    expect([0, 1].map((code) => shouldRestart("OnFailure", code))).toEqual([false, true]);
    expect([0, 1].map((code) => shouldRestart("Never", code))).toEqual([false, false]);
  });
});

describe("05.6 back-off", () => {
  const clock = () => {
    const c = { t: 0, now: () => c.t };
    return c;
  };

  it("lets the first crash restart at once, then doubles the wait up to the maximum", () => {
    const c = clock();
    const b = new BackOff({ initialMs: 1_000, maxMs: 4_000 }, c.now);
    expect(b.inBackOff("u/app", 0)).toBe(false);
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      b.next("u/app");
      delays.push(b.delay("u/app"));
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 4_000, 4_000]);
    expect(b.delay("u/other")).toBe(0);
  });

  it("measures the wait from when the container finished, not from when it was started", () => {
    const c = clock();
    const b = new BackOff({ initialMs: 1_000, maxMs: 60_000 }, c.now);
    b.next("u/app"); // restarted at t = 0 ...
    const finishedAt = 5_000; // ... it ran for 5 s, then crashed again.
    c.t = 5_500;
    expect(b.inBackOff("u/app", finishedAt), "0.5 s after the crash, with a 1 s back-off").toBe(true);
    c.t = 6_100;
    expect(b.inBackOff("u/app", finishedAt), "1.1 s after the crash, with a 1 s back-off").toBe(false);
  });

  it("starts over for a key quiet for twice the maximum, and forgets a pod's keys", () => {
    const c = clock();
    const b = new BackOff({ initialMs: 1_000, maxMs: 4_000 }, c.now);
    b.next("u/app");
    b.next("u/app");
    expect(b.delay("u/app")).toBe(2_000);
    c.t = 8_001;
    expect(b.inBackOff("u/app", 8_000)).toBe(false);
    b.next("u/app");
    expect(b.delay("u/app")).toBe(1_000);
    b.next("v/app");
    b.forget("u/");
    expect([b.delay("u/app"), b.delay("v/app")]).toEqual([0, 1_000]);
  });
});

/**
 * A container that writes one new line each time its log is read: whatever
 * the server does between two reads, a line is written in between.
 */
function chattyRuntime(runningReads: number): { runtime: ContainerRuntime; lines: string[] } {
  const lines = ["old 1\n", "old 2\n", "old 3\n"];
  let inspections = 0;
  const runtime = {
    async logs(_id: string, options: LogOptions = {}): Promise<LogEntry[]> {
      lines.push(`new ${lines.length - 2}\n`);
      const picked = options.tail === undefined ? lines : lines.slice(-options.tail);
      return picked.map((text) => ({ stream: "stdout" as const, text }));
    },
    async inspect(id: string): Promise<ContainerStatus> {
      inspections++;
      return { id, state: inspections <= runningReads ? "running" : "exited" } as ContainerStatus;
    },
  };
  return { runtime: runtime as unknown as ContainerRuntime, lines };
}

describe("05.8 follow", () => {
  it("switches from the tail to following without losing or doubling a line", async () => {
    const { runtime, lines } = chattyRuntime(3);
    const server = await startLogServer({ runtime, lookup: async () => ({ ok: true, id: "c1" }), followIntervalMs: 5 });
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/containerLogs/default/web/app?follow=true&tailLines=1`);
      expect(res.status).toBe(200);
      const body = await res.text();
      const sent = body.split(/(?<=\n)/);
      const all = lines.join("");
      // What was sent is the end of the log, from one line on: nothing missing in between ...
      expect(all.endsWith(body), `sent ${JSON.stringify(body)}, the log is ${JSON.stringify(all)}`).toBe(true);
      // ... nothing twice, and the tail was honoured (the old lines stay out).
      expect(new Set(sent).size).toBe(sent.length);
      expect(body).not.toContain("old");
      expect(body).toContain(lines.at(-1));
    } finally {
      await server.close();
    }
  });

  it("without follow, sends the last tailLines lines and ends", async () => {
    const { runtime } = chattyRuntime(100);
    const server = await startLogServer({ runtime, lookup: async () => ({ ok: true, id: "c1" }) });
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/containerLogs/default/web/app?tailLines=2`);
      expect(await res.text()).toBe("old 3\nnew 1\n");
    } finally {
      await server.close();
    }
  });
});

it("05.5 container statuses > restartCount, state and lastState come from the newest instance and the one before it", () => {
  const instance = (id: string, restarts: number, state: "running" | "exited") =>
    ({
      id,
      name: id,
      image: "busybox",
      labels: { [LABEL_RESTART_COUNT]: String(restarts) },
      state,
      exitCode: state === "exited" ? 1 : undefined,
      createdAt: "2026-01-01T00:00:00.000Z",
    }) as unknown as ContainerStatus;
  const pod = {
    metadata: { name: "web", namespace: "default", uid: "u1" },
    spec: { containers: [{ name: "app", image: "busybox" }] },
  };
  const [status] = containerStatuses({
    pod,
    observed: {
      uid: "u1",
      sandboxes: [],
      containers: new Map([["app", [instance("new", 2, "running"), instance("old", 1, "exited")]]]),
    },
    waiting: new Map(),
    hostIP: "10.0.0.1",
    runtimeName: "docker",
    isReady: () => true,
  });
  expect(status?.restartCount, `expected restartCount 2 (the newest instance's), but got ${status?.restartCount}`).toBe(2);
  expect(status?.state?.running, "expected the newest instance to give the state: running").toBeDefined();
  expect(status?.lastState?.terminated?.exitCode, "expected the instance before it to give lastState: exit code 1").toBe(1);
});

it("05.5 phase > a container waiting in CrashLoopBackOff has run before: Running, not Pending; one never started: Pending", () => {
  const pod: Pod = { spec: { restartPolicy: "Always", containers: [{ name: "app", image: "busybox" }] } };
  const crashLooping: ApiContainerStatus = {
    name: "app",
    image: "busybox",
    imageID: "",
    ready: false,
    restartCount: 3,
    state: { waiting: { reason: "CrashLoopBackOff" } },
    lastState: { terminated: { exitCode: 1, reason: "Error" } },
  };
  const neverStarted: ApiContainerStatus = {
    ...crashLooping,
    restartCount: 0,
    state: { waiting: { reason: "ContainerCreating" } },
    lastState: {},
  };
  expect(podPhase(pod, [crashLooping]), "waiting, with a lastState.terminated").toBe("Running");
  expect(podPhase(pod, [neverStarted]), "waiting, never terminated").toBe("Pending");
  expect(podPhase(pod, [crashLooping, neverStarted]), "one never started").toBe("Pending");
});
