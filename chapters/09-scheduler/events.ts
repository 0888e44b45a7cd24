/**
 * Events the scheduler reports about pods, shown by `kubectl describe pod`
 * and `kubectl get events`:
 *
 *   Normal   Scheduled         Successfully assigned default/web to node-2
 *   Warning  FailedScheduling  0/3 nodes are available: 3 Insufficient memory.
 *
 * Events are best effort: they are written in the background by a few
 * workers, and dropped (not retried) when the apiserver refuses them or
 * when too many wait, so reporting never slows scheduling down.
 */
import { timestamp, type Event, type Pod } from "../../shared/api/index.ts";
import type { RestClient } from "../04-kubectl/client/rest.ts";
import { EVENTS } from "../04-kubectl/client/resources.ts";

const WORKERS = 4;
const MAX_PENDING = 1000;

export class EventRecorder {
  private readonly pending: Event[] = [];
  private readonly workers = new Set<Promise<void>>();
  private sequence = 0;

  constructor(
    private readonly client: RestClient,
    private readonly component: string,
    private readonly onError: (err: Error) => void = () => {},
  ) {}

  event(pod: Pod, type: "Normal" | "Warning", reason: string, message: string): void {
    if (this.pending.length >= MAX_PENDING) return;
    const { name = "", namespace = "default", uid } = pod.metadata ?? {};
    const now = timestamp();
    this.pending.push({
      apiVersion: "v1",
      kind: "Event",
      // Kubernetes names events <object>.<unique hex>.
      metadata: { name: `${name}.${Date.now().toString(16)}${(this.sequence++).toString(16)}`, namespace },
      involvedObject: { apiVersion: "v1", kind: "Pod", name, namespace, uid },
      reason,
      message,
      type,
      source: { component: this.component },
      reportingComponent: this.component,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    });
    if (this.workers.size < WORKERS) {
      const worker: Promise<void> = this.work().finally(() => this.workers.delete(worker));
      this.workers.add(worker);
    }
  }

  private async work(): Promise<void> {
    for (let event = this.pending.shift(); event; event = this.pending.shift()) {
      try {
        await this.client.resource<Event>(EVENTS).create(event);
      } catch (err) {
        this.onError(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }

  /** Waits until every pending event is written (or dropped). */
  async flush(): Promise<void> {
    while (this.workers.size > 0) await Promise.all(this.workers);
  }
}
