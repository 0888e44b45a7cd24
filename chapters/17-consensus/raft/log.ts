/**
 * The replicated log, with a compacted prefix (given code: skim it).
 *
 *   snapshot covers 1..7          entries kept in memory
 *   ┌───────────────────┐ ┌────┬────┬────┬────┐
 *   │ index 7, term 2   │ │ 8  │ 9  │ 10 │ 11 │   lastIndex() = 11
 *   └───────────────────┘ └────┴────┴────┴────┘
 *
 * termAt(7) is still known (the snapshot keeps it): the consistency check of
 * an append right after the snapshot needs it. termAt(5) is not: those
 * entries are gone, and a follower that needs them gets the snapshot.
 */
import type { Entry, Snapshot } from "./types.ts";

export class RaftLog {
  constructor(
    public snapshot: Snapshot = { index: 0, term: 0, data: "" },
    public entries: Entry[] = [],
  ) {}

  lastIndex(): number {
    return this.snapshot.index + this.entries.length;
  }

  lastTerm(): number {
    return this.termAt(this.lastIndex())!;
  }

  /** The term of the entry at index; undefined when it is compacted away or not there yet. */
  termAt(index: number): number | undefined {
    if (index === this.snapshot.index) return this.snapshot.term;
    return this.entry(index)?.term;
  }

  entry(index: number): Entry | undefined {
    if (index <= this.snapshot.index) return undefined;
    return this.entries[index - this.snapshot.index - 1];
  }

  /** The entries from index `from` (inclusive) on, at most `max` of them. */
  slice(from: number, max = Infinity): Entry[] {
    const start = Math.max(from - this.snapshot.index - 1, 0);
    return this.entries.slice(start, start + max);
  }

  append(entry: Entry): void {
    if (entry.index !== this.lastIndex() + 1) {
      throw new Error(`append at ${entry.index} after ${this.lastIndex()}: a log has no holes`);
    }
    this.entries.push(entry);
  }

  /** Drops the entry at index and every entry after it (a conflict with the leader). */
  truncateFrom(index: number): void {
    if (index <= this.snapshot.index) throw new Error(`cannot truncate at ${index}: it is inside the snapshot`);
    this.entries.length = Math.max(index - this.snapshot.index - 1, 0);
  }

  /** Replaces entries 1..snapshot.index by the snapshot, keeping what follows it. */
  compact(snapshot: Snapshot): void {
    const keep = this.slice(snapshot.index + 1);
    this.snapshot = snapshot;
    this.entries = keep;
  }

  /** Drops everything: the log is the snapshot alone (a follower that installs a leader's snapshot). */
  reset(snapshot: Snapshot): void {
    this.snapshot = snapshot;
    this.entries = [];
  }
}
