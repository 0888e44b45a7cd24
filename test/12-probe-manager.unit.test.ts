/**
 * Chapter 12 without Docker: step 12.3, the probe manager's workers and the
 * liveness kill, on the in-memory FakeRuntime. On a real kubelet every status
 * it writes also asks isReady() (step 12.4), so the test on Docker is named
 * 12.4; these let a learner see 12.3 pass as soon as it is done.
 */
import { afterEach, describe, expect, it } from "vitest";
import { KubeletProbeManager } from "@tree/12-self-healing/probes/probe-manager.ts";
import type { ProbeWorker } from "@tree/12-self-healing/probes/worker.ts";
import type { Container, Event, Pod } from "../shared/api/index.ts";
import { FakeRuntime } from "../shared/runtime/fake-runtime.ts";
import type { ContainerStatus } from "../shared/runtime/types.ts";
import { TEST_IMAGE } from "../shared/test-image.ts";
import { waitFor } from "./harness/wait.ts";

const managers: KubeletProbeManager[] = [];
afterEach(async () => {
  // Every worker's timer stops with its manager: nothing runs on into the next file.
  await Promise.all(managers.splice(0).map((m) => m.stop()));
});

/** A manager on a fake node: `healthy` decides every exec probe; stops and events are recorded. */
function setUp() {
  const state = { healthy: true };
  const runtime = new FakeRuntime({ exec: () => ({ exitCode: state.healthy ? 0 : 1, stdout: "", stderr: "no /tmp/healthy" }) });
  const stops: Array<{ id: string; grace: number }> = [];
  const stop = runtime.stop.bind(runtime);
  runtime.stop = (id, grace) => {
    stops.push({ id, grace });
    return stop(id, grace);
  };
  const events: Event[] = [];
  const client = {
    resource: () => ({
      create: async (e: Event) => (events.push(e), e),
      patch: async () => ({}),
    }),
  };
  const manager = new KubeletProbeManager({ nodeName: "node-1", runtime, client: client as never, log: () => {} });
  managers.push(manager);
  // The workers, by "<pod uid>/<container>/<kind>" (the manager's own map; see probe-manager.ts).
  const workers = () => (manager as unknown as { workers: Map<string, ProbeWorker> }).workers;
  return { state, runtime, stops, events, manager, workers };
}

function pod(containers: Container[], grace?: number): Pod {
  return {
    metadata: { name: "web", namespace: "default", uid: "uid-web" },
    spec: { containers, ...(grace !== undefined ? { terminationGracePeriodSeconds: grace } : {}) },
  };
}

const probe = { exec: { command: ["cat", "/tmp/healthy"] }, periodSeconds: 3600, failureThreshold: 1 };

async function runContainer(runtime: FakeRuntime, name: string): Promise<ContainerStatus> {
  const id = await runtime.create({ name, image: TEST_IMAGE });
  await runtime.start(id);
  return runtime.inspect(id);
}

describe("12.3 probe manager", () => {
  it("keeps exactly one worker per running instance and probe kind: a new instance gets a new one, a stopped container or a removed probe none", async () => {
    const { runtime, manager, workers } = setUp();
    // No check runs in this test (the first would come after an hour): only the workers' lifecycle counts.
    const idle = { ...probe, initialDelaySeconds: 3600 };
    const both: Container = { name: "app", image: TEST_IMAGE, livenessProbe: idle, readinessProbe: idle };
    const plain: Container = { name: "side", image: TEST_IMAGE };
    const p = pod([both, plain]);
    const first = await runContainer(runtime, "app-0");
    const side = await runContainer(runtime, "side-0");
    const seen = () => [...workers()].map(([key, w]) => `${key}@${w.containerId}`).sort();

    manager.podSynced(
      p,
      new Map([
        ["app", first],
        ["side", side],
      ]),
      () => {},
    );
    expect(seen(), "one worker per probe of the running instance; none for a container without probes").toEqual([
      `uid-web/app/liveness@${first.id}`,
      `uid-web/app/readiness@${first.id}`,
    ]);
    const before = [...workers().values()];
    manager.podSynced(
      p,
      new Map([
        ["app", first],
        ["side", side],
      ]),
      () => {},
    );
    expect([...workers().values()], "a second sync of the same instance keeps the same workers").toEqual(before);

    const second = await runContainer(runtime, "app-1");
    manager.podSynced(
      p,
      new Map([
        ["app", second],
        ["side", side],
      ]),
      () => {},
    );
    expect(seen(), "the restarted container (a new id) is probed from scratch").toEqual([
      `uid-web/app/liveness@${second.id}`,
      `uid-web/app/readiness@${second.id}`,
    ]);

    manager.podSynced(pod([{ ...both, readinessProbe: undefined }, plain]), new Map([["app", second]]), () => {});
    expect(seen(), "the readiness probe was removed from the spec").toEqual([`uid-web/app/liveness@${second.id}`]);

    manager.podSynced(p, new Map(), () => {});
    expect(seen(), "nothing runs: no worker left").toEqual([]);
  });

  it("a failed liveness probe stops that instance with the probe's grace period, says Killing, and asks for a sync", async () => {
    const { state, runtime, stops, events, manager } = setUp();
    const instance = await runContainer(runtime, "app-0");
    state.healthy = false;
    let resyncs = 0;
    manager.podSynced(
      pod([{ name: "app", image: TEST_IMAGE, livenessProbe: { ...probe, terminationGracePeriodSeconds: 4 } }], 30),
      new Map([["app", instance]]),
      () => resyncs++,
    );
    await waitFor("a sync asked for after the liveness failure", () => resyncs > 0);
    expect(stops, "the stop of the unhealthy instance, with the probe's terminationGracePeriodSeconds").toEqual([
      { id: instance.id, grace: 4 },
    ]);
    expect((await runtime.inspect(instance.id)).state, "the instance was stopped, not left running").toBe("exited");
    await manager.stop(); // flushes the events
    expect(events.map((e) => [e.reason, e.message])).toContainEqual([
      "Killing",
      "Container app failed liveness probe, will be restarted",
    ]);
  });

  it("without a grace period on the probe, the pod's is used, and without one there, 30 s", async () => {
    for (const [podGrace, expected] of [
      [7, 7],
      [undefined, 30],
    ] as const) {
      const { state, runtime, stops, manager } = setUp();
      const instance = await runContainer(runtime, "app-0");
      state.healthy = false;
      let resyncs = 0;
      manager.podSynced(
        pod([{ name: "app", image: TEST_IMAGE, livenessProbe: probe }], podGrace),
        new Map([["app", instance]]),
        () => resyncs++,
      );
      await waitFor("a sync asked for after the liveness failure", () => resyncs > 0);
      expect(stops, `the grace period with terminationGracePeriodSeconds ${podGrace} on the pod`).toEqual([
        { id: instance.id, grace: expected },
      ]);
    }
  });
});
