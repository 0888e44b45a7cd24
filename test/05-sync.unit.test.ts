/**
 * Chapter 05 without Docker: the pause container (05.2), the app containers
 * (05.3) and the sync decision (05.4), each checked as soon as its step is
 * done, on the in-memory FakeRuntime. The fake keeps Docker's rules where they
 * matter here: a joined namespace needs its owner running, an IPC namespace
 * can be joined only when its owner made it shareable, a container that
 * joins a network namespace gets no address and no hostname of its own, and
 * a name is taken once.
 *
 * The same behaviour on a real engine, through the whole kubelet, is tested
 * in test/05-pods.test.ts (named 05.7: the pod worker of 05.7 is what runs a
 * sync for each pod).
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import {
  appContainerSpec,
  containerHash,
  LABEL_CONTAINER_HASH,
  LABEL_NODE,
  nodeLabels,
  restartCountOf,
  sandboxSpec,
  type ContainerContext,
  type ContainerExtras,
} from "@tree/05-pods/kubelet/containers.ts";
import { EnvironmentBuilder } from "@tree/05-pods/kubelet/env.ts";
import { BackOff } from "@tree/05-pods/kubelet/restart-policy.ts";
import { generatePodStatus } from "@tree/05-pods/kubelet/status.ts";
import { observePod, syncPod, type SyncContext } from "@tree/05-pods/kubelet/sync-pod.ts";
import { VolumeManager } from "@tree/05-pods/kubelet/volumes.ts";
import type { RestClient } from "@tree/04-kubectl/client/rest.ts";
import type { Container, Pod } from "../shared/api/index.ts";
import { FakeRuntime } from "../shared/runtime/fake-runtime.ts";
import type { ContainerRuntime, ContainerSpec, ContainerStatus } from "../shared/runtime/types.ts";
import { TEST_IMAGE } from "../shared/test-image.ts";

const OTHER_IMAGE = "registry.example/other:1";

const containers: ContainerContext = {
  nodeName: "node-1",
  labels: { "k8s-workshop.test": "05-sync" },
  network: "k8s-workshop-test-net",
  pauseImage: TEST_IMAGE,
  pauseCommand: ["sleep", "infinity"],
};

let uids = 0;
function pod(name: string, spec: Partial<NonNullable<Pod["spec"]>> = {}, appContainers?: Container[]): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", uid: `uid-${name}-${++uids}` },
    spec: { containers: appContainers ?? [{ name: "app", image: TEST_IMAGE, command: ["sleep", "3600"] }], ...spec },
  };
}

const noExtras: ContainerExtras = { env: {}, mounts: [], resources: undefined };

/**
 * The fake, noting what a sync asks of it (the changes, not the reads), the
 * grace period of each stop and the spec of each container it created.
 */
interface CountingRuntime {
  runtime: ContainerRuntime;
  calls: string[];
  stops: Array<{ id: string; grace: number }>;
  specs: Map<string, ContainerSpec>;
}
function counting(fake: FakeRuntime): CountingRuntime {
  const calls: string[] = [];
  const stops: Array<{ id: string; grace: number }> = [];
  const specs = new Map<string, ContainerSpec>();
  const runtime: ContainerRuntime = {
    ping: () => fake.ping(),
    ensureImage: (image, onProgress) => fake.ensureImage(image, onProgress),
    create: async (spec) => {
      calls.push(`create ${spec.name}`);
      const id = await fake.create(spec);
      specs.set(id, spec);
      return id;
    },
    start: (id) => (calls.push(`start ${id}`), fake.start(id)),
    stop: (id, grace) => (calls.push(`stop ${id}`), stops.push({ id, grace }), fake.stop(id, grace)),
    remove: (id) => (calls.push(`remove ${id}`), fake.remove(id)),
    list: (labels) => fake.list(labels),
    inspect: (id) => fake.inspect(id),
    logs: (id, options) => fake.logs(id, options),
    exec: (id, command) => fake.exec(id, command),
  };
  return { runtime, calls, stops, specs };
}

