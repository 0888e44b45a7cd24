/**
 * Snapshots: the whole key space written to one file, so recovery does not
 * have to replay a log that grows forever.
 *
 * What a file system promises (POSIX), and what replacing a file safely is
 * built from:
 *
 *   - writing a file changes it bit by bit: a crash can leave half of it;
 *   - fsync on a file puts its bytes on the disk;
 *   - rename over an existing name is atomic: a reader sees the old file or
 *     the new one, never a mix;
 *   - fsync on a directory puts its changes (a rename, say) on the disk.
 *
 * The log segments before a snapshot may be deleted only once the snapshot
 * itself is safely on disk.
 */
import { open, readFile, rename, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { KeySpaceState } from "./mvcc.ts";
import { syncDir } from "./wal.ts";
import { todo } from "../../shared/todo.ts";

export const SNAPSHOT_FILE = "snapshot.json";

export async function writeSnapshot(dir: string, state: KeySpaceState): Promise<void> {
  // TODO(02.8): replace the snapshot so that a crash at any moment leaves the
  // old one or the new one, whole, and the new one is on disk when this
  // resolves (the facts are above; writeJson() below writes the state without
  // holding the event loop; syncDir() is in wal.ts).
  // Tests: "02.8 snapshots > a forced snapshot alone is enough to recover",
  // "02.8 snapshots > while a new snapshot is being written, the old one stays whole on disk".
  todo("02.8");
}

/** Items per write in writeJson(): about 1 MB of pods. */
const ITEMS_PER_WRITE = 1_000;

/**
 * Writes the text of JSON.stringify(state), in pieces. A store of 20,000 pods
 * (their history included) is about 37 MB of JSON: one JSON.stringify of it
 * holds the event loop for hundreds of milliseconds, and every request waits.
 * Written 1,000 items at a time, the apiserver serves requests between two
 * pieces. The state is a copy and its items are never changed in place, so
 * writes that land meanwhile do not change what is written.
 */
export async function writeJson(file: FileHandle, state: KeySpaceState): Promise<void> {
  const { revision, compactRevision, kvs, history } = state;
  await file.write(`{"revision":${revision},"compactRevision":${compactRevision},"kvs":[`);
  await writeItems(file, kvs);
  await file.write(`],"history":[`);
  await writeItems(file, history);
  await file.write("]}");
}

async function writeItems(file: FileHandle, items: readonly unknown[]): Promise<void> {
  for (let at = 0; at < items.length; at += ITEMS_PER_WRITE) {
    const piece = items.slice(at, at + ITEMS_PER_WRITE).map((item) => JSON.stringify(item));
    await file.write((at === 0 ? "" : ",") + piece.join(","));
  }
}

/** The snapshot in dir, or undefined when none was written yet. */
export async function readSnapshot(dir: string): Promise<KeySpaceState | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, SNAPSHOT_FILE), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  try {
    return JSON.parse(text) as KeySpaceState;
  } catch {
    throw new Error(`${join(dir, SNAPSHOT_FILE)} is damaged (not valid JSON): restore it from a backup or move it away`);
  }
}
