/**
 * The scheduler's loop: take the next pod from the queue, decide
 * (schedule-one.ts), assume, and bind in the background.
 *
 *   pop ──> schedulePod ──ok──> assume (cache) ──> next pod ...
 *              │                     └─ in the background: bind ──ok──> Event "Scheduled"
 *              │                                               └─fail─> forget, retry later
 *              └─ FitError ──> queue: unschedulable
 *                              pod:   PodScheduled=False, reason Unschedulable, the message
 *                              Event  "FailedScheduling"
 */
import { isApiError, timestamp, type Pod, type PodCondition } from "../../shared/api/index.ts";
import type { RestClient } from "../04-kubectl/client/rest.ts";
import { PODS } from "../04-kubectl/client/resources.ts";
import type { SchedulerCache } from "./cache/cache.ts";
import type { EventRecorder } from "./events.ts";
import { FitError } from "./fit-error.ts";
import type { Framework } from "./framework/framework.ts";
import { CycleState, type QueuedPodInfo } from "./framework/types.ts";
import type { SchedulingQueue } from "./queue/scheduling-queue.ts";
import { NodeSampler, schedulePod } from "./schedule-one.ts";
import { todo } from "../../shared/todo.ts";

/**
 * How many bindings may be in flight at once. kube-scheduler binds each pod
 * in its own goroutine, with no such cap; this one only bounds memory when
 * the apiserver stalls. (The client bounds the connections: at most 250
 * requests are on the wire, the others wait in the client's queue; see
 * MAX_SOCKETS in chapter 04's transport.ts.) It must stay well above
 * "bindings per second x binding latency": with 64 clients creating pods,
 * a binding waits ~25 ms on a quiet machine and ~1 s on a loaded one, and
 * 32 in flight capped the scheduler at 32 / latency pods per second.
 */
const MAX_BINDINGS = 512;

export interface SchedulerParts {
  framework: Framework;
  cache: SchedulerCache;
  queue: SchedulingQueue;
  client: RestClient;
  recorder: EventRecorder;
  random: () => number;
  onError: (err: Error) => void;
}

export class Scheduler {
  private readonly bindings = new Set<Promise<void>>();
  private readonly statusUpdates = new Set<Promise<void>>();
  /** Wakes the loop when it waits for a binding to end (MAX_BINDINGS in flight). */
  private slotFreed: (() => void) | undefined;
  /** In a big cluster, which nodes the next cycle filters first. */
  private readonly sampler = new NodeSampler();
  /** Pods bound by this scheduler (for the benchmark). */
  scheduled = 0;

  constructor(private readonly parts: SchedulerParts) {}

  /** Schedules pods until the queue is closed. */
  async run(): Promise<void> {
    for (;;) {
      const info = await this.parts.queue.pop();
      if (!info) break;
      try {
        this.scheduleOne(info);
      } catch (err) {
        this.parts.onError(err instanceof Error ? err : new Error(String(err)));
        this.parts.queue.done(info.pod);
      }
      // Let watch events and binding answers in between two pods.
      await new Promise((resolve) => setImmediate(resolve));
      while (this.bindings.size >= MAX_BINDINGS) await new Promise<void>((resolve) => (this.slotFreed = resolve));
    }
  }

  /** Waits for the bindings and status updates in flight. */
  async drain(): Promise<void> {
    while (this.bindings.size + this.statusUpdates.size > 0) await Promise.all([...this.bindings, ...this.statusUpdates]);
  }

  /** One scheduling cycle. Synchronous: the binding goes on in the background. */
  scheduleOne(info: QueuedPodInfo): void {
    const { framework, cache, queue, random } = this.parts;
    const pod = info.pod;
    const cycle = queue.cycle;
    // TODO(09.9): one scheduling cycle for the popped pod. A pod that was
    // deleted, bound, or assumed meanwhile needs nothing. Otherwise decide
    // (schedulePod, with this.sampler); on failure hand over to
    // handleSchedulingFailure. Then commit the decision: binding is a network
    // call that can fail; the next pod must not wait for it, and must not be
    // placed as if this pod were not there (this.track() keeps such work in
    // this.bindings, so stop() can wait for it). Every popped pod ends with
    // queue.done() or a failure report. Tests: "09.9 binds in the
    // background", "09.9 skips a pod deleted or bound meanwhile".
    todo("09.9");
  }

  /** The binding cycle: write the decision; on failure forget the assumption. */
  private async bind(state: CycleState, assumed: Pod, info: QueuedPodInfo, cycle: number): Promise<void> {
    const { framework, cache, queue, recorder } = this.parts;
    const host = assumed.spec!.nodeName!;
    const { name, namespace } = assumed.metadata ?? {};
    // TODO(09.9): the binding cycle. A bind plugin may throw or answer a
    // Status that is not "Success": both are a failed binding. The node then
    // has the room back (other waiting pods may fit now) and the pod must be
    // tried again, unless it is gone or bound by someone else (NotFound,
    // Conflict). A success ends the pod's scheduling and is told to people
    // with a Normal "Scheduled" event ("Successfully assigned <ns>/<name> to <host>").
    // Tests: "09.9 a failed binding gives the room back", "09.9 a binding
    // answered NotFound or Conflict ends quietly".
    todo("09.9");
  }

  /**
   * The pod could not be scheduled. It goes back to the queue, and the
   * reason becomes visible to people: a PodScheduled=False condition on the
   * pod (what `kubectl describe` and `kubectl get pod -o yaml` show) and a
   * FailedScheduling event.
   */
  async handleSchedulingFailure(info: QueuedPodInfo, err: unknown, cycle: number): Promise<void> {
    const { queue, recorder } = this.parts;
    // TODO(09.10): requeue the pod: a FitError waits for a cluster change,
    // any other error backs off. Tell people why: a Warning event
    // "FailedScheduling" and PodScheduled=False, reason "Unschedulable" or
    // "SchedulerError", with the error's message. An error that is not a FitError
    // is a fault: onError must hear of it too. Tests: "09.10 a pod that fits nowhere
    // is parked as unschedulable ...", "09.10 an error is parked to back off ...".
    todo("09.10");
  }

  /**
   * Sets PodScheduled=False on the pod through its status subresource, with
   * a strategic merge patch: conditions are merged by their `type`, so the
   * other conditions stay. Skipped when the pod already says exactly that
   * (a retry that fails the same way writes nothing).
   */
  async updatePodScheduled(pod: Pod, reason: string, message: string): Promise<void> {
    const current = pod.status?.conditions?.find((c) => c.type === "PodScheduled");
    if (current?.status === "False" && current.reason === reason && current.message === message) return;
    const condition: PodCondition = {
      type: "PodScheduled",
      status: "False",
      reason,
      message,
      lastProbeTime: null,
      lastTransitionTime: current?.status === "False" && current.lastTransitionTime ? current.lastTransitionTime : timestamp(),
    };
    const { name = "", namespace } = pod.metadata ?? {};
    const client = this.parts.client;
    try {
      await client.request("PATCH", client.resource(PODS).path(namespace, name, "status"), {
        body: { status: { conditions: [condition] } },
        contentType: "application/strategic-merge-patch+json",
      });
    } catch (err) {
      if (!isApiError(err, "NotFound")) this.parts.onError(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private track(set: Set<Promise<void>>, work: Promise<void>): void {
    const p: Promise<void> = work
      .catch((err: unknown) => this.parts.onError(err instanceof Error ? err : new Error(String(err))))
      .finally(() => {
        set.delete(p);
        this.slotFreed?.();
        this.slotFreed = undefined;
      });
    set.add(p);
  }
}
