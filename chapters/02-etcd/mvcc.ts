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
import { todo } from "../../shared/todo.ts";

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
  /**
   * The live key-values sorted by key, or undefined after a create or a delete
   * changed the set of keys (the next range sorts them again). etcd keeps its
   * keys in a B-tree (its "treeIndex") for the same reason: a range walks the
   * keys in order instead of sorting them all. An update keeps the same keys
   * and takes its key's place.
   */
  private sorted: KeyValue[] | undefined;

  get(key: string): KeyValue | undefined {
    // TODO(02.1): the live key-value of `key`, or undefined.
    todo("02.1");
  }

  create(key: string, value: string): WatchEvent {
    // TODO(02.1): create a key that does not exist yet (KeyExists otherwise).
    // Every write gets the next revision, so revisions have no gaps. A key's
    // version counts its writes since it was created. A failed write changes
    // nothing, and a key or value that etcd refuses is refused here too
    // (shared/store/types.ts).
    // Tests: "02.1 create fails with KeyExists when the key is present, and changes nothing";
    // with update() (02.2): "02.2 stamps every write with the next revision: ...".
    todo("02.1");
  }

  update(key: string, value: string, expectedModRevision?: number): WatchEvent {
    // TODO(02.2): write `value` over a live key, under the compare-and-swap
    // rule (mustExist). What was handed out before (a caller's result, the
    // history, earlier events) is the past and must never change. A watcher
    // must be able to see the value before this write.
    // Tests: "02.2 update: a missing key is KeyNotFound, a stale modRevision is Conflict, the current one wins",
    // "02.2 key space > the events of update and delete carry the key-value before them (prevKv)".
    todo("02.2");
  }

  delete(key: string, expectedModRevision?: number): WatchEvent {
    // TODO(02.2): the same rule as update. A delete is a write: it has its own
    // revision, and a watch must still be able to replay it once the key is
    // gone. What its event holds is etcd's choice (DELETE in shared/store/types.ts).
    // Tests: "02.2 delete: compare-and-swap like update, returns the deleted key-value, and a re-create starts over".
    todo("02.2");
  }

  /** Every live key that starts with prefix, sorted by key; at most `limit` of them. */
  range(prefix: string, limit?: number): KeyValue[] {
    // TODO(02.3): every live key under `prefix`, in etcd's order (bytes, not
    // locale), at most `limit` of them (0: no limit). inOrder() keeps every live
    // key-value in that order between creates: a list of 150,000 pods should
    // not sort them all on each read. Return a new array, not inOrder()'s own.
    // Tests: "02.3 range: every key under the prefix and nothing else, sorted by key, with limit and the read's revision".
    todo("02.3");
  }

  /**
   * Every live key-value, sorted by key in etcd's order: by bytes, not by
   * locale ("B" before "a"). Comparing strings with < compares UTF-16 code
   * units: the same order for the keys of this project (no characters beyond U+FFFF).
   */
  private inOrder(): readonly KeyValue[] {
    this.sorted ??= [...this.live.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return this.sorted;
  }

  /**
   * Every key under prefix as it was at `revision`, sorted by key. What a
   * list's second page reads, so that all its pages show one moment.
   * Compacted when that part of the history is gone.
   */
  rangeAt(prefix: string, revision: number): KeyValue[] {
    if (revision > this.revision) {
      throw new RangeError(`revision ${revision} is in the future: the store is only at revision ${this.revision}`);
    }
    if (revision < this.compactRevision) {
      throw new StoreError(
        "Compacted",
        `revision ${revision} has been compacted; the oldest revision kept is ${this.compactRevision}`,
        this.compactRevision,
      );
    }
    // TODO(02.3): the keys under `prefix` as they were at `revision`, sorted
    // like range(). This class keeps no copy of the past: only the live keys
    // and the history since the last compaction (checked above). A write after
    // `revision` may have changed, created or deleted a key.
    // Tests: "02.3 range pages: from a key, at an older revision, with the count before the limit".
    todo("02.3");
  }

  /**
   * The events of revisions fromRevision..this.revision, oldest first. Throws
   * StoreError("Compacted") when fromRevision is older than what we keep.
   */
  eventsSince(fromRevision: number): WatchEvent[] {
    // TODO(02.4): what a watch from `fromRevision` replays: every kept event at
    // or after that revision, oldest first, with no hole. If compaction forgot
    // part of it, refuse: StoreError "Compacted" with the compact revision, so
    // the client knows it must list again.
    // Tests: "02.4 watch from a revision replays exactly the history from there, then streams new writes",
    // "02.5 compaction: a watch from before the compacted revision fails with Compacted; later ones still work".
    todo("02.4");
  }

  /** Forgets the history before `revision`. The live keys stay as they are. */
  compact(revision: number): void {
    // TODO(02.5): after compact(r), a watch from r still replays and one from
    // r - 1 is Compacted; the live keys do not change. As in etcd, compacting at
    // or before the last compaction point is "Compacted", and compacting past
    // the current revision is an error that names the current revision.
    // Tests: "02.5 compaction: a watch from before the compacted revision fails with Compacted; later ones still work".
    todo("02.5");
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
    // The log leaves prevKv out (wal.ts, eventRecord()): the value before this
    // write is the key's value now, as every earlier record is applied.
    const prevKv = this.live.get(event.kv.key);
    this.commit(prevKv ? { type: event.type, kv: event.kv, prevKv } : { type: event.type, kv: event.kv });
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
    // A create or a delete changes the set of keys: they are sorted again when asked for.
    if (event.type === "DELETE" || !this.live.has(event.kv.key)) this.sorted = undefined;
    else if (this.sorted) this.sorted[firstAtOrAfter(this.sorted, event.kv.key)] = event.kv;
    if (event.type === "PUT") this.live.set(event.kv.key, event.kv);
    else this.live.delete(event.kv.key);
    this.history.push(event);
    return event;
  }

  /** The live key-value of key, checked against an expected modRevision (compare-and-swap). */
  private mustExist(key: string, expectedModRevision: number | undefined): KeyValue {
    // TODO(02.2): the rule behind every compare-and-swap. Two writers that read
    // the same modRevision race: exactly one may win, and the other must learn
    // that it has to read again (StoreError Conflict). A caller that gives no
    // modRevision asks only that the key exists (else KeyNotFound).
    // Tests: "02.2 update: a missing key is KeyNotFound, a stale modRevision is Conflict, the current one wins",
    // "02.2 store > concurrent writes get distinct, gap-free revisions, and CAS lets exactly one of them win".
    todo("02.2");
  }
}

/** The index of the first key-value whose key is >= `key` in sorted `kvs` (binary search). */
function firstAtOrAfter(kvs: readonly KeyValue[], key: string): number {
  let lo = 0;
  let hi = kvs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (kvs[mid]!.key < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
