/**
 * The write-ahead log (WAL): every write is appended to a file and forced to
 * the disk (fsync) before the store acknowledges it. After a crash, replaying
 * the log rebuilds everything that was acknowledged.
 *
 * One record on disk is a frame:
 *
 *   +-------------+-------------+------------------------------+
 *   | length (4B) |  crc32 (4B) |  payload: JSON, length bytes |
 *   +-------------+-------------+------------------------------+
 *     big-endian    of payload
 *
 * A crash can cut the last frame short, or leave garbage after it. The length
 * and the checksum let recovery notice that and stop at the last good frame:
 * that write was never acknowledged (its fsync never finished), so dropping
 * it is correct.
 *
 * Group commit: an fsync takes milliseconds, so writes that arrive while one
 * runs wait in `pending` and all go to the disk together in the next one.
 *
 *   append(a) ──> [write a][fsync ......]  a acknowledged
 *   append(b) ──>        pending: b c d   [write b c d][fsync ......]  b c d acknowledged
 *   append(c) ──>
 *   append(d) ──>
 *
 * The log is a series of segment files wal-0000000001.log, wal-0000000002.log,
 * ... A snapshot lets the store delete the old segments (see store.ts).
 */
import { open, readdir, unlink, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { crc32 as zlibCrc32 } from "node:zlib";
import type { WatchEvent } from "../../shared/store/types.ts";

/** What the store logs: a write's event, or a compaction. */
export type LogRecord = { type: "event"; event: WatchEvent } | { type: "compact"; revision: number };

/**
 * The record of one write: its event without prevKv. Replay applies the
 * records in order, so the value before a write is the key's value at that
 * point (KeySpace.replay() puts prevKv back from there). Logging it would
 * write an updated object twice, and escape both copies.
 */
export function eventRecord(event: WatchEvent): LogRecord {
  return { type: "event", event: event.prevKv ? { type: event.type, kv: event.kv } : event };
}

const HEADER_BYTES = 8;

/** Encodes one record as a frame: length, checksum, JSON payload. */
export function encodeRecord(record: LogRecord): Buffer {
  // STEP(02.6): one frame, as drawn at the top of this file. Recovery (02.7)
  // must be able to find where a frame ends and whether its bytes are intact.
  // Tests: "02.6 store (embedded, on disk) > ..."; read back by 02.7:
  // "02.7 write-ahead log > the log gives back every appended record, in order".
  //#solution
  const payload = Buffer.from(JSON.stringify(record), "utf8");
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32BE(payload.length, 0);
  header.writeUInt32BE(crc32(payload), 4);
  return Buffer.concat([header, payload]);
  //#end
}

/**
 * Decodes the frames of one segment. Stops at the first frame that is cut
 * short or fails its checksum: `validBytes` is where the good frames end.
 */
export function decodeRecords(data: Buffer): { records: LogRecord[]; validBytes: number } {
  // STEP(02.7): the good frames, from the start of `data`. A crash can leave a
  // frame cut short or with garbage: stop there, without throwing, and say where
  // the good frames end.
  // Tests: "02.7 recovery > a torn record at the end of the log is cut off, not replayed and not fatal",
  // "02.7 recovery > a last record whose checksum does not match is dropped".
  //#solution
  const records: LogRecord[] = [];
  let offset = 0;
  while (offset + HEADER_BYTES <= data.length) {
    const length = data.readUInt32BE(offset);
    const checksum = data.readUInt32BE(offset + 4);
    const end = offset + HEADER_BYTES + length;
    if (length === 0 || end > data.length) break;
    const payload = data.subarray(offset + HEADER_BYTES, end);
    if (crc32(payload) !== checksum) break;
    records.push(JSON.parse(payload.toString("utf8")) as LogRecord);
    offset = end;
  }
  return { records, validBytes: offset };
  //#end
}

interface PendingAppend {
  frame: Buffer;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class WriteAheadLog {
  private pending: PendingAppend[] = [];
  /** The running flush loop, if any. */
  private flushing: Promise<void> | undefined;
  /** The segment new batches should go to; cut() moves it on. */
  private targetSegment: number;
  private failure: Error | undefined;
  private closed = false;

  private constructor(
    readonly dir: string,
    private file: FileHandle,
    private fileSegment: number,
  ) {
    this.targetSegment = fileSegment;
  }

  /** Opens a new, empty segment `segment` in dir for appending. */
  static async open(dir: string, segment: number): Promise<WriteAheadLog> {
    return new WriteAheadLog(dir, await createSegment(dir, segment), segment);
  }

  /** Appends a record; resolves once it is on disk. */
  append(record: LogRecord): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error("the write-ahead log is closed"));
    const frame = encodeRecord(record);
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ frame, resolve, reject });
      // One flush loop at a time; if it crashes, no append may wait forever.
      this.flushing ??= this.flushLoop().catch((err: unknown) => this.abort(err));
    });
  }

  /** Fails every waiting append and every later one with err. */
  private abort(err: unknown): void {
    this.failure ??= err instanceof Error ? err : new Error(String(err));
    for (const p of this.pending.splice(0)) p.reject(this.failure);
    this.flushing = undefined;
  }

  /**
   * Group commit: while appends are pending, take ALL of them, write them in
   * one go, fsync once, and resolve them together. Appends that arrive during
   * the fsync form the next batch.
   */
  private async flushLoop(): Promise<void> {
    // STEP(02.6): group commit (see the drawing at the top). An append resolves
    // only once its frame is on the disk (datasync). Appends that arrive during a
    // sync wait for the next batch and share one sync. Batches go to
    // this.targetSegment (switchSegment()). After a disk error every waiting and
    // later append fails (this.failure); none may wait forever.
    // Tests: "02.6 write-ahead log > a write is fsynced before it is acknowledged, and concurrent writes share fsyncs (group commit)",
    // "02.6 write-ahead log > after a disk error, the appends in flight and every later one fail; none waits forever".
    //#solution
    try {
      while (this.pending.length > 0) {
        const batch = this.pending;
        this.pending = [];
        try {
          if (this.targetSegment !== this.fileSegment) await this.switchSegment();
          await this.file.write(Buffer.concat(batch.map((p) => p.frame)));
          await this.file.datasync();
        } catch (err) {
          this.failure = err instanceof Error ? err : new Error(String(err));
          for (const p of [...batch, ...this.pending.splice(0)]) p.reject(this.failure);
          return;
        }
        for (const p of batch) p.resolve();
      }
    } finally {
      this.flushing = undefined;
    }
    //#end
  }

  /**
   * Starts a new segment: every batch written from now on goes to it. Returns
   * the new segment's number; the segments before it can be removed once a
   * snapshot holds their records.
   */
  cut(): number {
    this.targetSegment += 1;
    return this.targetSegment;
  }

  /** Deletes the segments numbered below `segment` (after a snapshot made them useless). */
  async removeSegmentsBefore(segment: number): Promise<void> {
    for (const { n, name } of await listSegments(this.dir)) {
      if (n < segment) await unlink(join(this.dir, name));
    }
    await syncDir(this.dir);
  }

  /** Waits for pending appends, then closes the file. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing) await this.flushing;
    await this.file.close();
  }

  private async switchSegment(): Promise<void> {
    const next = await createSegment(this.dir, this.targetSegment);
    await this.file.close();
    this.file = next;
    this.fileSegment = this.targetSegment;
  }
}

/** The segment files in dir, oldest first. */
export async function listSegments(dir: string): Promise<{ n: number; name: string }[]> {
  const names = await readdir(dir);
  return names
    .map((name) => ({ name, m: /^wal-(\d{10})\.log$/.exec(name) }))
    .filter((x) => x.m !== null)
    .map((x) => ({ n: Number(x.m![1]), name: x.name }))
    .sort((a, b) => a.n - b.n);
}

export function segmentName(n: number): string {
  return `wal-${String(n).padStart(10, "0")}.log`;
}

async function createSegment(dir: string, n: number): Promise<FileHandle> {
  const file = await open(join(dir, segmentName(n)), "a");
  // The new file's name lives in the directory: fsync the directory too, or
  // a crash could lose the whole file even though its data was synced.
  await syncDir(dir);
  return file;
}

/** fsync on a directory makes the creations, renames and deletions in it durable. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * CRC-32, the checksum zip and PNG use. Every write computes it over its whole
 * frame, so it is on the write path: Node's zlib computes it in native code,
 * about 18 times faster than a byte-by-byte loop over a lookup table in
 * JavaScript (measured on a 2.5 KB frame, a pod's event).
 */
export function crc32(data: Uint8Array): number {
  return zlibCrc32(data);
}
