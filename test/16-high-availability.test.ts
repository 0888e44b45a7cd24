/**
 * Chapter 16 on the whole cluster (hollow nodes over FakeRuntime: no
 * containers, the control plane is real): the scheduler and the controller
 * manager run as two replicas each, and only the leader of each acts.
 *
 * - The leading scheduler is killed (no release, as a crash) while pods are
 *   created: the other replica takes over once the lease runs out; every
 *   pod is bound, and exactly one "Scheduled" event exists per pod.
 * - The leading controller manager is killed while an RC scales up: the
 *   other takes over; the RC ends with exactly its replicas.
 * - Every kubelet renews a Lease in kube-node-lease. The kubelets here post
 *   their status only every 10 minutes, so chapter 12's node lifecycle
 *   controller keeps the nodes Ready only because it reads the leases.
 *
 * The lease is 3 s here (15 s in Kubernetes); no assertion is about time.
 * Each wait has the deadline CLUSTER_WAIT_MS (60 s), although it normally
 * holds within seconds: a loaded 2-core machine must not fail a test. Each
 * test's own timeout is above the sum of its waits that can run long.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Lease } from "../shared/api/coordination.ts";
import type { Event, List, Node, Pod } from "../shared/api/index.ts";
import type { ReplicationController } from "../shared/api/replication.ts";
import type { ReplicaHandle } from "../shared/cluster/index.ts";
import { adminHeaders, startCluster, type TestCluster } from "./harness/cluster.ts";
import { http } from "./harness/http.ts";
import { CLUSTER_WAIT_MS, FAST_NODE_LIFECYCLE } from "./harness/tuning.ts";
import { giveUp, waitFor } from "./harness/wait.ts";

let cluster: TestCluster;
let api: ReturnType<typeof http>;
let auth: Record<string, string>;

const LEASES = "/apis/coordination.k8s.io/v1/namespaces";

beforeAll(async () => {
  cluster = await startCluster({
    chapter: "16",
    nodes: 3,
    runtime: "fake",
    // Status every 10 minutes: only the node leases keep the nodes alive.
    kubelet: { heartbeatIntervalMs: 600_000, relistIntervalMs: 300 },
    nodeLifecycle: FAST_NODE_LIFECYCLE,
    nodeLease: { leaseDurationSeconds: 2, renewIntervalMs: 300 },
    leaderElection: { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 300 },
  });
  api = http(cluster.url);
  auth = adminHeaders(cluster);
});

afterAll(() => cluster?.close());

async function lease(namespace: string, name: string): Promise<Lease | undefined> {
  const res = await api<Lease>("GET", `${LEASES}/${namespace}/leases/${name}`, undefined, auth);
  return res.status === 200 ? res.body : undefined;
}

/** The replica that leads now, once the Lease names it too. */
function leaderOf(component: "scheduler" | "controller manager", leaseName: string): Promise<ReplicaHandle> {
  return waitFor(
    `a leader of the ${component}, named in kube-system/${leaseName}`,
    async () => {
      const replicas = cluster.replicas(component);
      if (replicas.length < 2) throw giveUp(`the ${component} runs ${replicas.length} replica(s); chapter 16 runs 2`);
      const leaders = replicas.filter((r) => r.isLeader());
      if (leaders.length > 1) throw giveUp(`${leaders.length} replicas of the ${component} think they lead`);
      const holder = (await lease("kube-system", leaseName))?.spec?.holderIdentity;
      return leaders[0] && holder === leaders[0].identity ? leaders[0] : undefined;
    },
    { timeoutMs: CLUSTER_WAIT_MS },
  );
}

function pod(name: string): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { test: "ha-scheduler" } },
    spec: { containers: [{ name: "app", image: "busybox:latest", resources: { requests: { cpu: "10m" } } }] },
  };
}

it(
  "16 chapter > the leading scheduler killed while pods are created: the other replica takes over, no pod bound twice",
  async () => {
    const first = await leaderOf("scheduler", "kube-scheduler");
    const before = (await lease("kube-system", "kube-scheduler"))?.spec?.leaseTransitions ?? 0;
    const names = Array.from({ length: 40 }, (_, i) => `ha-${i}`);
    for (const [i, name] of names.entries()) {
      if (i === 15) await first.kill(); // a crash: the lease is not released
      const res = await api("POST", "/api/v1/namespaces/default/pods", pod(name), auth);
      expect(res.status, `creating pod ${name}`).toBe(201);
    }
    const second = await leaderOf("scheduler", "kube-scheduler");
    expect(second.identity).not.toBe(first.identity);
    expect((await lease("kube-system", "kube-scheduler"))?.spec?.leaseTransitions).toBe(before + 1);

    await waitFor(
      "every pod bound to a node",
      async () => {
        const list = await api<List<Pod>>(
          "GET",
          "/api/v1/namespaces/default/pods?labelSelector=test%3Dha-scheduler",
          undefined,
          auth,
        );
        const unbound = list.body.items.filter((p) => !p.spec?.nodeName).map((p) => p.metadata?.name);
        if (unbound.length > 0) throw new Error(`still unbound: ${unbound.join(", ")}`);
        return list.body.items.length === names.length;
      },
      { timeoutMs: CLUSTER_WAIT_MS },
    );
    // Events are written after the binding, so wait for them too. A crash can cut the event of a
    // binding the first leader had sent (events are best effort), but only of pods created before
    // the crash: the others were bound by the second leader, which tells.
    const scheduledCounts = async () => {
      const events = await api<List<Event>>("GET", "/api/v1/namespaces/default/events", undefined, auth);
      const scheduled = new Map<string, number>();
      for (const e of events.body.items) {
        if (e.reason !== "Scheduled") continue;
        const name = e.involvedObject?.name ?? "";
        scheduled.set(name, (scheduled.get(name) ?? 0) + (e.count ?? 1));
      }
      return scheduled;
    };
    const scheduled = await waitFor(
      "a Scheduled event for every pod created after the crash",
      async () => {
        const counts = await scheduledCounts();
        const never = names.slice(15).filter((n) => !counts.has(n));
        if (never.length > 0) throw new Error(`bound without a Scheduled event yet: ${never.join(", ")}`);
        return counts;
      },
      { timeoutMs: CLUSTER_WAIT_MS },
    );
    const twice = names.filter((n) => (scheduled.get(n) ?? 0) > 1);
    expect(twice, "pods scheduled more than once (two schedulers acted)").toEqual([]);
  },
  5 * CLUSTER_WAIT_MS,
);

