/**
 * What decides that a test run leaked Docker objects, and the order in which
 * the cleanups remove a network: endpoints still listed are disconnected
 * with force before the network is removed. A fake engine records the calls.
 */
import { hostname } from "node:os";
import type Docker from "dockerode";
import { describe, expect, it } from "vitest";
import {
  CHECKOUT_LABEL,
  HOST_LABEL,
  leaveNetworksOneByOne,
  PID_LABEL,
  removeLabelled,
  removeNetwork,
  RUN_LABEL,
} from "../../shared/docker.ts";
import { FakeRuntime } from "../../shared/runtime/fake-runtime.ts";
import { oneLeaveAtATime } from "../../shared/runtime/one-leave-at-a-time.ts";
import type { ContainerRuntime } from "../../shared/runtime/types.ts";
import { sweepDeadRuns } from "../../workshop/sweeper.ts";
import { leakReport } from "../harness/leaks.ts";

const stale = Object.assign(new Error("(HTTP code 403) unexpected"), {
  statusCode: 403,
  json: { message: "error while removing network: network k8s-workshop-0badf00d id 0badf00d has active endpoints" },
});

/** An engine with one network and the containers given; `calls` lists what was asked of it, in order. */
function fakeEngine(options: {
  containers?: { Id: string; Names: string[]; Labels?: Record<string, string> }[];
  endpoints?: Record<string, { Name: string }>;
  networkLabels?: Record<string, string>;
  refuseRemoval?: boolean;
}) {
  const calls: string[] = [];
  const engine = {
    listContainers: async () => options.containers ?? [],
    getContainer: (id: string) => ({
      remove: async () => void calls.push(`remove container ${id}`),
    }),
    listNetworks: async () => [{ Id: "0badf00d", Name: "k8s-workshop-0badf00d", Labels: options.networkLabels ?? {} }],
    getNetwork: (id: string) => ({
      inspect: async () => {
        calls.push(`inspect network ${id}`);
        return { Containers: options.endpoints ?? {} };
      },
      disconnect: async (o: { Container: string; Force: boolean }) =>
        void calls.push(`disconnect ${o.Container}${o.Force ? " with force" : ""}`),
      remove: async () => {
        calls.push(`remove network ${id}`);
        if (options.refuseRemoval) throw stale;
      },
    }),
  };
  return { calls, docker: engine as unknown as Docker };
}

describe("leakReport", () => {
  it("says nothing when the run left nothing", () => {
    expect(leakReport({ containers: [], networks: [], failed: [] })).toBeUndefined();
  });

  it("counts what the teardown removed and what Docker refused to remove, and says which is still there", () => {
    const report = leakReport({
      containers: ["k8s_POD_web_default_1_0"],
      networks: [],
      failed: ["network k8s-workshop-0badf00d (Docker: has active endpoints)"],
    });
    expect(report).toBe(
      "test teardown: this run left 2 Docker object(s) behind; now removed: container k8s_POD_web_default_1_0; " +
        "still there (restart the Docker engine to clear them): network k8s-workshop-0badf00d (Docker: has active endpoints)",
    );
  });

  it("a network removed by the teardown is a leak too", () => {
    expect(leakReport({ containers: [], networks: ["k8s-workshop-1a2b3c4d"], failed: [] })).toMatch(
      /left 1 Docker object\(s\) behind; now removed: network k8s-workshop-1a2b3c4d$/,
    );
  });
});

describe("removing a network", () => {
  it("disconnects every endpoint Docker still lists, with force and by name, and only then removes the network", async () => {
    const { calls, docker } = fakeEngine({
      endpoints: { "ep-1234": { Name: "k8s_POD_gone_default_9_0" }, abcd: { Name: "raw-pause" } },
    });
    await removeNetwork(docker, "0badf00d");
    expect(calls).toEqual([
      "inspect network 0badf00d",
      "disconnect k8s_POD_gone_default_9_0 with force",
      "disconnect raw-pause with force",
      "remove network 0badf00d",
    ]);
  });

  it("removeLabelled removes the containers first, then the network; a refusal is reported as still there", async () => {
    const { calls, docker } = fakeEngine({
      containers: [{ Id: "c1", Names: ["/k8s_POD_web_default_1_0"] }],
      refuseRemoval: true,
    });
    const removed = await removeLabelled(docker, "k8s-workshop.test-run", "r1");
    expect(calls).toEqual(["remove container c1", "inspect network 0badf00d", "remove network 0badf00d"]);
    expect(removed.containers).toEqual(["k8s_POD_web_default_1_0"]);
    expect(removed.networks).toEqual([]);
    expect(removed.failed).toEqual([`network k8s-workshop-0badf00d (Docker: ${stale.json.message})`]);
    expect(leakReport(removed)).toContain("still there");
  });

  it("the sweeper disconnects a dead run's leftover endpoints before it removes the network", async () => {
    const labels = { [RUN_LABEL]: "dead-run", [PID_LABEL]: "999999999", [HOST_LABEL]: hostname(), [CHECKOUT_LABEL]: "/x" };
    const { calls, docker } = fakeEngine({ endpoints: { "ep-1": { Name: "k8s_POD_x_default_1_0" } }, networkLabels: labels });
    const removed = await sweepDeadRuns(docker, { checkout: "/x", alive: () => false });
    expect(calls).toEqual(["inspect network 0badf00d", "disconnect k8s_POD_x_default_1_0 with force", "remove network 0badf00d"]);
    expect(removed.networks).toEqual(["k8s-workshop-0badf00d"]);
  });
});

