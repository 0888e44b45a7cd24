/**
 * Chapter 13 challenges: optional extensions. They fail until you build
 * them; run them with `npm run check 13 -- --challenges`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as rollout from "@tree/13-deployments/deployment/rollout.ts";
import type { List } from "../../shared/api/index.ts";
import type { Event } from "../../shared/api/core.ts";
import { startCluster, type TestCluster } from "../harness/cluster.ts";
import { http } from "../harness/http.ts";
import { waitFor } from "../harness/wait.ts";

type SetCounts = rollout.SetCounts;
type Proportional = (replicas: number, maxSurge: number, sets: SetCounts[]) => Map<string, number>;

/** The learner's proportionalTargets, or a failure that says what to write. */
function proportionalTargets(): Proportional {
  const fn = (rollout as Record<string, unknown>).proportionalTargets;
  if (typeof fn !== "function")
    throw new Error("export proportionalTargets(replicas, maxSurge, sets) from deployment/rollout.ts");
  return fn as Proportional;
}

const set = (name: string, replicas: number): SetCounts => ({ name, replicas, available: replicas });

describe("13 challenge > proportional scaling", () => {
  it("a scale up in the middle of a rollout grows every ReplicaSet with pods by its share", () => {
    // 10 -> 20 replicas, no surge: 10 more pods, shared 6:4.
    expect(proportionalTargets()(20, 0, [set("old", 6), set("new", 4)])).toEqual(
      new Map([
        ["old", 12],
        ["new", 8],
      ]),
    );
  });

  it("a scale down shrinks them by their share, and never below 0", () => {
    expect(proportionalTargets()(5, 0, [set("old", 6), set("new", 4)])).toEqual(
      new Map([
        ["old", 3],
        ["new", 2],
      ]),
    );
    expect(proportionalTargets()(0, 0, [set("old", 6), set("new", 4)])).toEqual(
      new Map([
        ["old", 0],
        ["new", 0],
      ]),
    );
  });

  it("the total is exact: what rounding leaves over goes to one ReplicaSet", () => {
    const targets = proportionalTargets()(11, 1, [set("a", 3), set("b", 3), set("c", 3)]);
    expect([...targets.values()].reduce((n, v) => n + v, 0)).toBe(12);
  });
});

describe("13 challenge > events", () => {
  let cluster: TestCluster;
  let api: ReturnType<typeof http>;
  let auth: Record<string, string>;
  beforeAll(async () => {
    cluster = await startCluster({ chapter: "13", runtime: "fake" });
    api = http(cluster.url);
    auth = cluster.adminToken ? { authorization: `Bearer ${cluster.adminToken}` } : {};
  });
  afterAll(() => cluster?.close());

  it("the deployment controller posts a ScalingReplicaSet event for each scale", async () => {
    const d = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "ev" },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "ev" } },
        template: { metadata: { labels: { app: "ev" } }, spec: { containers: [{ name: "c", image: "busybox:latest" }] } },
      },
    };
    expect((await api("POST", "/apis/apps/v1/namespaces/default/deployments", d, auth)).status).toBe(201);
    const events = await waitFor(
      "a ScalingReplicaSet event about deployment ev",
      async () => {
        const list = await api<List<Event>>(
          "GET",
          "/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dev",
          undefined,
          auth,
        );
        const found = list.body.items.filter((e) => e.reason === "ScalingReplicaSet" && e.involvedObject?.kind === "Deployment");
        if (found.length > 0) return found;
        throw new Error(`events: ${list.body.items.map((e) => e.reason).join(", ") || "none"}`);
      },
      { timeoutMs: 20_000 },
    );
    expect(events[0]!.message).toMatch(/^Scaled up replica set ev-[a-z0-9]+ (from 0 )?to 2$/);
  });
});

describe("13 challenge > unhealthy pod eviction policy", () => {
  let cluster: TestCluster;
  let api: ReturnType<typeof http>;
  let auth: Record<string, string>;
  beforeAll(async () => {
    cluster = await startCluster({ chapter: "13", runtime: "fake" });
    api = http(cluster.url);
    auth = cluster.adminToken ? { authorization: `Bearer ${cluster.adminToken}` } : {};
  });
  afterAll(() => cluster?.close());

  /** A pod that runs but is not Ready, on a node without a kubelet (so nobody rewrites its status), and its budget. */
  async function unreadyPodWithBudget(app: string, policy?: string): Promise<void> {
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: app, labels: { app } },
      spec: { nodeName: "ghost", containers: [{ name: "c", image: "busybox:latest" }] },
    };
    expect((await api("POST", "/api/v1/namespaces/default/pods", pod, auth)).status).toBe(201);
    const current = await api<Record<string, unknown>>("GET", `/api/v1/namespaces/default/pods/${app}`, undefined, auth);
    const status = { phase: "Running", conditions: [{ type: "Ready", status: "False" }] };
    expect((await api("PUT", `/api/v1/namespaces/default/pods/${app}/status`, { ...current.body, status }, auth)).status).toBe(
      200,
    );
    const pdb = {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: app },
      spec: { minAvailable: 1, selector: { matchLabels: { app } }, ...(policy ? { unhealthyPodEvictionPolicy: policy } : {}) },
    };
    expect((await api("POST", "/apis/policy/v1/namespaces/default/poddisruptionbudgets", pdb, auth)).status).toBe(201);
    await waitFor(
      `the disruption controller to count budget ${app} (1 expected, 0 healthy)`,
      async () => {
        const b = await api<{ status?: { observedGeneration?: number; expectedPods?: number } }>(
          "GET",
          `/apis/policy/v1/namespaces/default/poddisruptionbudgets/${app}`,
          undefined,
          auth,
        );
        return b.body.status?.observedGeneration === 1 && b.body.status.expectedPods === 1;
      },
      { timeoutMs: 20_000 },
    );
  }

  const evict = (name: string) =>
    api(
      "POST",
      `/api/v1/namespaces/default/pods/${name}/eviction`,
      { apiVersion: "policy/v1", kind: "Eviction", metadata: { name } },
      auth,
    );

  it("AlwaysAllow lets an unready pod go even when the budget is not met; the default (IfHealthyBudget) does not", async () => {
    await unreadyPodWithBudget("strict");
    expect((await evict("strict")).status, "the default policy: an unready pod of a broken budget stays").toBe(429);
    await unreadyPodWithBudget("lenient", "AlwaysAllow");
    expect((await evict("lenient")).status, "unhealthyPodEvictionPolicy: AlwaysAllow: the unready pod is evicted").toBe(201);
  });
});
