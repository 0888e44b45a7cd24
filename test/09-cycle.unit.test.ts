/**
 * Chapter 09, the scheduling cycle and the queue, without a server: a real
 * Framework, SchedulerCache and SchedulingQueue, a bind plugin the test
 * controls, and a fake client that records the status patches. The clock of
 * the queue is the test's, so back-off is checked without waiting.
 */
import { afterEach, expect, it } from "vitest";
import { SchedulerCache } from "@tree/09-scheduler/cache/cache.ts";
import { nodeChangeMayHelp } from "@tree/09-scheduler/event-handlers.ts";
import { Framework } from "@tree/09-scheduler/framework/framework.ts";
import { SUCCESS, type Plugin, type QueuedPodInfo, type Status } from "@tree/09-scheduler/framework/types.ts";
import { matchesNode } from "@tree/09-scheduler/plugins/node-affinity.ts";
import { nodeResourcesFit } from "@tree/09-scheduler/plugins/node-resources-fit.ts";
import { SchedulingQueue } from "@tree/09-scheduler/queue/scheduling-queue.ts";
import { Scheduler, type SchedulerParts } from "@tree/09-scheduler/scheduler.ts";
import { ApiError, statusOf, type Node, type Pod } from "../shared/api/index.ts";

function node(name: string, cpu = "1"): Node {
  return {
    metadata: { name, labels: { "kubernetes.io/hostname": name } },
    status: { allocatable: { cpu, memory: "4Gi", pods: 110 } },
  };
}

function pod(name: string, cpu = "1"): Pod {
  return {
    metadata: { name, namespace: "default", uid: `uid-${name}` },
    spec: { containers: [{ name: "main", image: "busybox", resources: { requests: { cpu } } }] },
  };
}

interface Recorded {
  events: Array<{ pod: string; type: string; reason: string; message: string }>;
  patches: Array<{ path: string; body: unknown }>;
  errors: Error[];
}

/**
 * A queue that records where the scheduler parks a failed pod, and the
 * "room freed" moves, instead of doing them: those are step 09.11's. With it,
 * the tests of 09.9 and 09.10 check the scheduler's side alone.
 */
class RecordingQueue extends SchedulingQueue {
  readonly parked: Array<{ pod: string; error: boolean }> = [];
  readonly moves: string[] = [];
  override addUnschedulableIfNotPresent(info: QueuedPodInfo, _podCycle: number, { error = false } = {}): void {
    this.parked.push({ pod: info.pod.metadata!.name!, error });
  }
  override moveAllToActiveOrBackoff(event: string): void {
    this.moves.push(event);
  }
}

/**
 * A scheduler whose bind plugin is `bind`, on nodes `nodes`; everything it
 * writes is recorded. `recording`: the queue is a RecordingQueue.
 */
function setup(nodes: Node[], bind: Plugin["bind"], clock = { now: 0 }, recording = false) {
  const rec: Recorded = { events: [], patches: [], errors: [] };
  const cache = new SchedulerCache();
  for (const n of nodes) cache.addNode(n);
  const framework = new Framework({
    schedulerName: "default-scheduler",
    plugins: [nodeResourcesFit, { name: "TestBinder", bind }],
    weights: {},
  });
  const options = { less: (a: QueuedPodInfo, b: QueuedPodInfo) => a.timestamp < b.timestamp, now: () => clock.now };
  const queue = recording ? new RecordingQueue(options) : new SchedulingQueue(options);
  const client = {
    resource: () => ({ path: (ns: string, name: string, sub: string) => `/api/v1/namespaces/${ns}/pods/${name}/${sub}` }),
    request: async (_method: string, path: string, options: { body: unknown }) => {
      rec.patches.push({ path, body: options.body });
      return {};
    },
  };
  const recorder = {
    event: (p: Pod, type: string, reason: string, message: string) =>
      rec.events.push({ pod: p.metadata!.name!, type, reason, message }),
  };
  const parts = {
    framework,
    cache,
    queue,
    client,
    recorder,
    random: () => 0,
    onError: (err: Error) => rec.errors.push(err),
  } as unknown as SchedulerParts;
  const scheduler = new Scheduler(parts);
  queues.push(queue);
  /** Adds the pod to the queue, pops it (as the loop does) and runs one cycle. */
  const cycle = async (p: Pod): Promise<QueuedPodInfo> => {
    queue.add(p);
    const info = (await queue.pop())!;
    scheduler.scheduleOne(info);
    return info;
  };
  return { rec, cache, queue, scheduler, cycle };
}

