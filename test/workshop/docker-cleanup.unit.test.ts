/**
 * What decides that a test run leaked Docker objects, and the order in which
 * the cleanups remove a network: endpoints still listed are disconnected
 * with force before the network is removed. A fake engine records the calls.
 */
import { hostname } from "node:os";
import type Docker from "dockerode";
import { describe, expect, it } from "vitest";
import { CHECKOUT_LABEL, HOST_LABEL, PID_LABEL, removeLabelled, removeNetwork, RUN_LABEL } from "../../shared/docker.ts";
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
