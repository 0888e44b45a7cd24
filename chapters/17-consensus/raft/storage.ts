/**
 * Two disks for a replica (given code: skim).
 *
 * MemoryStorage is the simulator's disk: it outlives a simulated crash,
 * because the simulator keeps it while it throws the RaftNode away.
 * FileStorage is a real one: a JSON file per replica, replaced atomically
 * (write a temp file, fsync it, rename it over the old one) so that a crash
 * leaves either the old state or the new one, never half of each.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { PersistedState, RaftStorage } from "./types.ts";

export function emptyState(): PersistedState {
  return { hard: { currentTerm: 0, votedFor: null }, snapshot: { index: 0, term: 0, data: "" }, entries: [] };
}

export class MemoryStorage implements RaftStorage {
  /** How many times save() was called: tests look at it. */
  saves = 0;
  private state: PersistedState = emptyState();

  load(): PersistedState {
    return { hard: { ...this.state.hard }, snapshot: this.state.snapshot, entries: [...this.state.entries] };
  }

  save(state: PersistedState): void {
    this.saves++;
    // Entries and snapshots are never changed in place, so a shallow copy is a real copy.
    this.state = { hard: { ...state.hard }, snapshot: state.snapshot, entries: [...state.entries] };
  }
}

export class FileStorage implements RaftStorage {
  private readonly file: string;
  private readonly snapshotFile: string;
  /** The snapshot index last written to snapshotFile: a snapshot is written once, not at every save. */
  private savedSnapshot = -1;

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, "raft-state.json");
    this.snapshotFile = join(dir, "raft-snapshot.json");
  }

  load(): PersistedState {
    const state = readJson<Omit<PersistedState, "snapshot"> & { snapshotIndex: number }>(this.file, this.dir);
    if (!state) return emptyState();
    const snapshot = readJson<PersistedState["snapshot"]>(this.snapshotFile, this.dir) ?? emptyState().snapshot;
    if (snapshot.index !== state.snapshotIndex) {
      throw new Error(
        `${this.dir}: the log starts after ${state.snapshotIndex} but the snapshot ends at ${snapshot.index}: remove the folder to start this replica empty`,
      );
    }
    this.savedSnapshot = snapshot.index;
    return { hard: state.hard, snapshot, entries: state.entries };
  }

  save(state: PersistedState): void {
    // Synchronous on purpose: the replica must not send the message that
    // depends on this state before it is on disk. The snapshot goes first:
    // the log file names the snapshot it continues.
    if (state.snapshot.index !== this.savedSnapshot) {
      writeAtomically(this.snapshotFile, JSON.stringify(state.snapshot));
      this.savedSnapshot = state.snapshot.index;
    }
    writeAtomically(this.file, JSON.stringify({ hard: state.hard, snapshotIndex: state.snapshot.index, entries: state.entries }));
  }
}

function readJson<T>(file: string, dir: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(`${file} cannot be read (${(err as Error).message}): remove the folder ${dir} to start this replica empty`);
  }
}

/** Writes a temp file, fsyncs it and renames it over file: a crash leaves the old or the new content. */
function writeAtomically(file: string, content: string): void {
  const temp = `${file}.tmp`;
  const fd = openSync(temp, "w");
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
}