function syncContext(runtime: ContainerRuntime, now: () => number = Date.now) {
  const requeued: Array<{ uid: string; ms: number }> = [];
  const ctx: SyncContext = {
    runtime,
    containers,
    // No volume plugins and no volumes in these pods: nothing touches the disk.
    volumes: new VolumeManager([], join(tmpdir(), "k8s-workshop-05-sync-unused"), containers.nodeName),
    env: new EnvironmentBuilder(),
    backOff: new BackOff({ initialMs: 10_000, maxMs: 300_000 }, now),
    // Plain `value` variables only: no env source here reads the API.
    client: {} as RestClient,
    imagesPresent: new Set(),
    requeueAfter: (uid, ms) => requeued.push({ uid, ms }),
    log: () => {},
  };
  return { ctx, requeued };
}

/** The id of the container a `container:<id or name>` mode joins, undefined for any other mode. */
async function joined(fake: FakeRuntime, mode: string | undefined): Promise<string | undefined> {
  if (!mode?.startsWith("container:")) return undefined;
  return (await fake.inspect(mode.slice("container:".length))).id;
}

/** Creates and starts a container from a spec; the fake applies Docker's rules on the way. */
async function run(fake: FakeRuntime, spec: ContainerSpec): Promise<ContainerStatus> {
  const id = await fake.create(spec);
  await fake.start(id);
  return fake.inspect(id);
}

describe("05.2 sandbox", () => {
  it("runs on the node's network with its own address and the pod's hostname, and others can join its IPC", async () => {
    const fake = new FakeRuntime();
    const p = pod("web");
    const spec = sandboxSpec(containers, p, 0);
    expect(spec.networkMode, "the pause container's network: the one the kubelet was given (ctx.network)").toBe(
      containers.network,
    );
    expect(spec.hostname, "the pod's hostname: its name, when spec.hostname is not set").toBe("web");
    expect(sandboxSpec(containers, pod("web", { hostname: "db-0" }), 0).hostname, "spec.hostname, when set").toBe("db-0");
    const sandbox = await run(fake, spec);
    expect(sandbox.state).toBe("running");
    expect(sandbox.ip, "the pause container owns the pod's network namespace, so it has the pod's address").toBeDefined();
    // A container that joins its IPC namespace can start only if the pause container made it shareable.
    const joiner = await fake.create({
      name: "joiner",
      image: TEST_IMAGE,
      networkMode: `container:${sandbox.id}`,
      ipcMode: `container:${sandbox.id}`,
    });
    await expect(fake.start(joiner), "an app container joining the pause container's IPC namespace").resolves.toBeUndefined();
  });

  it("the kubelet finds each attempt again by its labels, as the pod's sandbox, newest first", async () => {
    const fake = new FakeRuntime();
    const { ctx } = syncContext(fake);
    const p = pod("web");
    const first = await run(fake, sandboxSpec(containers, p, 0));
    await fake.stop(first.id, 0);
    // A second attempt must not collide with the first on the engine (a name is taken once).
    const second = await run(fake, sandboxSpec(containers, p, 1));
    await run(fake, sandboxSpec(containers, pod("other"), 0));
    for (const c of [first, second]) {
      expect(c.labels, "every container carries the kubelet's labels (how it lists its own)").toMatchObject(
        nodeLabels(containers),
      );
      expect(c.labels[LABEL_NODE]).toBe("node-1");
    }
    // observePod() lists by the node's labels and the pod's uid, then groups: what a sync sees.
    const observed = await observePod(ctx, p.metadata!.uid!);
    expect(
      observed?.sandboxes.map((s) => [s.id, restartCountOf(s)]),
      "the pod's sandboxes, newest (highest attempt) first; none of pod 'other'",
    ).toEqual([
      [second.id, 1],
      [first.id, 0],
    ]);
    expect([...(observed?.containers.keys() ?? [])], "a pause container is not an app container").toEqual([]);
  });
});

