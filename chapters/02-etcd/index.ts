/**
 * Opening the embedded store: the entry point every later chapter uses.
 *
 *   const store = await openEmbeddedStore();                    // memory only
 *   const store = await openEmbeddedStore({ dir: "./data" });   // durable
 *
 * A durable store recovers on open:
 *
 *   snapshot.json ──> KeySpace at revision R
 *   wal-0000000003.log ─┐
 *   wal-0000000004.log ─┴─> replay every record after R, in order
 *                           (a torn record at the very end is cut off)
 *   wal-0000000005.log  <── a new segment for this run's writes
 */
import { mkdir, open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { KeySpace } from "./mvcc.ts";
import { readSnapshot } from "./snapshot.ts";
import { EmbeddedStore } from "./store.ts";
import { decodeRecords, listSegments, WriteAheadLog, type LogRecord } from "./wal.ts";
import { todo } from "../../shared/todo.ts";

export { EmbeddedStore } from "./store.ts";

export interface EmbeddedStoreOptions {
  /** Folder for the log and snapshots; without it the store lives in memory only. */
  dir?: string;
  /** Write a snapshot after this many log records (default 10,000). */
  snapshotEvery?: number;
}

export async function openEmbeddedStore(options: EmbeddedStoreOptions = {}): Promise<EmbeddedStore> {
  if (!options.dir) return new EmbeddedStore(new KeySpace());
  const dir = options.dir;
  await mkdir(dir, { recursive: true });
  const { kv, lastSegment } = await recover(dir);
  const log = await WriteAheadLog.open(dir, lastSegment + 1);
  return new EmbeddedStore(kv, { dir, log, snapshotEvery: options.snapshotEvery ?? 10_000 });
}

/** Rebuilds the key space from the snapshot and the log segments in dir. */
async function recover(dir: string): Promise<{ kv: KeySpace; lastSegment: number }> {
  const state = await readSnapshot(dir);
  const kv = state ? KeySpace.fromState(state) : new KeySpace();
  const segments = await listSegments(dir);
  for (const [i, { name }] of segments.entries()) {
    const path = join(dir, name);
    const isLast = i === segments.length - 1;
    // TODO(02.7): replay this segment into kv (applyRecord). Bytes after the last
    // good frame of the LAST segment are a write torn by a crash: it was never
    // acknowledged, so cut it off (cutTornTail) and go on. The same in an earlier
    // segment is real damage: stop with an Error that names the file.
    // Tests: "02.7 recovery > reopening after close keeps every key, the revision, the history and the compaction point".
    todo("02.7");
  }
  return { kv, lastSegment: segments.at(-1)?.n ?? 0 };
}

/**
 * Applies one log record. Records the snapshot already holds are skipped (the
 * key space compares revisions), so a record is never applied twice.
 */
function applyRecord(kv: KeySpace, record: LogRecord): void {
  if (record.type === "event") kv.replay(record.event);
  else if (record.revision > kv.compactRevision) kv.compact(record.revision);
}

/** Drops a torn last record so this segment ends at a frame boundary again. */
async function cutTornTail(path: string, validBytes: number): Promise<void> {
  const file = await open(path, "r+");
  try {
    await file.truncate(validBytes);
    await file.sync();
  } finally {
    await file.close();
  }
}
