/**
 * Chapter 09, the scheduler against the chapter 03 apiserver. Nodes are
 * "hollow": Node objects created through the API with allocatable and a
 * Ready condition, no kubelet behind them. Each test gets a fresh cluster
 * and its own scheduler(s).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EVENTS, NODES, PODS } from "@tree/04-kubectl/client/resources.ts";
import { RestClient } from "@tree/04-kubectl/client/rest.ts";
import { startScheduler, SUCCESS, unschedulable, type Plugin } from "@tree/09-scheduler/index.ts";
import type { Event, Node, Pod, Taint, Toleration } from "../shared/api/index.ts";
import { cpuMillis, memoryBytes } from "../shared/api/quantity.ts";
import { startCluster, type TestCluster } from "./harness/cluster.ts";
import { waitFor } from "./harness/wait.ts";
import { NotImplementedError } from "../shared/todo.ts";

let cluster: TestCluster;
let client: RestClient;
let stops: Array<() => Promise<void>> = [];
let errors: Error[] = [];

/**
 * The scheduler reports errors instead of throwing them (it must keep
 * running). A step not written yet shows up there: fail at once with it
 * rather than wait for a timeout.
 */
function failOnTodo(): void {
  for (const err of errors) {
    const step = /not implemented yet: TODO\((\d+\.\d+)\)/.exec(err.message)?.[1];
    if (step) throw new NotImplementedError(step);
  }
}

beforeEach(async () => {
  errors = [];
  cluster = await startCluster();
  client = new RestClient({ server: cluster.url });
});
afterEach(async () => {
  for (const stop of stops.reverse()) await stop();
  stops = [];
  await cluster?.close();
});

async function scheduler(options: { schedulerName?: string; plugins?: Plugin[] } = {}): Promise<void> {
  const s = await startScheduler({ server: cluster.url, seed: 7, onError: (err) => errors.push(err), ...options });
  stops.push(() => s.stop());
}

interface NodeOptions {
  cpu?: string;
  memory?: string;
  pods?: number;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
}

function hollowNode(name: string, o: NodeOptions = {}): Node {
  const resources = { cpu: o.cpu ?? "4", memory: o.memory ?? "8Gi", pods: String(o.pods ?? 110) };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { "kubernetes.io/hostname": name, ...o.labels } },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: {
      capacity: resources,
      allocatable: resources,
      conditions: [{ type: "Ready", status: "True", reason: "KubeletReady" }],
    },
  };
}

async function addNode(name: string, o: NodeOptions = {}): Promise<void> {
  await client.resource<Node>(NODES).create(hollowNode(name, o));
}

interface PodOptions {
  cpu?: string;
  memory?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  hostPort?: number;
  owner?: string;
  schedulerName?: string;
}

function podSpec(name: string, o: PodOptions = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "default",
      labels: { app: name.replace(/-\d+$/, "") },
      ownerReferences: o.owner
        ? [{ apiVersion: "v1", kind: "ReplicationController", name: "web", uid: o.owner, controller: true }]
        : undefined,
    },
    spec: {
      containers: [
        {
          name: "main",
          image: "busybox",
          resources: { requests },
          ports: o.hostPort ? [{ containerPort: 80, hostPort: o.hostPort }] : undefined,
        },
      ],
      nodeSelector: o.nodeSelector,
      tolerations: o.tolerations,
      schedulerName: o.schedulerName,
    },
  };
}

async function addPod(name: string, o: PodOptions = {}): Promise<void> {
  await client.resource<Pod>(PODS).create(podSpec(name, o));
}

const getPod = (name: string) => client.resource<Pod>(PODS).get(name, "default");
const scheduledCondition = (pod: Pod) => pod.status?.conditions?.find((c) => c.type === "PodScheduled");

async function waitBound(name: string): Promise<string> {
  return waitFor(`pod ${name} to be bound to a node`, async () => {
    failOnTodo();
    return (await getPod(name)).spec?.nodeName;
  });
}

/** Waits until the pod carries PodScheduled=False; returns the condition's message. */
async function waitUnschedulable(name: string): Promise<string> {
  return waitFor(`pod ${name} to get PodScheduled=False`, async () => {
    failOnTodo();
    const c = scheduledCondition(await getPod(name));
    return c?.status === "False" && c.reason === "Unschedulable" ? c.message : undefined;
  });
}

async function eventsOf(name: string): Promise<Event[]> {
  const list = await client.resource<Event>(EVENTS).list("default");
  return list.items.filter((e) => e.involvedObject.name === name);
}

/** Runs `work` over the items, `concurrency` at a time. */
async function inParallel<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