describe("05.3 app container", () => {
  async function sandboxOf(fake: FakeRuntime, p: Pod): Promise<ContainerStatus> {
    return run(fake, sandboxSpec(containers, p, 0));
  }

  it("starts inside the pause container's namespaces: the pod's one address, PID shared only with shareProcessNamespace", async () => {
    for (const share of [false, true]) {
      const fake = new FakeRuntime();
      const p = pod(share ? "shared-pids" : "own-pids", share ? { shareProcessNamespace: true } : {});
      const sandbox = await sandboxOf(fake, p);
      const spec = appContainerSpec(containers, p, p.spec!.containers[0]!, sandbox.id, 0, noExtras);
      // The fake refuses what Docker refuses: a hostname beside a joined network, an IPC that is not shareable.
      const app = await run(fake, spec);
      expect(await joined(fake, spec.networkMode), "networkMode joins the pause container").toBe(sandbox.id);
      expect(await joined(fake, spec.ipcMode), "ipcMode joins the pause container").toBe(sandbox.id);
      expect(app.ip, "an app container has no address of its own: it uses the pod's").toBeUndefined();
      if (share) expect(await joined(fake, spec.pidMode), "shareProcessNamespace: true joins the PID namespace").toBe(sandbox.id);
      else expect(spec.pidMode, "without shareProcessNamespace, each container keeps its own processes").toBeUndefined();
    }
  });

  it("runs the spec's image, command, args and workingDir, with the env, mounts and limits it is given", () => {
    const container: Container = {
      name: "main",
      image: OTHER_IMAGE,
      command: ["sh", "-c"],
      args: ["echo $GREETING; sleep 3600"],
      workingDir: "/srv",
    };
    const extras: ContainerExtras = {
      env: { GREETING: "hello", TARGET: "world of hello" },
      mounts: [{ type: "tmpfs", target: "/cache" }],
      resources: { memoryBytes: 64 * 1024 * 1024 },
    };
    const spec = appContainerSpec(containers, pod("configured"), container, "sandbox-id", 0, extras);
    expect(spec).toMatchObject({
      image: OTHER_IMAGE,
      command: ["sh", "-c"],
      args: ["echo $GREETING; sleep 3600"],
      workingDir: "/srv",
      env: extras.env,
      mounts: extras.mounts,
      resources: extras.resources,
    });
    expect(spec.hostname, "a container that joins a network namespace must not set a hostname").toBeUndefined();
  });

  it("its labels tell a later sync its pod, its name, its restart count and its spec's hash", async () => {
    const fake = new FakeRuntime();
    const { ctx } = syncContext(fake);
    const p = pod("web");
    const container = p.spec!.containers[0]!;
    const sandbox = await sandboxOf(fake, p);
    const old = await run(fake, appContainerSpec(containers, p, container, sandbox.id, 2, noExtras));
    await fake.stop(old.id, 0);
    // The next instance must not collide with the one before it (a name is taken once).
    const current = await run(fake, appContainerSpec(containers, p, container, sandbox.id, 3, noExtras));
    const observed = await observePod(ctx, p.metadata!.uid!);
    const instances = observed?.containers.get("app") ?? [];
    expect(
      instances.map((c) => [c.id, restartCountOf(c)]),
      "the instances of container 'app' of this pod, newest first",
    ).toEqual([
      [current.id, 3],
      [old.id, 2],
    ]);
    expect(instances[0]?.labels[LABEL_CONTAINER_HASH], "the hash of the spec it runs (containerHash)").toBe(
      containerHash(container),
    );
    expect(observed?.sandboxes.map((s) => s.id)).toEqual([sandbox.id]);
  });
});

