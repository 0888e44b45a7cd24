/**
 * The revisioned key space: etcd's "MVCC" (multi-version concurrency control)
 * layer, in memory.
 *
 * One counter, the revision, orders every write the store ever accepted. Each
 * write bumps it by one and is remembered as an event in `history`, so a watch
 * can replay "everything since revision N". `live` holds the current value of
 * every key that exists now; `history` holds how we got there, back to the
 * compaction point.
 *
 *   revision:   1          2          3          4
 *   history:  PUT /a=1   PUT /b=x   PUT /a=2   DELETE /b
 *   live:     /a -> { value: "2", createRevision: 1, modRevision: 3, version: 2 }
 *
 * This class is synchronous and knows nothing about disks or watchers: the
 * embedded store (store.ts) wraps it with a write-ahead log and fans its
 * events out to watchers.
 */
import { checkWrite, StoreError, type KeyValue, type WatchEvent } from "../../shared/store/types.ts";

/** Everything needed to rebuild a KeySpace: what a snapshot stores. */
export interface KeySpaceState {
  revision: number;
  compactRevision: number;
  /** The live keys, sorted by key. */
  kvs: KeyValue[];
  /** One event per revision, from compactRevision (or 1) up to revision. */
  history: WatchEvent[];
}

export class KeySpace {
  /** The revision of the latest write; 0 in a new store. */
  revision = 0;
  /** History before this revision is forgotten (0: nothing forgotten yet). */
  compactRevision = 0;
  /** The current value of every key that exists. */
  private live = new Map<string, KeyValue>();
  /** One event per revision, oldest first. */
  private history: WatchEvent[] = [];

  get(key: string): KeyValue | undefined {
    // STEP(02.1): return the live key-value of `key` (undefined when the key
    // does not exist).
    //#solution
    return this.live.get(key);
    //#end
  }

  create(key: string, value: string): WatchEvent {
    // STEP(02.1): create a key that must not exist yet.
    // - checkWrite(key, value) first (empty key, value too large);
    // - a key that exists: throw new StoreError("KeyExists", ...);
    // - otherwise the write gets the next revision (this.revision + 1):
    //   createRevision = modRevision = that revision, version = 1;
    // - record it with this.commit({ type: "PUT", kv }) and return the event.
    //#solution
    checkWrite(key, value);
    if (this.live.has(key)) {
      throw new StoreError("KeyExists", `key ${key} already exists`);
    }
    const revision = this.revision + 1;
    const kv: KeyValue = { key, value, createRevision: revision, modRevision: revision, version: 1 };
    return this.commit({ type: "PUT", kv });
    //#end
  }

  update(key: string, value: string, expectedModRevision?: number): WatchEvent {
    // STEP(02.2): overwrite a key that exists.
    // - checkWrite(key, value), then this.mustExist(key, expectedModRevision)
    //   (it throws KeyNotFound or Conflict for you);
    // - the new key-value keeps createRevision, gets modRevision = the next
    //   revision and version + 1;
    // - commit a PUT event that carries prevKv (the key-value before).
    //#solution
    checkWrite(key, value);
    const prev = this.mustExist(key, expectedModRevision);
    const revision = this.revision + 1;
    const kv: KeyValue = { ...prev, value, modRevision: revision, version: prev.version + 1 };
    return this.commit({ type: "PUT", kv, prevKv: prev });
    //#end
  }

  delete(key: string, expectedModRevision?: number): WatchEvent {
    // STEP(02.2): delete a key that exists, with the same compare-and-swap as
    // update. A DELETE event's kv is a "tombstone", as etcd writes it: the key,
    // value "", createRevision 0, version 0 and modRevision = the delete's
    // revision. Its prevKv is the deleted key-value.
    //#solution
    const prev = this.mustExist(key, expectedModRevision);
    const revision = this.revision + 1;
    const tombstone: KeyValue = { key, value: "", createRevision: 0, modRevision: revision, version: 0 };
    return this.commit({ type: "DELETE", kv: tombstone, prevKv: prev });
    //#end
  }