const queues: SchedulingQueue[] = [];
afterEach(() => {
  for (const q of queues.splice(0)) q.close();
});

/** A promise the test resolves by hand. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

it("09.9 binds in the background", async () => {
  const pending = new Map<string, { resolve: (s: Status) => void }>();
  const { rec, cache, queue, scheduler, cycle } = setup([node("node-1"), node("node-2")], (_s, p, nodeName) => {
    const d = deferred<Status>();
    pending.set(`${p.metadata!.name}@${nodeName}`, d);
    return d.promise;
  });
  await cycle(pod("a"));
  // scheduleOne returned while the binding is still in flight...
  expect([...pending.keys()]).toHaveLength(1);
  const [first] = [...pending.keys()];
  const firstNode = first!.split("@")[1]!;
  // ...and the cache already counts the pod on its node.
  expect(cache.isAssumed(pod("a"))).toBe(true);
  expect(cache.nodeInfo(firstNode)!.requested.cpu).toBe(1000);
  // The next pod is placed as if `a` were there: each node has room for one.
  await cycle(pod("b"));
  const other = firstNode === "node-1" ? "node-2" : "node-1";
  expect([...pending.keys()].sort()).toEqual([first, `b@${other}`].sort());
  for (const d of pending.values()) d.resolve(SUCCESS);
  await scheduler.drain();
  expect(
    rec.events
      .filter((e) => e.reason === "Scheduled")
      .map((e) => e.message)
      .sort(),
  ).toEqual([`Successfully assigned default/a to ${firstNode}`, `Successfully assigned default/b to ${other}`].sort());
  expect(scheduler.scheduled).toBe(2);
  expect(queue.pending).toEqual({ active: 0, backoff: 0, unschedulable: 0 });
});

it("09.9 a failed binding gives the room back, and hands the pod to handleSchedulingFailure", async () => {
  const { rec, cache, queue, scheduler, cycle } = setup(
    [node("node-1")],
    async () => ({ code: "Error", reasons: ["the node said no"] }),
    { now: 0 },
    true,
  );
  const handed: Array<{ pod: string; message: string }> = [];
  // What happens next to the pod is step 09.10's.
  scheduler.handleSchedulingFailure = async (info, err) => {
    handed.push({ pod: info.pod.metadata!.name!, message: err instanceof Error ? err.message : String(err) });
  };
  await cycle(pod("a"));
  await scheduler.drain();
  expect(cache.has(pod("a")), "the assumed pod is forgotten").toBe(false);
  expect(cache.nodeInfo("node-1")!.requested.cpu ?? 0, "the node's room is free again").toBe(0);
  expect((queue as RecordingQueue).moves.length, "waiting pods are told that room was freed").toBeGreaterThan(0);
  expect(
    handed.map((h) => h.pod),
    "the pod handed to handleSchedulingFailure",
  ).toEqual(["a"]);
  expect(handed[0]?.message).toContain("the node said no");
  expect(rec.events.some((e) => e.reason === "Scheduled")).toBe(false);
  expect(rec.errors).toEqual([]);
});

it("09.11 a failed binding gives the room back and is tried again after a back-off (with the queue)", async () => {
  // A bind plugin that answers a failed Status (it does not throw).
  const { rec, cache, queue, scheduler, cycle } = setup([node("node-1")], async () => ({
    code: "Error",
    reasons: ["the node said no"],
  }));
  await cycle(pod("a"));
  await scheduler.drain();
  expect(cache.has(pod("a"))).toBe(false);
  expect(cache.nodeInfo("node-1")!.requested.cpu ?? 0).toBe(0);
  // Not a "no node fits": the pod is tried again after a back-off, and people are told.
  expect(queue.pending).toEqual({ active: 0, backoff: 1, unschedulable: 0 });
  const failed = rec.events.find((e) => e.reason === "FailedScheduling");
  expect(failed?.type).toBe("Warning");
  expect(failed?.message).toContain("the node said no");
  expect(JSON.stringify(rec.patches)).toContain('"reason":"SchedulerError"');
  expect(rec.events.some((e) => e.reason === "Scheduled")).toBe(false);
});

it("09.9 a binding answered NotFound or Conflict ends quietly", async () => {
  for (const reason of ["NotFound", "Conflict"] as const) {
    // A recording queue: the "room freed" move is step 09.11's; here it is only noted.
    const { rec, cache, queue, scheduler, cycle } = setup(
      [node("node-1")],
      async () => {
        throw new ApiError(statusOf(reason === "NotFound" ? 404 : 409, reason, `pods "a" ${reason}`));
      },
      { now: 0 },
      true,
    );
    await cycle(pod("a"));
    await scheduler.drain();
    expect(cache.has(pod("a"))).toBe(false);
    expect(queue.pending).toEqual({ active: 0, backoff: 0, unschedulable: 0 });
    expect(rec.events).toEqual([]);
    expect(rec.patches).toEqual([]);
    expect(rec.errors, "nothing went wrong on the way (a thrown error lands in onError)").toEqual([]);
  }
});

it("09.9 skips a pod deleted or bound meanwhile", async () => {
  const binds: string[] = [];
  const { rec, cache, scheduler, cycle } = setup([node("node-1")], async (_s, p) => {
    binds.push(p.metadata!.name!);
    return SUCCESS;
  });
  await cycle({ ...pod("bound"), spec: { ...pod("bound").spec!, nodeName: "node-9" } });
  await cycle({ ...pod("going"), metadata: { ...pod("going").metadata, deletionTimestamp: "2026-01-01T00:00:00Z" } });
  await scheduler.drain();
  expect(binds).toEqual([]);
  expect(cache.nodeInfo("node-1")!.requested.cpu ?? 0).toBe(0);
  expect(rec.events).toEqual([]);
});

it("09.10 a pod that fits nowhere is parked as unschedulable, with the reason on the pod and in an event", async () => {
  const { rec, queue, scheduler, cycle } = setup([node("node-1")], async () => SUCCESS, { now: 0 }, true);
  await cycle(pod("huge", "8"));
  await scheduler.drain();
  expect((queue as RecordingQueue).parked, "handed to the queue as a FitError (it waits for a cluster change)").toEqual([
    { pod: "huge", error: false },
  ]);
  expect(rec.events).toEqual([
    { pod: "huge", type: "Warning", reason: "FailedScheduling", message: "0/1 nodes are available: 1 Insufficient cpu." },
  ]);
  expect(rec.patches).toHaveLength(1);
  expect(rec.patches[0]!.path).toBe("/api/v1/namespaces/default/pods/huge/status");
  expect(rec.patches[0]!.body).toMatchObject({
    status: { conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable" }] },
  });
  expect(rec.errors).toEqual([]);
});

it("09.10 an error is parked to back off, reported as SchedulerError and goes to onError", async () => {
  const { rec, queue, scheduler } = setup([node("node-1")], async () => SUCCESS, { now: 0 }, true);
  queue.add(pod("a"));
  const info = (await queue.pop())!;
  await scheduler.handleSchedulingFailure(info, new Error("the cache is broken"), queue.cycle);
  expect((queue as RecordingQueue).parked, "handed to the queue as an error (it backs off)").toEqual([{ pod: "a", error: true }]);
  expect(rec.events[0]).toMatchObject({ type: "Warning", reason: "FailedScheduling", message: "the cache is broken" });
  expect(rec.patches[0]!.body).toMatchObject({ status: { conditions: [{ status: "False", reason: "SchedulerError" }] } });
  expect(rec.errors).toHaveLength(1);
});

it("09.11 a pod that fits nowhere waits, with the reason on the pod and in an event (with the queue)", async () => {
  const { rec, queue, scheduler, cycle } = setup([node("node-1")], async () => SUCCESS);
  await cycle(pod("huge", "8"));
  await scheduler.drain();
  expect(queue.pending).toEqual({ active: 0, backoff: 0, unschedulable: 1 });
  expect(rec.events).toEqual([
    { pod: "huge", type: "Warning", reason: "FailedScheduling", message: "0/1 nodes are available: 1 Insufficient cpu." },
  ]);
  expect(rec.patches).toHaveLength(1);
  expect(rec.patches[0]!.path).toBe("/api/v1/namespaces/default/pods/huge/status");
  expect(rec.patches[0]!.body).toMatchObject({
    status: {
      conditions: [
        {
          type: "PodScheduled",
          status: "False",
          reason: "Unschedulable",
          message: "0/1 nodes are available: 1 Insufficient cpu.",
        },
      ],
    },
  });
  expect(rec.errors).toEqual([]);
});

it("09.11 an error backs off, is reported as SchedulerError and goes to onError (with the queue)", async () => {
  const { rec, queue, scheduler } = setup([node("node-1")], async () => SUCCESS);
  queue.add(pod("a"));
  const info = (await queue.pop())!;
  await scheduler.handleSchedulingFailure(info, new Error("the cache is broken"), queue.cycle);
  expect(queue.pending).toEqual({ active: 0, backoff: 1, unschedulable: 0 });
  expect(rec.events[0]).toMatchObject({ type: "Warning", reason: "FailedScheduling", message: "the cache is broken" });
  expect(rec.patches[0]!.body).toMatchObject({ status: { conditions: [{ status: "False", reason: "SchedulerError" }] } });
  expect(rec.errors).toHaveLength(1);
});

/** A queue on the test's clock: back-off 1 s doubling to 10 s, unschedulable at most 60 s. */
function newQueue(clock: { now: number }): SchedulingQueue {
  const q = new SchedulingQueue({
    less: (a, b) => a.timestamp < b.timestamp,
    now: () => clock.now,
    initialBackoffMs: 1000,
    maxBackoffMs: 10_000,
    maxUnschedulableMs: 60_000,
  });
  queues.push(q);
  return q;
}