it("09.9 hollow nodes > binds a pod through the binding subresource, and records a Scheduled event", async () => {
  await addNode("node-1");
  await scheduler();
  await addPod("web");
  expect(await waitBound("web")).toBe("node-1");
  const pod = await getPod("web");
  expect(scheduledCondition(pod)?.status).toBe("True");
  const scheduled = await waitFor("a Scheduled event", async () => (await eventsOf("web")).find((e) => e.reason === "Scheduled"));
  expect(scheduled.message).toBe("Successfully assigned default/web to node-1");
  expect(scheduled.source?.component).toBe("default-scheduler");
});

/** Three nodes that all refuse "big", which then carries PodScheduled=False and a FailedScheduling event. */
async function impossiblePod(): Promise<void> {
  await addNode("small-1", { memory: "1Gi", labels: { zone: "a" } });
  await addNode("small-2", { memory: "1Gi", labels: { zone: "a" } });
  await addNode("far", { memory: "16Gi", labels: { zone: "b" } });
  await scheduler();
  await addPod("big", { memory: "2Gi", nodeSelector: { zone: "a" } });

  const message = "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 Insufficient memory.";
  expect(await waitUnschedulable("big")).toBe(message);
  const failed = await waitFor("a FailedScheduling event", async () =>
    (await eventsOf("big")).find((e) => e.reason === "FailedScheduling"),
  );
  expect(failed.type).toBe("Warning");
  expect(failed.message).toBe(message);
  expect((await getPod("big")).spec?.nodeName).toBeUndefined();
}

it("09.10 hollow nodes > an impossible pod gets PodScheduled=False with Kubernetes' message and a FailedScheduling event", async () => {
  await impossiblePod();
});

// Reporting the failure is 09.10; trying the pod again when the cluster changes is the queue's job (09.11).
it("09.11 hollow nodes > an impossible pod is placed once a bigger node joins", async () => {
  await impossiblePod();
  // The cluster changes: the pod is tried again, without anyone touching it.
  await addNode("large", { memory: "4Gi", labels: { zone: "a" } });
  expect(await waitBound("big")).toBe("large");
  expect(scheduledCondition(await getPod("big"))?.status).toBe("True");
});

/** A node with room for four workers, all four bound, and a fifth that waits as unschedulable. */
async function fullNode(): Promise<void> {
  await addNode("node-1", { cpu: "2", memory: "4Gi" });
  await scheduler();
  for (const i of [1, 2, 3, 4]) await addPod(`worker-${i}`, { cpu: "500m", memory: "512Mi" });
  for (const i of [1, 2, 3, 4]) expect(await waitBound(`worker-${i}`)).toBe("node-1");
  await addPod("worker-5", { cpu: "500m", memory: "512Mi" });
  expect(await waitUnschedulable("worker-5")).toBe("0/1 nodes are available: 1 Insufficient cpu.");
}

it("09.1 hollow nodes > respects requests: a full node takes no more", async () => {
  await fullNode();
});

// The room is counted by 09.1; that the waiting pod is tried again when a pod
// leaves is the queue's job (09.11), so a queue that never moves waiting pods
// back fails here, not in 09.1.
it("09.11 hollow nodes > a deleted pod makes room: the waiting pod is tried again and bound", async () => {
  await fullNode();
  // Deleted at once (no kubelet here to stop it gracefully): its requests are free again.
  await client.request("DELETE", client.resource(PODS).path("default", "worker-2"), { query: { gracePeriodSeconds: 0 } });
  expect(await waitBound("worker-5")).toBe("node-1");
});

/** A tainted, a cordoned and a plain node; web-2 waits because no node has its host port free for it. */
async function taintedCordonedPlain(): Promise<void> {
  const gpu: Taint = { key: "dedicated", value: "gpu", effect: "NoSchedule" };
  await addNode("tainted", { taints: [gpu] });
  await addNode("cordoned", { unschedulable: true });
  await addNode("plain");
  await scheduler();

  await addPod("web-1", { hostPort: 8080 });
  expect(await waitBound("web-1")).toBe("plain");
  await addPod("web-2", { hostPort: 8080 });
  expect(await waitUnschedulable("web-2")).toBe(
    "0/3 nodes are available: 1 node(s) didn't have free ports for the requested pod ports, 1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) were unschedulable.",
  );
  await addPod("gpu-web", {
    hostPort: 8080,
    tolerations: [{ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }],
  });
  expect(await waitBound("gpu-web")).toBe("tainted");
}

it("09.3 hollow nodes > taints, cordoned nodes and host ports", async () => {
  await taintedCordonedPlain();
});

// Which nodes refuse web-2 is 09.3; that it is tried again after the change is the queue's job (09.11).
it("09.11 hollow nodes > uncordoning a node is a cluster change: the waiting pod is tried again there", async () => {
  await taintedCordonedPlain();
  // Uncordoning the node is a cluster change: web-2 is retried and fits there.
  await client.resource<Node>(NODES).patch("cordoned", { spec: { unschedulable: null } });
  expect(await waitBound("web-2")).toBe("cordoned");
});

