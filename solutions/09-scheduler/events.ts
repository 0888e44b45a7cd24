/**
 * Events that components report about pods, shown by `kubectl describe pod`
 * and `kubectl get events`:
 *
 *   Normal   Scheduled         Successfully assigned default/web to node-2
 *   Warning  FailedScheduling  0/3 nodes are available: 3 Insufficient memory.
 *   Warning  BackOff           Back-off restarting failed container ...   (x14 over 3m)
 *
 * Events are best effort: they are written in the background, and dropped
 * (not retried) when the apiserver refuses them or when too many wait, so
 * reporting never slows the component down.
 *
 * The same event again (same object, field, type, reason, message and
 * source) is not a new object: the first one's count goes up and its
 * lastTimestamp moves (a PATCH). A crash loop that says "BackOff" every few
 * seconds for a day is one Event with a large count, not thousands of
 * objects. Kubernetes' client-go does the same (tools/record, the event
 * correlator); it also folds many *similar* messages into one, which this
 * recorder does not.
 */
import { isApiError, timestamp, type Event, type Pod } from "../../shared/api/index.ts";
import type { RestClient } from "../04-kubectl/client/rest.ts";
import { EVENTS } from "../04-kubectl/client/resources.ts";

/** How many different events are remembered for counting (the oldest is forgotten first). */
const MAX_SERIES = 4096;
/** Writes waiting at most; more are dropped. */
const MAX_PENDING = 1000;

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
  writing: Promise<void> | undefined;
}

export class EventRecorder {
  private readonly series = new Map<string, Series>();
  private sequence = 0;
  private pending = 0;

  constructor(
    private readonly client: RestClient,
    private readonly component: string,
    private readonly onError: (err: Error) => void = () => {},
  ) {}

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
        writing: undefined,
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
    this.schedule(s);
  }

  /** One write at a time per series; a write that is running picks up what came meanwhile. */
  private schedule(s: Series): void {
    if (s.writing) return;
    if (this.pending >= MAX_PENDING) return;
    this.pending++;
    s.writing = this.write(s).finally(() => {
      this.pending--;
      s.writing = undefined;
      if ((s.event.count ?? 1) > s.written && s.written > 0) this.schedule(s);
    });
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

  /** Waits until every pending event is written (or dropped). */
  async flush(): Promise<void> {
    for (;;) {
      const running = [...this.series.values()].flatMap((s) => (s.writing ? [s.writing] : []));
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }
}
