/**
 * Watchers and the fan-out of events.
 *
 * A watch is "tell me every change under this prefix, starting at revision
 * N". The hub keeps the list of open watches; after every acknowledged write
 * the store hands the write's event to `notify()`, and the hub passes it to
 * each watch whose prefix matches.
 *
 *                       notify(event of revision 7)
 *                                  |
 *             +--------------------+--------------------+
 *             v                    v                    v
 *   watch "/registry/pods/"  watch "/registry/"   watch "/registry/nodes/"
 *        (matches)             (matches)             (skips: other prefix)
 *
 * A watch that starts in the past first gets the history the key space still
 * keeps (its "replay"), then the live events. The hub makes the two meet
 * without a gap: add() replays only what notify() has passed on already.
 *
 * Handlers are never called from inside a write: a slow or throwing handler
 * cannot break the store or the writer.
 */
import {
  StoreError,
  type WatchErrorHandler,
  type WatchEvent,
  type WatchHandler,
  type Watcher,
} from "../../shared/store/types.ts";

class Watch implements Watcher {
  /** The revision of the next event this watch accepts. */
  private next: number;
  private queue: WatchEvent[] = [];
  private scheduled = false;
  private done = false;

  constructor(
    private readonly hub: WatchHub,
    readonly prefix: string,
    fromRevision: number,
    private readonly onEvents: WatchHandler,
    private readonly onError?: WatchErrorHandler,
  ) {
    this.next = fromRevision;
  }

  /** Queues the events this watch wants and schedules a delivery. */
  push(events: WatchEvent[]): void {
    // STEP(02.4): take what this watch wants from `events` and hand it on:
    // each revision under its prefix from its start on, once and in order. A
    // watch may start at a revision still to come (etcd allows it). A handler
    // never runs inside the writer's call (a slow one would hold up every
    // write); deliver() is the call.
    // Tests: "02.4 events arrive in revision order, each with its prevKv; a DELETE carries a tombstone",
    // "02.4 a watch on a prefix sees only keys under that prefix",
    // "02.4 store > a watch from a revision still to come starts there, as in etcd",
    // "02.4 store > a handler never runs inside the write that caused it".
    //#solution
    if (this.done) return;
    for (const event of events) {
      if (event.kv.modRevision < this.next || !event.kv.key.startsWith(this.prefix)) continue;
      this.queue.push(event);
      this.next = event.kv.modRevision + 1;
    }
    if (this.queue.length > 0 && !this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.deliver());
    }
    //#end
  }

  /** Hands everything queued to the handler in one call (events stay in revision order). */
  private deliver(): void {
    this.scheduled = false;
    if (this.done || this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    try {
      this.onEvents(batch);
    } catch (err) {
      // A handler that throws ends its own watch, and only its own.
      this.end(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** Ends the watch because of err (store closed, handler failed): onError is told once. */
  end(err: Error): void {
    if (this.done) return;
    this.done = true;
    this.hub.remove(this);
    this.onError?.(err);
  }

  async cancel(): Promise<void> {
    this.done = true;
    this.queue = [];
    this.hub.remove(this);
  }
}

export class WatchHub {
  private watches = new Set<Watch>();

  /**
   * @param notifiedRevision the newest revision already passed to notify():
   *   events after it are still on their way (waiting for the disk) and will
   *   come through notify(), so a replay must not include them.
   */
  constructor(public notifiedRevision: number) {}

  /** Opens a watch from `fromRevision`, first replaying `history` (events of the past, oldest first). */
  add(prefix: string, fromRevision: number, history: WatchEvent[], onEvents: WatchHandler, onError?: WatchErrorHandler): Watcher {
    const watch = new Watch(this, prefix, fromRevision, onEvents, onError);
    watch.push(history.filter((e) => e.kv.modRevision <= this.notifiedRevision));
    this.watches.add(watch);
    return watch;
  }

  /** Fans the events of one acknowledged write out to every watch. */
  notify(events: WatchEvent[]): void {
    // Every watch filters for itself (Watch.push).
    for (const watch of this.watches) watch.push(events);
    const last = events.at(-1);
    if (last) this.notifiedRevision = last.kv.modRevision;
  }

  remove(watch: Watch): void {
    this.watches.delete(watch);
  }

  /** Ends every watch, telling each one's onError why (the store was closed). */
  closeAll(reason: Error = new StoreError("Closed", "the store was closed")): void {
    for (const watch of [...this.watches]) watch.end(reason);
  }
}