it("09.6 hollow nodes > spreads the replicas of one controller over the nodes", async () => {
  // One node is much bigger: LeastAllocated alone would put most replicas
  // there. Spreading by owner wins, 2/2/2.
  await addNode("node-a", { cpu: "32", memory: "64Gi" });
  await addNode("node-b");
  await addNode("node-c");
  await scheduler();
  for (let i = 1; i <= 6; i++) await addPod(`web-${i}`, { owner: "rc-web-uid", cpu: "100m", memory: "128Mi" });
  const placed: Record<string, number> = {};
  for (let i = 1; i <= 6; i++) {
    const node = await waitBound(`web-${i}`);
    placed[node] = (placed[node] ?? 0) + 1;
  }
  expect(placed).toEqual({ "node-a": 2, "node-b": 2, "node-c": 2 });
});

it("09 chapter > hollow nodes > leaves pods of another schedulerName alone; a second scheduler with that name takes them", async () => {
  await addNode("node-1");
  await scheduler();
  await addPod("custom", { schedulerName: "my-scheduler" });
  await addPod("regular");
  expect(await waitBound("regular")).toBe("node-1");
  // "regular" was created after "custom" and is bound: the default scheduler has seen both.
  const custom = await getPod("custom");
  expect(custom.spec?.nodeName).toBeUndefined();
  expect(scheduledCondition(custom)).toBeUndefined();

  await scheduler({ schedulerName: "my-scheduler" });
  expect(await waitBound("custom")).toBe("node-1");
  const event = await waitFor("a Scheduled event", async () => (await eventsOf("custom")).find((e) => e.reason === "Scheduled"));
  expect(event.source?.component).toBe("my-scheduler");
});

it("09.7 hollow nodes > a plugin added through the options filters like the default ones", async () => {
  const noFriday: Plugin = {
    name: "NoFridayDeploys",
    filter: (_state, pod, nodeInfo) =>
      nodeInfo.node?.metadata?.labels?.["team"] === "friday" && pod.metadata?.labels?.["app"] === "risky"
        ? unschedulable("node(s) are resting")
        : SUCCESS,
  };
  await addNode("node-1", { labels: { team: "friday" } });
  await scheduler({ plugins: [noFriday] });
  await addPod("risky");
  expect(await waitUnschedulable("risky")).toBe("0/1 nodes are available: 1 node(s) are resting.");
  await addPod("safe");
  expect(await waitBound("safe")).toBe("node-1");
});

it("09.9 hollow nodes > places 1000 pods on 200 hollow nodes without overcommitting any", async () => {
  const nodes = Array.from({ length: 200 }, (_, i) => `hollow-${String(i).padStart(3, "0")}`);
  await inParallel(nodes, 16, (name) => addNode(name, { cpu: "4", memory: "4Gi", pods: 8 }));
  await scheduler();
  // Sizes cycle through a fixed pattern; together they need about 60% of the cluster.
  const cpus = ["100m", "250m", "500m", "1"];
  const memories = ["128Mi", "256Mi", "1Gi", "512Mi", "64Mi"];
  const pods = Array.from({ length: 1000 }, (_, i) => i);
  await inParallel(pods, 16, (i) => addPod(`load-${i}`, { cpu: cpus[i % cpus.length], memory: memories[i % memories.length] }));

  const all = await waitFor(
    "all 1000 pods to be bound",
    async () => {
      failOnTodo();
      const list = await client.resource<Pod>(PODS).list("default");
      return list.items.filter((p) => p.spec?.nodeName).length === 1000 ? list.items : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
  const used = new Map<string, { cpu: number; memory: number; pods: number }>();
  for (const p of all) {
    const u = used.get(p.spec!.nodeName!) ?? { cpu: 0, memory: 0, pods: 0 };
    const r = p.spec!.containers[0]!.resources!.requests!;
    u.cpu += cpuMillis(r.cpu!);
    u.memory += memoryBytes(r.memory!);
    u.pods++;
    used.set(p.spec!.nodeName!, u);
  }
  for (const [node, u] of used) {
    expect(nodes, node).toContain(node);
    expect(u.cpu, `cpu on ${node}`).toBeLessThanOrEqual(4000);
    expect(u.memory, `memory on ${node}`).toBeLessThanOrEqual(4 * 2 ** 30);
    expect(u.pods, `pods on ${node}`).toBeLessThanOrEqual(8);
  }
  // 1000 pods with LeastAllocated over 200 nodes: nearly every node gets some.
  expect(used.size).toBeGreaterThan(150);
}, 120_000);
