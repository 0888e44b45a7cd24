/**
 * Chapter 02: what only a durable store promises. No acknowledged write is
 * lost across a restart or a crash, none is replayed twice, a torn record at
 * the end of the log is tolerated, and recovery uses snapshot + log tail.
 */
import { spawn } from "node:child_process";
import { appendFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Store, WatchEvent } from "../shared/store/types.ts";
import { openEmbeddedStore } from "@tree/02-etcd/index.ts";
import { readSnapshot } from "@tree/02-etcd/snapshot.ts";
import { decodeRecords, encodeRecord, listSegments, WriteAheadLog } from "@tree/02-etcd/wal.ts";
import { waitFor } from "./harness/wait.ts";
import { collect, expectStoreError } from "./harness/store-behaviour.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "k8s-workshop-store-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The whole history of a store (it must not have been compacted). */
async function history(store: Store): Promise<WatchEvent[]> {
  const revision = await store.revision();
  if (revision === 0) return [];
  const w = await collect(store, "", 1);
  const events = await w.until(revision);
  await w.watcher.cancel();
  return events;
}

/** The revisions of every record in the log segments on disk. */
async function loggedRevisions(): Promise<number[]> {
  const revisions: number[] = [];
  for (const { name } of await listSegments(dir)) {
    for (const r of decodeRecords(await readFile(join(dir, name))).records) {
      if (r.type === "event") revisions.push(r.event.kv.modRevision);
    }
  }
  return revisions;
}

it("02.7 recovery > reopening after close keeps every key, the revision, the history and the compaction point", async () => {
  const store = await openEmbeddedStore({ dir });
  await store.create("/a", "1");
  await store.update("/a", "2");
  await store.create("/b", "x");
  await store.delete("/b");
  await store.create("/c", "y");
  await store.compact(2);
  const before = await store.range("");
  const events = await collect(store, "", 2).then((w) => w.until(4));
  await store.close();

  const again = await openEmbeddedStore({ dir });
  expect(await again.revision()).toBe(5);
  expect(await again.range("")).toEqual(before);
  expect(await collect(again, "", 2).then((w) => w.until(4))).toEqual(events);
  await expectStoreError(
    again.watch("", { fromRevision: 1 }, () => {}),
    "Compacted",
    "after reopening, the watch from revision 1 (compacted before the close)",
  );
  // And it goes on from there.
  expect((await again.create("/d", "z")).modRevision).toBe(6);
  await again.close();

  const third = await openEmbeddedStore({ dir });
  expect((await third.get("/d"))?.modRevision).toBe(6);
  await third.close();
});

it("02.6 write-ahead log > a write is fsynced before it is acknowledged, and concurrent writes share fsyncs (group commit)", async () => {
  const wal = await WriteAheadLog.open(dir, 1);
  // Count fsyncs on every file handle (the log's included).
  const handle = await open(join(dir, "probe"), "w");
  const proto = Object.getPrototypeOf(handle) as { sync(): Promise<void>; datasync(): Promise<void> };
  await handle.close();
  const sync = vi.spyOn(proto, "sync");
  const datasync = vi.spyOn(proto, "datasync");
  try {
    await wal.append({ type: "compact", revision: 1 });
    expect(
      sync.mock.calls.length + datasync.mock.calls.length,
      "fsyncs for one append: an append is durable only after an fsync",
    ).toBeGreaterThanOrEqual(1);

    const before = sync.mock.calls.length + datasync.mock.calls.length;
    await Promise.all(Array.from({ length: 100 }, (_, i) => wal.append({ type: "compact", revision: i + 2 })));
    const fsyncs = sync.mock.calls.length + datasync.mock.calls.length - before;
    expect(fsyncs, "fsyncs for 100 concurrent appends").toBeGreaterThanOrEqual(1);
    expect(
      fsyncs,
      `100 concurrent appends took ${fsyncs} fsyncs: appends waiting together must share one fsync (group commit)`,
    ).toBeLessThan(50);
  } finally {
    sync.mockRestore();
    datasync.mockRestore();
    await wal.close();
  }
});

