/**
 * The embedded store: the Store interface the apiserver uses, built from the
 * parts of this chapter.
 *
 *   create/update/delete ──> KeySpace (mvcc.ts)     decides and applies, in memory
 *                              │ the write's event
 *                              v
 *                           WriteAheadLog (wal.ts)   appended, fsynced (if durable)
 *                              │ on disk now
 *                              v
 *                           WatchHub (watch.ts)      fanned out to watchers
 *                              │
 *                              v
 *                           the caller's promise resolves: the write is acknowledged
 *
 * Every so many log records the store writes a snapshot (snapshot.ts) and
 * drops the log segments the snapshot makes unnecessary.
 */
import {
  StoreError,
  type KeyValue,
  type RangeOptions,
  type RangeResult,
  type Store,
  type WatchErrorHandler,
  type WatchEvent,
  type WatchHandler,
  type WatchOptions,
  type Watcher,
} from "../../shared/store/types.ts";
import { KeySpace } from "./mvcc.ts";
import { writeSnapshot } from "./snapshot.ts";
import { eventRecord, type WriteAheadLog } from "./wal.ts";
import { WatchHub } from "./watch.ts";

/** Where a durable store keeps its files, and when it snapshots. */
export interface Durability {
  dir: string;
  log: WriteAheadLog;
  /** Write a snapshot after this many log records. */
  snapshotEvery: number;
}

export class EmbeddedStore implements Store {
  private readonly watchers: WatchHub;
  private closed = false;
  /** Set when the disk failed: memory may be ahead of the log, so nothing more is trusted. */
  private failure: Error | undefined;
  private recordsSinceSnapshot = 0;
  private snapshotting: Promise<void> | undefined;
  /** Resolves when every write appended so far is on disk. */
  private lastWrite: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly kv: KeySpace,
    private readonly durability?: Durability,
  ) {
    this.watchers = new WatchHub(kv.revision);
  }

  async revision(): Promise<number> {
    this.checkOpen();
    return this.kv.revision;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.checkOpen();
    const kv = this.kv.get(key);
    await this.durable();
    return kv;
  }

  async range(prefix: string, options: RangeOptions = {}): Promise<RangeResult> {
    this.checkOpen();
    const { limit, fromKey, revision } = options;
    let result: RangeResult;
    if (fromKey === undefined && (revision === undefined || revision === this.kv.revision)) {
      result = { kvs: this.kv.range(prefix, limit), revision: this.kv.revision };
      // etcd's count: how many keys the range holds before the limit cut it (a list's remainingItemCount).
      if (limit) result.count = result.kvs.length < limit ? result.kvs.length : this.kv.range(prefix).length;
    } else {
      // A page of a list: from a key, at the list's revision, as etcd reads it.
      const at = revision ?? this.kv.revision;
      const all = at === this.kv.revision ? this.kv.range(prefix) : this.kv.rangeAt(prefix, at);
      const rest = fromKey === undefined ? all : all.filter((kv) => kv.key >= fromKey);
      result = { kvs: limit ? rest.slice(0, limit) : rest, revision: at, count: rest.length };
    }
    await this.durable();
    return result;
  }

  async create(key: string, value: string): Promise<KeyValue> {
    return (await this.write((kv) => kv.create(key, value))).kv;
  }

  async update(key: string, value: string, expectedModRevision?: number): Promise<KeyValue> {
    return (await this.write((kv) => kv.update(key, value, expectedModRevision))).kv;
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    const event = await this.write((kv) => kv.delete(key, expectedModRevision));
    return event.prevKv!;
  }

  async watch(prefix: string, options: WatchOptions, onEvents: WatchHandler, onError?: WatchErrorHandler): Promise<Watcher> {
    this.checkOpen();
    // Like etcd, a missing (or 0) fromRevision means "from the next write on".
    const from = options.fromRevision || this.kv.revision + 1;
    const history = from <= this.kv.revision ? this.kv.eventsSince(from) : [];
    return this.watchers.add(prefix, from, history, onEvents, onError);
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    this.kv.compact(revision);
    const log = this.durability?.log;
    if (log) await this.track(log.append({ type: "compact", revision }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.watchers.closeAll();
    await this.snapshotting;
    await this.durability?.log.close();
  }

  /** Forces a snapshot now (tests use it; the store also takes one every `snapshotEvery` records). */
  async snapshot(): Promise<void> {
    this.checkOpen();
    await this.snapshotting;
    this.snapshotting = this.takeSnapshot().finally(() => (this.snapshotting = undefined));
    await this.snapshotting;
  }

  /**
   * Every write goes through here: decide and apply in memory (synchronously,
   * so concurrent writes get distinct, ordered revisions), make it durable,
   * then tell the watchers and acknowledge.
   */
  private async write(apply: (kv: KeySpace) => WatchEvent): Promise<WatchEvent> {
    this.checkOpen();
    const event = apply(this.kv);
    const log = this.durability?.log;
    if (log) {
      // STEP(02.6): the write must be on disk before anyone hears of it: not the
      // caller, not a watcher. A failing disk must stop the store (this.track()).
      // The log keeps eventRecord(event) (wal.ts). Count the record toward the
      // next snapshot (this.maybeSnapshot()).
      //#solution
      await this.track(log.append(eventRecord(event)));
      this.recordsSinceSnapshot++;
      this.maybeSnapshot();
      //#end
    }
    this.watchers.notify([event]);
    return event;
  }

  /** Remembers a pending append; a failed append breaks the store for good. */
  private track(append: Promise<void>): Promise<void> {
    this.lastWrite = append;
    return append.catch((err: Error) => {
      this.fail(err);
      throw err;
    });
  }

  /**
   * Waits until every write a read may have seen is on disk, so a read never
   * shows a write that a crash could still take back.
   */
  private async durable(): Promise<void> {
    await this.lastWrite.catch(() => {});
    this.checkOpen();
  }

  private maybeSnapshot(): void {
    const every = this.durability?.snapshotEvery ?? Infinity;
    if (this.snapshotting || this.closed || this.recordsSinceSnapshot < every) return;
    this.snapshotting = this.takeSnapshot()
      .catch((err: Error) => this.fail(err))
      .finally(() => (this.snapshotting = undefined));
  }

  private async takeSnapshot(): Promise<void> {
    if (!this.durability) return;
    const { dir, log } = this.durability;
    // STEP(02.8): snapshot, then shorten the log. Every record after the state's
    // revision must stay in a segment that is kept, so take the state and cut the
    // log (log.cut()) in one synchronous step. Delete old segments only once the
    // snapshot is safely on disk.
    // Tests: "02.8 snapshots > recovers from a snapshot plus the log written after it".
    //#solution
    const state = this.kv.state();
    const firstNewSegment = log.cut();
    this.recordsSinceSnapshot = 0;
    await writeSnapshot(dir, state);
    await log.removeSegmentsBefore(firstNewSegment);
    //#end
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = new Error(`the store's disk failed, reopen the store to recover: ${err.message}`);
    this.watchers.closeAll(this.failure);
  }

  private checkOpen(): void {
    if (this.failure) throw this.failure;
    if (this.closed) throw new StoreError("Closed", "the store is closed: open it again with openEmbeddedStore()");
  }
}