it("09.11 back-off doubles up to the cap", () => {
  const q = newQueue({ now: 0 });
  const info: QueuedPodInfo = { pod: pod("a"), timestamp: 0, attempts: 0 };
  expect(q.backoffExpiry(info)).toBe(0);
  const expiries = [1, 2, 3, 4, 5, 6].map((attempts) => q.backoffExpiry({ ...info, attempts, lastFailure: 50_000 }) - 50_000);
  expect(expiries).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
});

it("09.11 a pod that fits nowhere waits for a cluster event", async () => {
  const clock = { now: 0 };
  const q = newQueue(clock);
  q.add(pod("a"));
  const info = (await q.pop())!;
  q.addUnschedulableIfNotPresent(info, q.cycle);
  expect(q.pending).toEqual({ active: 0, backoff: 0, unschedulable: 1 });
  // Time alone does not bring it back (well within maxUnschedulableMs).
  clock.now = 30_000;
  q.flush();
  expect(q.pending).toEqual({ active: 0, backoff: 0, unschedulable: 1 });
  // A cluster event does, once its back-off (1 s after its failure at 0) is over.
  q.moveAllToActiveOrBackoff("NodeAdd");
  expect(q.pending).toEqual({ active: 1, backoff: 0, unschedulable: 0 });
});