describe("05.4 sync", () => {
  /** The pod's containers on the fake engine, as a sync would see them. */
  async function onEngine(fake: FakeRuntime, p: Pod) {
    const { ctx } = syncContext(fake);
    const observed = await observePod(ctx, p.metadata!.uid!);
    return { sandboxes: observed?.sandboxes ?? [], app: observed?.containers.get("app") ?? [] };
  }

  it("a new pod: a running pause container (attempt 0), then its app container (restart 0) inside it", async () => {
    const fake = new FakeRuntime();
    const counted = counting(fake);
    const { ctx } = syncContext(counted.runtime);
    const p = pod("web");
    const result = await syncPod(ctx, p);
    const { sandboxes, app } = await onEngine(fake, p);
    expect(
      sandboxes.map((s) => [s.state, restartCountOf(s)]),
      "the pod's pause containers",
    ).toEqual([["running", 0]]);
    expect(
      app.map((c) => [c.state, restartCountOf(c)]),
      "the instances of container 'app'",
    ).toEqual([["running", 0]]);
    expect(await joined(fake, counted.specs.get(app[0]!.id)?.networkMode), "the sandbox the app joined").toBe(sandboxes[0]!.id);
    expect(result.waiting.size, `nothing should wait, got ${JSON.stringify([...result.waiting])}`).toBe(0);
    expect(result.observed?.containers.get("app")?.[0]?.state, "the result shows what is on the engine now").toBe("running");
    expect(result.observed?.sandboxes[0]?.id).toBe(sandboxes[0]!.id);
  });

  it("a second sync of a pod that runs as its spec says changes nothing", async () => {
    const fake = new FakeRuntime();
    const counted = counting(fake);
    const { ctx } = syncContext(counted.runtime);
    const p = pod("web");
    await syncPod(ctx, p);
    counted.calls.length = 0;
    await syncPod(ctx, p);
    expect(counted.calls, "the runtime calls of the second sync (creates, starts, stops, removes)").toEqual([]);
  });

  it("a changed spec, even with restartPolicy Never: the running instance gets the grace period, the next one (restart 1) starts in the same sandbox", async () => {
    const fake = new FakeRuntime({ images: [TEST_IMAGE, OTHER_IMAGE] });
    const counted = counting(fake);
    const { ctx } = syncContext(counted.runtime);
    const p = pod("changer", { restartPolicy: "Never", terminationGracePeriodSeconds: 7 });
    await syncPod(ctx, p);
    const before = await onEngine(fake, p);
    const changed: Pod = { ...p, spec: { ...p.spec!, containers: [{ ...p.spec!.containers[0]!, image: OTHER_IMAGE }] } };
    await syncPod(ctx, changed);
    const after = await onEngine(fake, p);
    expect(counted.stops, "the stops of the old instance, with the pod's terminationGracePeriodSeconds").toEqual([
      { id: before.app[0]!.id, grace: 7 },
    ]);
    expect(
      after.app.map((c) => [c.id === before.app[0]!.id ? "old" : "new", c.state, restartCountOf(c), c.image]),
      "the instances of 'app', newest first: the old one stopped (kept for logs --previous), not removed",
    ).toEqual([
      ["new", "running", 1, OTHER_IMAGE],
      ["old", "exited", 0, TEST_IMAGE],
    ]);
    expect(
      after.sandboxes.map((s) => [s.id, s.state]),
      "the same sandbox, still running",
    ).toEqual([[before.sandboxes[0]!.id, "running"]]);
  });

  it("a dead pause container: a new sandbox with the next attempt number, and the app starts inside the new one", async () => {
    const fake = new FakeRuntime();
    const counted = counting(fake);
    const { ctx } = syncContext(counted.runtime);
    const p = pod("rebuilt");
    // The pause container died before the app container was ever created.
    const dead = await run(fake, sandboxSpec(containers, p, 2));
    await fake.stop(dead.id, 0);
    await syncPod(ctx, p);
    const { sandboxes, app } = await onEngine(fake, p);
    expect(
      sandboxes.map((s) => [s.id === dead.id ? "dead" : "new", s.state, restartCountOf(s)]),
      "the pod's sandboxes, newest first",
    ).toEqual([
      ["new", "running", 3],
      ["dead", "exited", 2],
    ]);
    expect(
      app.map((c) => [c.state, restartCountOf(c)]),
      "the instances of container 'app'",
    ).toEqual([["running", 0]]);
    // It joined the new namespaces, not the dead ones (their network is gone).
    expect(await joined(fake, counted.specs.get(app[0]!.id)?.networkMode), "the sandbox the app joined").toBe(sandboxes[0]!.id);
  });
});

