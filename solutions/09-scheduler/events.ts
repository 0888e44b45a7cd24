/**
 * Events that components report about pods, shown by `kubectl describe pod`
 * and `kubectl get events`:
 *
 *   Normal   Scheduled         Successfully assigned default/web to node-2
 *   Warning  FailedScheduling  0/3 nodes are available: 3 Insufficient memory.
 *   Warning  BackOff           Back-off restarting failed container ...   (x14 over 3m)
 *
 * Events are best effort. event() only puts the event in a queue and
 * returns at once; a few writers (WRITERS) send the queue to the
 * apiserver in the background:
 *
 *   event() ──> queue (at most MAX_QUEUED) ──> WRITERS writers ──> POST / PATCH
 *                 └─ full: the event is dropped, `dropped` counts it
 *
 * So reporting never slows the component down: the scheduler's next cycle
 * does not wait for an event, and a burst of events takes at most WRITERS
 * connections, not one per event, so it cannot crowd out the bindings.
 * An event the apiserver refuses is dropped too (not retried).
 * Kubernetes' client-go works the same way (tools/events: a queue of 1000
 * events that drops when full, and 8 workers that write it).
 *
 * The same event again (same object, field, type, reason, message and
 * source) is not a new object: the first one's count goes up and its
 * lastTimestamp moves (a PATCH). A crash loop that says "BackOff" every few
 * seconds for a day is one Event with a large count, not thousands of
 * objects. Kubernetes' client-go does the same (tools/record, the event
 * correlator); it also folds many *similar* messages into one, and limits
 * how often one object may get events (its spam filter), which this
 * recorder does not.
 */
import { isApiError, timestamp, type Event, type Pod } from "../../shared/api/index.ts";
import type { RestClient } from "../04-kubectl/client/rest.ts";
import { EVENTS } from "../04-kubectl/client/resources.ts";

/** How many different events are remembered for counting (the oldest is forgotten first). */
const MAX_SERIES = 4096;
/** Events waiting to be written at most; more are dropped (client-go: maxQueuedEvents). */
export const MAX_QUEUED = 1000;
/** Writes in flight at most (client-go: recordWorkers). */
export const WRITERS = 8;

/** The queue's bounds; tests make them small. */
export interface RecorderLimits {
  maxQueued?: number;
  writers?: number;
}

/** Where in the object the event happened (`spec.containers{web}`), and which node reports it. */
export interface EventDetails {
  fieldPath?: string;
  host?: string;
}

/** One distinct event: the object written once, then its count. */
interface Series {
  event: Event;
  /** The count that is in the apiserver (0: not created yet). */
  written: number;
  /** In the queue, or being written: a repeat only raises the count, the write takes the latest. */
  busy: boolean;
}

export class EventRecorder {
  private readonly series = new Map<string, Series>();
  private readonly queue: Series[] = [];
  /** Where the next writer takes from: queue[head]. */
  private head = 0;
  private writing = 0;
  private sequence = 0;
  private idle: Array<() => void> = [];
  private readonly maxQueued: number;
  private readonly writers: number;
  /** Events dropped because the queue was full. */
  dropped = 0;

  constructor(
    private readonly client: RestClient,
    private readonly component: string,
    private readonly onError: (err: Error) => void = () => {},
    limits: RecorderLimits = {},
  ) {
    this.maxQueued = limits.maxQueued ?? MAX_QUEUED;
    this.writers = limits.writers ?? WRITERS;
  }

  event(pod: Pod, type: "Normal" | "Warning", reason: string, message: string, details: EventDetails = {}): void {
    const { name = "", namespace = "default", uid } = pod.metadata ?? {};
    const key = JSON.stringify([this.component, details.host, namespace, name, uid, details.fieldPath, type, reason, message]);
    const now = timestamp();
    let s = this.series.get(key);
    if (s) {
      this.series.delete(key); // re-inserted below: the Map's order is "least recently used first"
      s.event.count = (s.event.count ?? 1) + 1;
      s.event.lastTimestamp = now;
    } else {
      if (this.series.size >= MAX_SERIES) this.series.delete(this.series.keys().next().value!);
      s = {
        written: 0,
        busy: false,
        event: {
          apiVersion: "v1",
          kind: "Event",
          // Kubernetes names events <object>.<unique hex>.
          metadata: { name: `${name}.${Date.now().toString(16)}${(this.sequence++).toString(16)}`, namespace },
          involvedObject: {
            apiVersion: "v1",
            kind: "Pod",
            name,
            namespace,
            uid,
            ...(details.fieldPath ? { fieldPath: details.fieldPath } : {}),
          },
          reason,
          message,
          type,
          source: { component: this.component, ...(details.host ? { host: details.host } : {}) },
          reportingComponent: this.component,
          ...(details.host ? { reportingInstance: details.host } : {}),
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      };
    }
    this.series.set(key, s);
    this.enqueue(s);
  }

  /** Queues a series for writing, unless it already waits or is being written. */
  private enqueue(s: Series): void {
    if (s.busy) return;
    if (this.queue.length - this.head >= this.maxQueued) {
      this.dropped++;
      return;
    }
    s.busy = true;
    this.queue.push(s);
    this.startWriters();
  }

  private startWriters(): void {
    while (this.writing < this.writers && this.head < this.queue.length) {
      const s = this.queue[this.head++]!;
      // Cut the taken part off now and then (shift() on every take would copy the array each time).
      if (this.head >= this.maxQueued) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      this.writing++;
      void this.write(s)
        .catch(() => {}) // only an onError that throws gets here: nobody is left to tell
        .finally(() => {
          this.writing--;
          s.busy = false;
          // Repeats that came during the write go out as one more PATCH.
          if ((s.event.count ?? 1) > s.written && s.written > 0) this.enqueue(s);
          this.startWriters();
          if (this.writing === 0 && this.head === this.queue.length) this.wakeIdle();
        });
    }
  }

  private async write(s: Series): Promise<void> {
    const events = this.client.resource<Event>(EVENTS);
    const { name = "", namespace } = s.event.metadata ?? {};
    const count = s.event.count ?? 1;
    try {
      if (s.written === 0) await events.create({ ...s.event });
      else {
        try {
          await events.patch(name, { count, lastTimestamp: s.event.lastTimestamp }, namespace);
        } catch (err) {
          // The event was deleted (events expire): write it again, whole.
          if (!isApiError(err, "NotFound")) throw err;
          await events.create({ ...s.event, metadata: { name, namespace } });
        }
      }
      s.written = count;
    } catch (err) {
      s.written = Math.max(s.written, 1);
      this.onError(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private wakeIdle(): void {
    const waiters = this.idle;
    this.idle = [];
    for (const wake of waiters) wake();
  }

  /** Waits until every queued event is written (or dropped). */
  flush(): Promise<void> {
    if (this.writing === 0 && this.head === this.queue.length) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }
}
