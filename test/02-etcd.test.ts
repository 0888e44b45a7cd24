/**
 * Chapter 02: the embedded store, in memory and on disk, against the shared
 * store behaviour suite (test/harness/store-behaviour.ts), plus what only the embedded
 * store promises.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openEmbeddedStore } from "@tree/02-etcd/index.ts";
import { KeySpace } from "@tree/02-etcd/mvcc.ts";
import { collect, describeStoreBehaviour, expectStoreError } from "./harness/store-behaviour.ts";

describeStoreBehaviour("embedded, in memory", { open: () => openEmbeddedStore() });

let dir = "";
describeStoreBehaviour("embedded, on disk", {
  async open() {
    dir = await mkdtemp(join(tmpdir(), "k8s-workshop-store-"));
    return openEmbeddedStore({ dir });
  },
  teardown: () => rm(dir, { recursive: true, force: true }),
  firstStep: "02.6",
});

it("02.3 store > starts empty at revision 0, and its first write is revision 1", async () => {
  const store = await openEmbeddedStore();
  expect(await store.revision()).toBe(0);
  expect(await store.range("")).toEqual({ kvs: [], revision: 0 });
  expect((await store.create("/a", "1")).modRevision).toBe(1);
  await store.close();
});

it("02.2 store > concurrent writes get distinct, gap-free revisions, and CAS lets exactly one of them win", async () => {
  const store = await openEmbeddedStore();
  const created = await Promise.all(Array.from({ length: 50 }, (_, i) => store.create(`/c/${i}`, "v")));
  expect(created.map((kv) => kv.modRevision).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));

  const base = created[0]!;
  const racers = await Promise.allSettled(
    Array.from({ length: 10 }, (_, i) => store.update(base.key, `racer ${i}`, base.modRevision)),
  );
  expect(racers.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  await store.close();
});

it("02.4 store > a handler that throws ends only its own watch, through onError", async () => {
  const store = await openEmbeddedStore();
  const errors: Error[] = [];
  await store.watch(
    "/",
    {},
    () => {
      throw new Error("handler bug");
    },
    (err) => errors.push(err),
  );
  const healthy = await collect(store, "/");
  await store.create("/a", "1");
  await store.create("/b", "2");
  await healthy.until(2);
  expect(errors.map((e) => e.message)).toEqual(["handler bug"]);
  await store.close();
});

it("02.4 store > a handler never runs inside the write that caused it", async () => {
  // In memory, a write reaches the watchers before store.create() returns: the
  // moment a synchronous delivery would call the handler.
  const store = await openEmbeddedStore();
  let writing = false;
  const inside: string[] = [];
  await store.watch("/", {}, (events) => {
    if (writing) inside.push(...events.map((e) => e.kv.key));
  });
  const witness = await collect(store, "/");
  writing = true;
  const created = store.create("/a", "1");
  writing = false;
  await created;
  await witness.until(1);
  expect(inside, "keys whose events reached a handler while store.create() was still running").toEqual([]);
  await store.close();
});

it("02.4 store > a watch from a revision still to come starts there, as in etcd", async () => {
  const store = await openEmbeddedStore();
  await store.create("/a", "1");
  const from = (await store.revision()) + 3;
  const w = await collect(store, "/", from);
  for (const key of ["/b", "/c", "/d", "/e"]) await store.create(key, "x");
  // The writes before `from` are not this watch's: it starts at /d (revision `from`).
  await w.expectEvents([`PUT /d=x@${from}`, `PUT /e=x@${from + 1}`]);
  await store.close();
});

it("02 chapter > store > close() ends watches with onError, and later calls fail with Closed", async () => {
  const store = await openEmbeddedStore();
  const w = await collect(store, "/");
  await store.close();
  expect(w.errors.map((e) => (e as { code?: string }).code)).toEqual(["Closed"]);
  await expectStoreError(store.get("/a"), "Closed", "get after close()");
  await expectStoreError(store.create("/a", "1"), "Closed", "create after close()");
});

it("02.1 store > rejects an empty key with a clear error", async () => {
  const store = await openEmbeddedStore();
  await expect(store.create("", "v")).rejects.toThrow(/key must not be empty/);
  await store.close();
});

it("02.2 key space > the events of update and delete carry the key-value before them (prevKv)", () => {
  // KeySpace is where steps 02.1-02.2 live; its events are what watches (step 02.4) will send.
  const kv = new KeySpace();
  const created = kv.create("/k", "v1");
  expect(created.prevKv, "the event of a create (there was no key before)").toBeUndefined();
  const updated = kv.update("/k", "v2");
  expect(updated.prevKv, "the event of update(/k, v2) must carry the key-value before it as prevKv").toEqual(created.kv);
  const deleted = kv.delete("/k");
  expect(deleted.prevKv, "the event of delete(/k) must carry the deleted key-value as prevKv").toEqual(updated.kv);
});