describe("05.5 status", () => {
  it("restartPolicy Never: exit 0 ends Succeeded (Completed), exit 3 ends Failed (Error), no restart, and the pod is not Ready", async () => {
    for (const [exitCode, phase, reason] of [
      [0, "Succeeded", "Completed"],
      [3, "Failed", "Error"],
    ] as const) {
      const fake = new FakeRuntime();
      const { ctx } = syncContext(fake);
      const p = pod(`once-${exitCode}`, { restartPolicy: "Never" });
      // The pod's containers as a sync leaves them; then the app's process exits.
      const sandbox = await run(fake, sandboxSpec(containers, p, 0));
      const app = await run(fake, appContainerSpec(containers, p, p.spec!.containers[0]!, sandbox.id, 0, noExtras));
      fake.exit(app.id, exitCode);
      const observed = await observePod(ctx, p.metadata!.uid!);
      const status = generatePodStatus({
        pod: p,
        observed,
        waiting: new Map(),
        hostIP: "127.0.0.1",
        runtimeName: "docker",
        isReady: () => true,
      });
      expect(status.phase, `the phase of a Never pod whose container exited ${exitCode}`).toBe(phase);
      expect(status.containerStatuses?.[0]).toMatchObject({
        restartCount: 0,
        ready: false,
        state: { terminated: { exitCode, reason, containerID: `docker://${app.id}` } },
      });
      expect(status.conditions?.find((c) => c.type === "Ready")?.status, "the Ready condition").toBe("False");
    }
  });
});

describe("05.6 sync", () => {
  // These need 05.4 (the sync) and 05.6 (shouldRestart, BackOff): a stopped container goes through the restart policy.

  it("the pause container died: its running app is stopped (not removed) and starts again, restart 1, in the new sandbox", async () => {
    const fake = new FakeRuntime();
    const counted = counting(fake);
    const { ctx } = syncContext(counted.runtime);
    const p = pod("rebuilt");
    await syncPod(ctx, p);
    const before = await observePod(ctx, p.metadata!.uid!);
    const oldApp = before!.containers.get("app")![0]!;
    await fake.stop(before!.sandboxes[0]!.id, 0);
    counted.calls.length = 0;
    await syncPod(ctx, p);
    expect(counted.calls, "a container of a dead sandbox is stopped, never removed").not.toContain(`remove ${oldApp.id}`);
    const after = await observePod(ctx, p.metadata!.uid!);
    const sandbox = after!.sandboxes[0]!;
    expect([sandbox.state, restartCountOf(sandbox)], "the new sandbox: running, attempt 1").toEqual(["running", 1]);
    expect(
      after!.containers.get("app")!.map((c) => [c.id === oldApp.id ? "old" : "new", c.state, restartCountOf(c)]),
      "the instances of 'app', newest first",
    ).toEqual([
      ["new", "running", 1],
      ["old", "exited", 0],
    ]);
    const newApp = after!.containers.get("app")![0]!;
    expect(await joined(fake, counted.specs.get(newApp.id)?.networkMode), "the sandbox the new instance joined").toBe(sandbox.id);
  });

  it("a crashed container restarts at once the first time; the next crash waits in CrashLoopBackOff and asks to be woken when the back-off ends", async () => {
    // One clock for the engine's timestamps, the back-off and the sync's Date.now(): only Date is faked.
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.parse("2026-01-01T00:00:00Z"));
      const fake = new FakeRuntime();
      const { ctx, requeued } = syncContext(fake);
      const p = pod("crasher");
      const uid = p.metadata!.uid!;
      const newest = async () => (await observePod(ctx, uid))!.containers.get("app")![0]!;
      const later = (ms: number) => vi.setSystemTime(Date.now() + ms);
      await syncPod(ctx, p);
      fake.exit((await newest()).id, 1);
      later(1_000);
      await syncPod(ctx, p);
      const first = await newest();
      expect([first.state, restartCountOf(first)], "after the first crash: restarted at once").toEqual(["running", 1]);
      fake.exit(first.id, 1);
      later(1_000);
      const result = await syncPod(ctx, p);
      expect((await newest()).state, "after the second crash, within the 10 s back-off: not restarted").toBe("exited");
      expect(result.waiting.get("app")?.reason, "the reason the container waits").toBe("CrashLoopBackOff");
      expect(
        requeued.map((r) => r.uid),
        "a wake-up asked for this pod",
      ).toContain(uid);
      const wake = requeued.at(-1)!.ms;
      expect(wake, "woken when the 10 s back-off ends (the crash was 1 s ago), not before").toBeGreaterThanOrEqual(9_000);
      expect(wake, "woken when the 10 s back-off ends, not long after").toBeLessThanOrEqual(11_000);
      later(10_000);
      await syncPod(ctx, p);
      const third = await newest();
      expect([third.state, restartCountOf(third)], "after the back-off: restarted").toEqual(["running", 2]);
    } finally {
      vi.useRealTimers();
    }
  });
});