it(
  "16 chapter > the leading controller manager killed while an RC scales up: the RC ends with exactly its replicas",
  async () => {
    const first = await leaderOf("controller manager", "kube-controller-manager");
    const rc: ReplicationController = {
      apiVersion: "v1",
      kind: "ReplicationController",
      metadata: { name: "ha-rc" },
      spec: {
        replicas: 30,
        selector: { app: "ha-rc" },
        template: { metadata: { labels: { app: "ha-rc" } }, spec: { containers: [{ name: "app", image: "busybox:latest" }] } },
      },
    };
    expect((await api("POST", "/api/v1/namespaces/default/replicationcontrollers", rc, auth)).status).toBe(201);
    const podsOfRc = async () =>
      (await api<List<Pod>>("GET", "/api/v1/namespaces/default/pods?labelSelector=app%3Dha-rc", undefined, auth)).body.items;
    await waitFor("the RC's first pods", async () => (await podsOfRc()).length >= 3, { timeoutMs: CLUSTER_WAIT_MS });
    await first.kill();
    const second = await leaderOf("controller manager", "kube-controller-manager");
    expect(second.identity).not.toBe(first.identity);

    await waitFor(
      "the RC at 30 pods, as its status says",
      async () => {
        const res = await api<ReplicationController>(
          "GET",
          "/api/v1/namespaces/default/replicationcontrollers/ha-rc",
          undefined,
          auth,
        );
        const pods = await podsOf();
        if (pods.length > 30) throw giveUp(`the RC has ${pods.length} pods; it wants 30 (two controller managers acted?)`);
        return res.body.status?.replicas === 30 && pods.length === 30;
        async function podsOf() {
          return (await podsOfRc()).filter((p) => !p.metadata?.deletionTimestamp);
        }
      },
      { timeoutMs: CLUSTER_WAIT_MS },
    );
    const pods = await podsOfRc();
    expect(pods.length).toBe(30);
    expect(new Set(pods.map((p) => p.metadata?.name)).size, "pod names").toBe(30);
  },
  4 * CLUSTER_WAIT_MS,
);

it(
  "16.6 every kubelet renews its Lease in kube-node-lease",
  async () => {
    for (const node of ["node-1", "node-2", "node-3"]) {
      const first = await waitFor(`the Lease kube-node-lease/${node}`, () => lease("kube-node-lease", node), {
        timeoutMs: CLUSTER_WAIT_MS,
      });
      expect(first.spec?.holderIdentity).toBe(node);
      expect(first.spec?.leaseDurationSeconds).toBe(2);
      await waitFor(
        `the renewTime of kube-node-lease/${node} to move`,
        async () => {
          const now = await lease("kube-node-lease", node);
          return now?.spec?.renewTime !== first.spec?.renewTime;
        },
        { timeoutMs: CLUSTER_WAIT_MS },
      );
    }
  },
  4 * CLUSTER_WAIT_MS,
);

it(
  "16.6 the node lifecycle controller takes a moving Lease as a heartbeat; a node whose Lease stops becomes Unknown",
  async () => {
    const readyOf = async (name: string) => {
      const node = (await api<Node>("GET", `/api/v1/nodes/${name}`, undefined, auth)).body;
      return node.status?.conditions?.find((c) => c.type === "Ready");
    };
    // The kubelets wrote their status once, at start; wait until that is two grace periods old.
    const grace = FAST_NODE_LIFECYCLE.nodeMonitorGracePeriodMs;
    const posted = Date.parse((await readyOf("node-1"))?.lastHeartbeatTime ?? "");
    await waitFor(
      "two grace periods after node-1 last posted its status",
      async () => {
        const renewed = Date.parse((await lease("kube-node-lease", "node-1"))?.spec?.renewTime ?? "");
        return renewed - posted > 2 * grace;
      },
      { timeoutMs: CLUSTER_WAIT_MS },
    );
    expect((await readyOf("node-1"))?.status, "node-1's status is old but its Lease moves: it is alive").toBe("True");

    await cluster.stopNode("node-3");
    await waitFor("node-3 Ready=Unknown once its Lease stops", async () => (await readyOf("node-3"))?.status === "Unknown", {
      timeoutMs: CLUSTER_WAIT_MS,
    });
  },
  3 * CLUSTER_WAIT_MS,
);