it("02.6 write-ahead log > a write is acknowledged, and watchers hear of it, only after its log record is fsynced", async () => {
  const store = await openEmbeddedStore({ dir });
  const watch = await collect(store, "/");
  // Hold every fsync (sync or datasync, on any file handle) until we let it go.
  const handle = await open(join(dir, "probe"), "w");
  const proto = Object.getPrototypeOf(handle) as Record<"sync" | "datasync", (this: unknown) => Promise<void>>;
  await handle.close();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let fsyncsStarted = 0;
  const held = (real: (this: unknown) => Promise<void>) =>
    async function (this: unknown): Promise<void> {
      fsyncsStarted++;
      await gate;
      return real.call(this);
    };
  const spies = (["sync", "datasync"] as const).map((name) => {
    const real = proto[name];
    return vi.spyOn(proto, name).mockImplementation(held(real));
  });
  try {
    let acknowledged = false;
    const write = store.create("/durable", "1").then((kv) => ((acknowledged = true), kv));
    await waitFor("the log to start its fsync (or the write to be acknowledged)", () => fsyncsStarted > 0 || acknowledged);
    expect(
      acknowledged,
      "store.create resolved while its log record was not fsynced yet: acknowledge a write only once it is on disk",
    ).toBe(false);
    expect(
      watch.events.map((e) => e.kv.key),
      "a watcher heard of a write that was not on disk yet",
    ).toEqual([]);
    release();
    expect((await write).modRevision).toBe(1);
    await watch.expectEvents(["PUT /durable=1@1"]);
  } finally {
    release();
    for (const spy of spies) spy.mockRestore();
    await watch.watcher.cancel();
    await store.close();
  }
});

it("02.6 write-ahead log > after a disk error, the appends in flight and every later one fail; none waits forever", async () => {
  const wal = await WriteAheadLog.open(dir, 1);
  // Every fsync (sync or datasync, on any file handle) fails as a dying disk would.
  const handle = await open(join(dir, "probe"), "w");
  const proto = Object.getPrototypeOf(handle) as Record<"sync" | "datasync", () => Promise<void>>;
  await handle.close();
  const broken = Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" });
  const spies = (["sync", "datasync"] as const).map((name) => vi.spyOn(proto, name).mockRejectedValue(broken));
  try {
    const outcomes: string[] = [];
    const settle = (p: Promise<void>) =>
      void p.then(
        () => outcomes.push("acknowledged"),
        (err: Error) => outcomes.push(`failed: ${err.message}`),
      );
    // Three at once: the first batch is in flight while the others wait for the next one.
    for (let i = 1; i <= 3; i++) settle(wal.append({ type: "compact", revision: i }));
    await waitFor(
      "the 3 appends under a failing fsync to settle (one that never does waits forever)",
      () => outcomes.length === 3,
    );
    expect(outcomes, "the appends written while fsync failed").toEqual(Array(3).fill(`failed: ${broken.message}`));
    await expect(wal.append({ type: "compact", revision: 4 }), "an append after the disk failed").rejects.toThrow(/EIO/);
  } finally {
    for (const spy of spies) spy.mockRestore();
    await wal.close();
  }
});

it("02.7 write-ahead log > the log gives back every appended record, in order", async () => {
  const wal = await WriteAheadLog.open(dir, 1);
  await Promise.all(Array.from({ length: 100 }, (_, i) => wal.append({ type: "compact", revision: i + 1 })));
  await wal.append({
    type: "event",
    event: { type: "PUT", kv: { key: "/é", value: "ünïcode", createRevision: 1, modRevision: 1, version: 1 } },
  });
  await wal.close();
  const [segment] = await listSegments(dir);
  const { records, validBytes } = decodeRecords(await readFile(join(dir, segment!.name)));
  expect(records.slice(0, 100).map((r) => (r.type === "compact" ? r.revision : 0))).toEqual(
    Array.from({ length: 100 }, (_, i) => i + 1),
  );
  expect(records[100]).toEqual({
    type: "event",
    event: { type: "PUT", kv: { key: "/é", value: "ünïcode", createRevision: 1, modRevision: 1, version: 1 } },
  });
  expect(validBytes).toBe((await readFile(join(dir, segment!.name))).length);
});