/** Runs `task` and notes how many ran at once per key: the largest number is what the tests look at. */
function concurrency() {
  const now = new Map<string, number>();
  const most = new Map<string, number>();
  return {
    most,
    async track(key: string, task: () => Promise<void> = () => new Promise((r) => setTimeout(r, 5))) {
      now.set(key, (now.get(key) ?? 0) + 1);
      most.set(key, Math.max(most.get(key) ?? 0, now.get(key)!));
      try {
        await task();
      } finally {
        now.set(key, now.get(key)! - 1);
      }
    },
  };
}

describe("containers leave a network one at a time", () => {
  it("leaveNetworksOneByOne: one disconnect at a time per network, networks side by side, stopped containers skipped", async () => {
    const seen = concurrency();
    const calls: string[] = [];
    const docker = {
      getNetwork: (network: string) => ({
        disconnect: (o: { Container: string; Force: boolean }) => {
          calls.push(`${network} ${o.Container}${o.Force ? " force" : ""}`);
          return seen.track(network);
        },
      }),
    } as unknown as Docker;
    const on = (...networks: [string, string][]) => ({
      NetworkSettings: { Networks: Object.fromEntries(networks.map(([id, ep]) => [id, { NetworkID: id, EndpointID: ep }])) },
    });
    const containers = [
      { Id: "a", ...on(["n1", "e1"]) },
      { Id: "b", ...on(["n1", "e2"], ["n2", "e3"]) },
      { Id: "c", ...on(["n1", "e4"]) },
      { Id: "stopped", ...on(["n1", ""]) },
    ] as unknown as Docker.ContainerInfo[];
    await leaveNetworksOneByOne(docker, containers);
    expect(calls.sort()).toEqual(["n1 a force", "n1 b force", "n1 c force", "n2 b force"]);
    expect(seen.most.get("n1")).toBe(1);
  });

  it("oneLeaveAtATime: pause containers stop and go one at a time; app containers (container:<id>) and starts are not held", async () => {
    const fake = new FakeRuntime({ name: "node-1", images: ["busybox"] });
    const seen = concurrency();
    const tracked: ContainerRuntime = {
      ping: () => fake.ping(),
      ensureImage: (i) => fake.ensureImage(i),
      create: (spec) => fake.create(spec),
      start: (id) => fake.start(id),
      stop: (id, g) => seen.track(kind.get(id)!, () => fake.stop(id, g).then(() => new Promise((r) => setTimeout(r, 5)))),
      remove: (id) => seen.track(kind.get(id)!, () => fake.remove(id).then(() => new Promise((r) => setTimeout(r, 5)))),
      list: (l) => fake.list(l),
      inspect: (id) => fake.inspect(id),
      logs: (id, o) => fake.logs(id, o),
      exec: (id, c) => fake.exec(id, c),
    };
    const kind = new Map<string, string>();
    const runtime = oneLeaveAtATime(tracked);
    const pauses = await Promise.all(
      [1, 2, 3].map((i) => runtime.create({ name: `pause-${i}`, image: "busybox", networkMode: "k8s-workshop-1" })),
    );
    const apps = await Promise.all(
      pauses.map((p, i) => runtime.create({ name: `app-${i}`, image: "busybox", networkMode: `container:${p}` })),
    );
    for (const p of pauses) kind.set(p, "pause");
    for (const a of apps) kind.set(a, "app");
    await Promise.all([...pauses, ...apps].map((id) => runtime.start(id)));
    await Promise.all(apps.map((id) => runtime.stop(id, 0)));
    await Promise.all(pauses.map((id) => runtime.stop(id, 0)));
    await Promise.all([...apps, ...pauses].map((id) => runtime.remove(id)));
    expect(seen.most.get("pause")).toBe(1);
    expect(seen.most.get("app")).toBe(3);
    expect(await fake.list()).toEqual([]);
  });
});