it("09.11 a cluster event never skips the back-off", async () => {
  const clock = { now: 0 };
  const q = newQueue(clock);
  q.add(pod("a"));
  const info = (await q.pop())!;
  q.addUnschedulableIfNotPresent(info, q.cycle);
  clock.now = 500; // the first back-off is 1000 ms
  q.moveAllToActiveOrBackoff("NodeAdd");
  expect(q.pending).toEqual({ active: 0, backoff: 1, unschedulable: 0 });
  clock.now = 999;
  q.flush();
  expect(q.pending.backoff).toBe(1);
  clock.now = 1000;
  q.flush();
  expect(q.pending).toEqual({ active: 1, backoff: 0, unschedulable: 0 });
});

it("09.11 an event during an attempt means back-off", async () => {
  const clock = { now: 0 };
  const q = newQueue(clock);
  q.add(pod("a"));
  const info = (await q.pop())!;
  const cycle = q.cycle;
  // A node joins while `a` is being scheduled, after its decision was made.
  q.moveAllToActiveOrBackoff("NodeAdd");
  q.addUnschedulableIfNotPresent(info, cycle);
  // Parked as unschedulable it would wait for the NEXT event; it backs off instead.
  expect(q.pending).toEqual({ active: 0, backoff: 1, unschedulable: 0 });
});