it("02.8 snapshots > while a new snapshot is being written, the old one stays whole on disk", async () => {
  const store = await openEmbeddedStore({ dir });
  await store.create("/a", "1");
  await store.snapshot();
  await store.create("/b", "2");
  // Hold every file write (on any file handle) until we let it go: the moment a crash could come.
  const handle = await open(join(dir, "probe"), "w");
  const proto = Object.getPrototypeOf(handle) as { write: (this: unknown, ...args: unknown[]) => Promise<unknown> };
  await handle.close();
  const real = proto.write;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let held = 0;
  const spy = vi.spyOn(proto, "write").mockImplementation(async function (this: unknown, ...args: unknown[]) {
    held++;
    await gate;
    return real.apply(this, args);
  });
  try {
    const second = store.snapshot();
    await waitFor("the second snapshot to start writing", () => held > 0);
    let seen: string;
    try {
      const onDisk = await readSnapshot(dir);
      seen = onDisk ? `a whole snapshot at revision ${onDisk.revision}` : "no snapshot.json at all";
    } catch (err) {
      seen = (err as Error).message;
    }
    expect(seen, "snapshot.json while the next snapshot is half written (what a crash at that moment leaves)").toBe(
      "a whole snapshot at revision 1",
    );
    release();
    await second;
    expect((await readSnapshot(dir))?.revision, "snapshot.json once the second snapshot is done").toBe(2);
  } finally {
    release();
    spy.mockRestore();
    await store.close();
  }
});

it("02.8 snapshots > recovers from a snapshot plus the log written after it", async () => {
  const store = await openEmbeddedStore({ dir, snapshotEvery: 5 });
  for (let i = 0; i < 13; i++) await store.create(`/k/${String(i).padStart(2, "0")}`, `v${i}`);
  await store.update("/k/00", "changed");
  const want = await store.range("");
  const events = await history(store);
  await store.close();

  // A snapshot was taken, and the log segments it made useless are gone.
  const snapshot = await readSnapshot(dir);
  expect(snapshot).toBeDefined();
  expect(snapshot!.revision).toBeGreaterThanOrEqual(5);
  expect(snapshot!.revision).toBeLessThan(14);
  const logged = await loggedRevisions();
  expect(Math.min(...logged)).toBeGreaterThan(1);
  // Snapshot + log tail cover every revision.
  expect(Math.max(...logged)).toBe(14);
  expect(Math.min(...logged)).toBeLessThanOrEqual(snapshot!.revision + 1);

  const again = await openEmbeddedStore({ dir, snapshotEvery: 5 });
  expect(await again.range("")).toEqual(want);
  expect(await history(again)).toEqual(events);
  await again.close();
});

it("02.8 snapshots > a forced snapshot alone is enough to recover", async () => {
  const store = await openEmbeddedStore({ dir });
  for (let i = 0; i < 4; i++) await store.create(`/k/${i}`, `v${i}`);
  await store.snapshot();
  await store.close();
  expect((await readSnapshot(dir))?.revision).toBe(4);
  expect(await loggedRevisions()).toEqual([]);

  const again = await openEmbeddedStore({ dir });
  expect((await again.range("/k/")).kvs.map((kv) => kv.value)).toEqual(["v0", "v1", "v2", "v3"]);
  expect((await again.create("/k/4", "v4")).modRevision).toBe(5);
  await again.close();
});