  /** Every live key that starts with prefix, sorted by key; at most `limit` of them. */
  range(prefix: string, limit?: number): KeyValue[] {
    // STEP(02.3): collect the live keys that start with `prefix`, sort them by
    // key (compare strings with < and >, not localeCompare: etcd sorts bytes),
    // and keep the first `limit` when a limit is given (0 means no limit).
    //#solution
    const found: KeyValue[] = [];
    for (const kv of this.live.values()) {
      if (kv.key.startsWith(prefix)) found.push(kv);
    }
    found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return limit ? found.slice(0, limit) : found;
    //#end
  }

  /**
   * The events of revisions fromRevision..this.revision, oldest first. Throws
   * StoreError("Compacted") when fromRevision is older than what we keep.
   */
  eventsSince(fromRevision: number): WatchEvent[] {
    // STEP(02.4): history[0] is the event of revision firstKept(); the event
    // of revision r sits at index r - firstKept(). Return the events from
    // fromRevision on (a fromRevision in the future gives []).
    // A fromRevision below compactRevision was forgotten by a compaction
    // (step 02.5): throw new StoreError("Compacted", ..., this.compactRevision).
    //#solution
    if (fromRevision < this.compactRevision) {
      throw new StoreError(
        "Compacted",
        `revision ${fromRevision} has been compacted; the oldest revision kept is ${this.compactRevision}`,
        this.compactRevision,
      );
    }
    const start = Math.max(fromRevision, this.firstKept()) - this.firstKept();
    return this.history.slice(start);
    //#end
  }

  /** Forgets the history before `revision`. The live keys stay as they are. */
  compact(revision: number): void {
    // STEP(02.5): etcd's rules: compacting at or below the current compaction
    // point is StoreError("Compacted"); beyond this.revision is an error too
    // (a RangeError that says what the current revision is). Otherwise drop
    // the history entries older than `revision` and remember the new
    // compactRevision.
    //#solution
    if (revision <= this.compactRevision) {
      throw new StoreError(
        "Compacted",
        `revision ${revision} has already been compacted (compacted up to ${this.compactRevision})`,
        this.compactRevision,
      );
    }
    if (revision > this.revision) {
      throw new RangeError(`cannot compact at revision ${revision}: the store is only at revision ${this.revision}`);
    }
    this.history = this.history.slice(revision - this.firstKept());
    this.compactRevision = revision;
    //#end
  }

  /**
   * Re-applies an event read back from the write-ahead log. Events at or below
   * the current revision are already in (a snapshot had them): skipping them
   * is what makes replay safe to do twice.
   */
  replay(event: WatchEvent): boolean {
    if (event.kv.modRevision <= this.revision) return false;
    if (event.kv.modRevision !== this.revision + 1) {
      throw new Error(
        `write-ahead log is missing revisions: expected revision ${this.revision + 1}, found ${event.kv.modRevision}`,
      );
    }
    this.commit(event);
    return true;
  }

  /** A copy of everything, for a snapshot. KeyValues are never mutated, so sharing them is safe. */
  state(): KeySpaceState {
    return {
      revision: this.revision,
      compactRevision: this.compactRevision,
      kvs: this.range(""),
      history: [...this.history],
    };
  }

  static fromState(state: KeySpaceState): KeySpace {
    const space = new KeySpace();
    space.revision = state.revision;
    space.compactRevision = state.compactRevision;
    for (const kv of state.kvs) space.live.set(kv.key, kv);
    space.history = [...state.history];
    return space;
  }

  /** The oldest revision whose event is still in history. */
  private firstKept(): number {
    return Math.max(this.compactRevision, 1);
  }

  /** Makes one event the store's newest revision. */
  private commit(event: WatchEvent): WatchEvent {
    this.revision = event.kv.modRevision;
    if (event.type === "PUT") this.live.set(event.kv.key, event.kv);
    else this.live.delete(event.kv.key);
    this.history.push(event);
    return event;
  }

  /** The live key-value of key, checked against an expected modRevision (compare-and-swap). */
  private mustExist(key: string, expectedModRevision: number | undefined): KeyValue {
    const prev = this.live.get(key);
    if (!prev) throw new StoreError("KeyNotFound", `key ${key} not found`);
    if (expectedModRevision !== undefined && prev.modRevision !== expectedModRevision) {
      throw new StoreError(
        "Conflict",
        `key ${key} was modified at revision ${prev.modRevision}, not ${expectedModRevision}: read it again and retry`,
      );
    }
    return prev;
  }
}

