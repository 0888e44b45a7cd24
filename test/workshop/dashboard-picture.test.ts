/**
 * The cluster picture (workshop/dashboard/picture.ts) and its text form
 * (text.ts), on fixed objects: no cluster, no browser.
 */
import { describe, expect, it } from "vitest";
import type { Event, Node, Pod } from "../../shared/api/core.ts";
import type { Endpoints, Service } from "../../shared/api/service.ts";
import { buildPicture, EVENT_LIMIT, nodeState, type PictureInput } from "../../workshop/dashboard/picture.ts";
import { renderText } from "../../workshop/dashboard/text.ts";

const node = (name: string, ready: "True" | "False" | undefined, extra: Partial<Node["spec"]> = {}): Node => ({
  metadata: { name },
  spec: extra,
  status: {
    allocatable: { cpu: "2", memory: "1Gi", pods: "10" },
    conditions: ready ? [{ type: "Ready", status: ready }] : [],
  },
});

const pod = (name: string, nodeName: string | undefined, status: Pod["status"] = {}, cpu = "100m"): Pod => ({
  metadata: {
    name,
    namespace: "default",
    ownerReferences: [{ apiVersion: "v1", kind: "ReplicationController", name: "web", uid: "u", controller: true }],
  },
  spec: { nodeName, containers: [{ name: "app", image: "busybox", resources: { requests: { cpu, memory: "64Mi" } } }] },
  status,
});

function input(overrides: Partial<PictureInput> = {}): PictureInput {
  return {
    nodes: [],
    pods: [],
    services: [],
    endpoints: [],
    workloads: [],
    events: [],
    cluster: { tree: "solutions", chapters: ["05"], kinds: ["Pod"] },
    ...overrides,
  };
}

describe("the cluster picture", () => {
  it("reads a node's state from its Ready condition: True, False, or none yet (Unknown)", () => {
    expect(nodeState(node("a", "True"))).toBe("Ready");
    expect(nodeState(node("a", "False"))).toBe("NotReady");
    expect(nodeState(node("a", undefined))).toBe("Unknown");
  });

  it("puts pods in their node's column, and pods without a node in the unscheduled lane with the scheduler's message", () => {
    const picture = buildPicture(
      input({
        nodes: [node("node-1", "True"), node("node-2", "True")],
        pods: [
          pod("b", "node-1"),
          pod("a", "node-1"),
          pod("big", undefined, {
            phase: "Pending",
            conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/2 nodes are available" }],
          }),
        ],
      }),
    );
    expect(picture.nodes.map((n) => [n.name, n.pods.map((p) => p.name)])).toEqual([
      ["node-1", ["a", "b"]],
      ["node-2", []],
    ]);
    expect(picture.unscheduled.map((p) => [p.name, p.reason])).toEqual([["big", "0/2 nodes are available"]]);
  });

  it("counts requests of the pods that hold their place, not of finished ones, against allocatable", () => {
    const [column] = buildPicture(
      input({
        nodes: [node("node-1", "True")],
        pods: [pod("a", "node-1", {}, "250m"), pod("done", "node-1", { phase: "Succeeded" }, "1")],
      }),
    ).nodes;
    expect(column!.cpu).toEqual({ requested: 250, allocatable: 2000 });
    expect(column!.memory).toEqual({ requested: 64 * 2 ** 20, allocatable: 2 ** 30 });
  });

  it("sums restarts, shows ready containers, the owner and a waiting reason", () => {
    const card = buildPicture(
      input({
        nodes: [node("node-1", "True")],
        pods: [
          pod("a", "node-1", {
            phase: "Running",
            podIP: "10.0.0.5",
            containerStatuses: [
              {
                name: "app",
                ready: false,
                restartCount: 3,
                image: "busybox",
                imageID: "",
                state: { waiting: { reason: "CrashLoopBackOff" } },
              },
            ],
          }),
        ],
      }),
    ).nodes[0]!.pods[0]!;
    expect(card).toMatchObject({
      ready: "0/1",
      restarts: 3,
      ip: "10.0.0.5",
      owner: "ReplicationController/web",
      reason: "CrashLoopBackOff",
    });
  });

  it("lists a Service's ready endpoints as address:port, and keeps only the newest events", () => {
    const service: Service = {
      metadata: { name: "web", namespace: "default" },
      spec: { clusterIP: "10.96.0.10", ports: [{ port: 80 }] },
    };
    const endpoints: Endpoints = {
      metadata: { name: "web", namespace: "default" },
      subsets: [
        { addresses: [{ ip: "10.0.0.6" }, { ip: "10.0.0.5" }], notReadyAddresses: [{ ip: "10.0.0.7" }], ports: [{ port: 8080 }] },
      ],
    };
    const events: Event[] = Array.from({ length: EVENT_LIMIT + 3 }, (_, i) => ({
      metadata: { name: `e${i}` },
      involvedObject: { kind: "Pod", name: "a" },
      reason: `R${i}`,
      lastTimestamp: `2026-01-01T00:00:${String(i).padStart(2, "0")}Z`,
    }));
    const picture = buildPicture(input({ services: [service], endpoints: [endpoints], events }));
    expect(picture.services[0]).toMatchObject({
      clusterIP: "10.96.0.10",
      ports: "80/TCP",
      endpoints: ["10.0.0.5:8080", "10.0.0.6:8080"],
    });
    expect(picture.events.map((e) => e.reason)).toEqual(Array.from({ length: EVENT_LIMIT }, (_, i) => `R${i + 3}`));
  });

  it("does not fail on a quantity it cannot read: it counts 0", () => {
    const bad = pod("a", "node-1", {}, "lots");
    expect(buildPicture(input({ nodes: [node("node-1", "True")], pods: [bad] })).nodes[0]!.cpu.requested).toBe(0);
  });
});

describe("the picture as text (npm run top)", () => {
  it("prints a node table, each node's pods, and the unscheduled ones, without escape codes", () => {
    const text = renderText(
      buildPicture(
        input({
          nodes: [node("node-1", "True", { unschedulable: true, taints: [{ key: "k", value: "v", effect: "NoSchedule" }] })],
          pods: [pod("a", "node-1", { phase: "Running" }), pod("big", undefined)],
        }),
      ),
    );
    expect(text).toMatch(/^NODE\s+STATE\s+CPU\s+MEMORY\s+PODS\s+TAINTS$/m);
    expect(text).toMatch(/^node-1\s+Ready,SchedulingDisabled\s+100m\/2\.0\s+64Mi\/1\.0Gi\s+1\s+k=v:NoSchedule$/m);
    expect(text).toMatch(/^node-1:\n {2}a\s+Running\s+0\/1\s+restarts 0/m);
    expect(text).toMatch(/^unscheduled:\n {2}big\s+Pending/m);
    expect(text).not.toContain("\u001b[");
  });
});