it("02.7 recovery > a torn record at the end of the log is cut off, not replayed and not fatal", async () => {
  const store = await openEmbeddedStore({ dir });
  for (let i = 1; i <= 5; i++) await store.create(`/k/${i}`, `v${i}`);
  await store.close();
  const last = (await listSegments(dir)).at(-1)!;
  const path = join(dir, last.name);

  // A crash in the middle of writing a 6th record: only half of it is on disk.
  const frame = encodeRecord({
    type: "event",
    event: { type: "PUT", kv: { key: "/k/6", value: "v6", createRevision: 6, modRevision: 6, version: 1 } },
  });
  await appendFile(path, frame.subarray(0, frame.length - 7));

  const again = await openEmbeddedStore({ dir });
  expect(await again.revision()).toBe(5);
  expect(await again.get("/k/6")).toBeUndefined();
  expect((await again.create("/k/6", "written after the crash")).modRevision).toBe(6);
  await again.close();

  const third = await openEmbeddedStore({ dir });
  expect((await third.get("/k/6"))?.value).toBe("written after the crash");
  expect((await history(third)).map((e) => e.kv.modRevision)).toEqual([1, 2, 3, 4, 5, 6]);
  await third.close();
});

it("02.7 recovery > a last record whose checksum does not match is dropped", async () => {
  const store = await openEmbeddedStore({ dir });
  for (let i = 1; i <= 3; i++) await store.create(`/k/${i}`, `v${i}`);
  await store.close();
  const path = join(dir, (await listSegments(dir)).at(-1)!.name);
  const data = await readFile(path);
  data[data.length - 3] ^= 0x01; // flip one bit inside the last record's payload
  await writeFile(path, data);

  const again = await openEmbeddedStore({ dir });
  expect(await again.revision()).toBe(2);
  expect(await again.get("/k/3")).toBeUndefined();
  expect((await again.get("/k/2"))?.value).toBe("v2");
  await again.close();
});

it("02.8 crash safety > killed with SIGKILL at random moments (snapshots every 25 writes), it keeps every acknowledged write exactly once", async () => {
  const acked = new Map<string, number>();
  const rounds = 12;
  for (let round = 0; round < rounds; round++) {
    const target = 1 + Math.floor(Math.random() * 80);
    const child = spawn(process.execPath, ["--import", "tsx", "test/fixtures/store-writer.ts", dir, `/r${round}/`, "25"], {
      stdio: ["ignore", "pipe", "pipe"],
      env: process.env,
    });
    let out = "";
    let err = "";
    let count = 0;
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      count = out.split("\n").length - 2; // minus "ready" and the unfinished last line
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    try {
      await waitFor(
        `the writer of round ${round} to acknowledge ${target} writes`,
        () => count >= target || child.exitCode !== null,
      );
      if (count < target) {
        // Node prints the failing source line first; the error's own line is what says why.
        const why = err.split("\n").find((l) => /^\w*Error\b/.test(l.trim())) ?? err.trim();
        throw new Error(
          `round ${round}: the writer exited with code ${child.exitCode} after ${count} acknowledged writes (reopening the store after the previous kill failed?): ${why.trim()}`,
        );
      }
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
    for (const line of out.split("\n").slice(1)) {
      const m = /^(\S+) (\d+)$/.exec(line);
      if (m) acked.set(m[1]!, Number(m[2]));
    }
  }

  const store = await openEmbeddedStore({ dir, snapshotEvery: 25 });
  const { kvs, revision } = await store.range("");
  const byKey = new Map(kvs.map((kv) => [kv.key, kv]));
  // No acknowledged write is lost, and each kept the revision it was acknowledged with.
  for (const [key, modRevision] of acked) {
    expect(byKey.get(key)?.modRevision, `acknowledged write ${key}`).toBe(modRevision);
  }
  // Only creates happened: one live key per revision, 1..revision, none twice.
  expect(kvs.length).toBe(revision);
  expect(new Set(kvs.map((kv) => kv.modRevision)).size).toBe(revision);
  const events = await history(store);
  expect(events.map((e) => e.kv.modRevision)).toEqual(Array.from({ length: revision }, (_, i) => i + 1));
  expect(events.every((e) => e.type === "PUT" && e.kv.version === 1)).toBe(true);
  expect(acked.size).toBeGreaterThanOrEqual(rounds);
  await store.close();
});