it("09.11 a pod deleted during its attempt is not parked", async () => {
  const q = newQueue({ now: 0 });
  q.add(pod("a"));
  const info = (await q.pop())!;
  q.delete(pod("a"));
  q.addUnschedulableIfNotPresent(info, q.cycle);
  expect(q.pending).toEqual({ active: 0, backoff: 0, unschedulable: 0 });
});

it("09.11 a pod unschedulable for too long is tried anyway", async () => {
  const clock = { now: 0 };
  const q = newQueue(clock);
  q.add(pod("a"));
  const info = (await q.pop())!;
  q.addUnschedulableIfNotPresent(info, q.cycle);
  clock.now = 59_999;
  q.flush();
  expect(q.pending.unschedulable).toBe(1);
  clock.now = 60_000;
  q.flush();
  expect(q.pending).toEqual({ active: 1, backoff: 0, unschedulable: 0 });
});

it("09.11 a node change wakes waiting pods only when it can help", () => {
  const before = node("n");
  const heartbeat: Node = {
    ...before,
    status: { ...before.status, conditions: [{ type: "Ready", status: "True", lastHeartbeatTime: "2026-01-01T00:00:10Z" }] },
  };
  expect(nodeChangeMayHelp(before, heartbeat)).toBe(false);
  expect(nodeChangeMayHelp(before, { ...before, spec: { unschedulable: true } })).toBe(true);
  expect(nodeChangeMayHelp(before, { ...before, spec: { taints: [{ key: "k", effect: "NoSchedule" }] } })).toBe(true);
  expect(nodeChangeMayHelp(before, { ...before, metadata: { ...before.metadata, labels: { disktype: "ssd" } } })).toBe(true);
  expect(nodeChangeMayHelp(before, { ...before, status: { allocatable: { cpu: "8", memory: "4Gi", pods: 110 } } })).toBe(true);
});

const withRequired = (required: Record<string, unknown>): Pod => ({
  ...pod("p"),
  spec: { ...pod("p").spec!, affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: required } } },
});

it("09.2 an empty list of nodeSelectorTerms matches no node", () => {
  expect(matchesNode(withRequired({ nodeSelectorTerms: [] }), node("n"))).toBe(false);
  // A required block without terms is the same empty list.
  expect(matchesNode(withRequired({}), node("n"))).toBe(false);
  // An empty term matches nothing, but another term can still match.
  expect(
    matchesNode(
      withRequired({ nodeSelectorTerms: [{}, { matchFields: [{ key: "metadata.name", operator: "In", values: ["n"] }] }] }),
      node("n"),
    ),
  ).toBe(true);
  // No required block at all: no constraint.
  expect(matchesNode(pod("p"), node("n"))).toBe(true);
});
