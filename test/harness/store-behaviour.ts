/**
 * The store behaviour every Store must show, written once and run against
 * the embedded store (in memory and on disk, test/02-etcd.test.ts) and a real
 * etcd server (test/02-etcd-real.test.ts). Passing it against real etcd is
 * what makes "behaves like etcd" a fact rather than a claim.
 *
 * One store serves the whole suite, so every test works under its own key
 * prefix and compares revisions relative to what it read first (a new etcd
 * starts at revision 1, the embedded store at 0). Compaction runs last.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { MAX_VALUE_BYTES, StoreError, type Store, type WatchEvent, type Watcher } from "../../shared/store/types.ts";
import { compareSteps } from "../../workshop/starters.ts";
import { brief, expectList } from "./expect.ts";
import { giveUp, waitFor } from "./wait.ts";

export interface StoreUnderTest {
  open(): Promise<Store>;
  /** Called after the store is closed (remove temp dirs, stop servers). */
  teardown?(): Promise<void>;
  /**
   * The first step whose tests this store can pass: the store on disk needs
   * the write-ahead log (02.6) for every write, so its tests are named
   * "02.6 ..." at least, and `npm run check 02.2` does not wait for 02.6.
   */
  firstStep?: string;
}

/** A watch that collects everything it receives. */
export interface Collector {
  events: WatchEvent[];
  calls: WatchEvent[][];
  errors: Error[];
  watcher: Watcher;
  /** Waits until at least n events have arrived, and returns them all. */
  until(n: number): Promise<WatchEvent[]>;
  /**
   * Waits for exactly these events (as show() writes them: "PUT /k=v@7 (prev
   * v0@6)"), failing at once when one arrives that is not the expected one,
   * or when the watch ends with an error.
   */
  expectEvents(expected: string[]): Promise<WatchEvent[]>;
}

export async function collect(store: Store, prefix: string, fromRevision?: number): Promise<Collector> {
  const events: WatchEvent[] = [];
  const calls: WatchEvent[][] = [];
  const errors: Error[] = [];
  const watcher = await store.watch(
    prefix,
    fromRevision === undefined ? {} : { fromRevision },
    (batch) => {
      calls.push(batch);
      events.push(...batch);
    },
    (err) => errors.push(err),
  );
  const name = `the watch under ${prefix}${fromRevision === undefined ? "" : ` from revision ${fromRevision}`}`;
  const ended = () => giveUp(`${name} ended with an error after ${events.length} event(s): ${errors[0]!.message}`);
  return {
    events,
    calls,
    errors,
    watcher,
    async until(n) {
      await waitFor(`${n} events on ${name}`, () => {
        if (errors.length > 0) throw ended();
        if (events.length >= n) return true;
        throw new Error(`${events.length} arrived: ${brief(events.map(show), 300)}`);
      });
      return events;
    },
    async expectEvents(expected) {
      await waitFor(`${expected.length} events on ${name}`, () => {
        if (errors.length > 0) throw ended();
        const arrived = events.map(show);
        const early = arrived.findIndex((e, i) => i < expected.length && e !== expected[i]);
        if (early >= 0)
          throw giveUp(
            `${name}, event #${early}: expected ${expected[early]}, received ${arrived[early]}; all received: ${brief(arrived, 400)}`,
          );
        if (events.length >= expected.length) return true;
        throw new Error(`${events.length} of ${expected.length} arrived: ${brief(arrived, 300)}`);
      });
      expectList(events.map(show), expected, name);
      return events;
    },
  };
}

/**
 * Expects a store call to fail with a StoreError of this code. `call` names
 * the call in the message ("watch from revision 3 after compact(5)"), so a
 * call that was accepted reads as the mistake it is.
 */
export async function expectStoreError(
  promise: Promise<unknown>,
  code: StoreError["code"],
  call = "the call",
): Promise<StoreError> {
  const outcome = await promise.then(
    (value) => ({ ok: true as const, value }),
    (err: unknown) => ({ ok: false as const, err }),
  );
  if (outcome.ok) {
    const value = outcome.value as { cancel?: unknown } | undefined;
    // A watch that was accepted: stop it, so it does not outlive the test.
    const isWatch = Boolean(value && typeof value.cancel === "function");
    if (isWatch) await (value as Watcher).cancel();
    const returned = isWatch ? "a watcher" : brief(value ?? "nothing", 120);
    expect.fail(`${call} was accepted (it returned ${returned}); it must throw StoreError ${code}`);
  }
  const err = outcome.err;
  if (!(err instanceof StoreError)) expect.fail(`${call} threw ${brief(String(err), 200)}; it must throw StoreError ${code}`);
  expect(err.code, `${call} threw StoreError ${err.code} ("${err.message}"); it must be ${code}`).toBe(code);
  return err;
}

/** A summary of an event that is easy to compare: "PUT /k=v@7 (prev v0@6)". */
function show(e: WatchEvent): string {
  const prev = e.prevKv ? ` (prev ${e.prevKv.value}@${e.prevKv.modRevision})` : "";
  return `${e.type} ${e.kv.key}=${e.kv.value}@${e.kv.modRevision}${prev}`;
}

/**
 * Registers the store behaviour tests. Each test's name starts with the step of
 * chapter 02 that it checks ("02.4 store (embedded, in memory) > ..."), so the
 * suite has no describe of its own: a name must begin with its step. The hooks
 * belong to the caller's suite (the file, or the caller's describe).
 */
export function describeStoreBehaviour(name: string, target: StoreUnderTest): void {
  let store: Store;
  let n = 0;
  /** A fresh key prefix for one test: /t/<run>/<n>/ */
  const run = randomBytes(3).toString("hex");
  const fresh = () => `/t/${run}/${++n}/`;

  // A store that cannot even open fails every test (rather than skipping them).
  let openError: unknown;
  beforeAll(async () => {
    store = await target.open().catch((err: unknown) => {
      openError = err;
      return undefined as unknown as Store;
    });
  });
  afterAll(async () => {
    await store?.close();
    await target.teardown?.();
  });
  /** One test of step `id`; a store that could not open fails it at once. */
  const step = (id: string, title: string, body: () => Promise<void>): void => {
    const first = target.firstStep;
    const named = first && compareSteps(first, id) > 0 ? first : id;
    it(`${named} store (${name}) > ${title}`, async () => {
      if (openError) throw openError;
      await body();
    });
  };

  step("02.2", "stamps every write with the next revision: createRevision, modRevision, version", async () => {
    const p = fresh();
    const r0 = await store.revision();
    const a = await store.create(`${p}a`, "1");
    expect(a).toEqual({ key: `${p}a`, value: "1", createRevision: r0 + 1, modRevision: r0 + 1, version: 1 });
    expect(await store.revision()).toBe(r0 + 1);
    expect(await store.get(`${p}a`)).toEqual(a);

    const a2 = await store.update(`${p}a`, "2");
    expect(a2).toEqual({ key: `${p}a`, value: "2", createRevision: r0 + 1, modRevision: r0 + 2, version: 2 });
    const b = await store.create(`${p}b`, "x");
    expect(b.createRevision).toBe(r0 + 3);
    expect(await store.get(`${p}a`)).toEqual(a2);
    expect(await store.get(`${p}missing`)).toBeUndefined();
    expect(await store.revision()).toBe(r0 + 3);
  });

  step("02.1", "create fails with KeyExists when the key is present, and changes nothing", async () => {
    const p = fresh();
    const first = await store.create(`${p}k`, "first");
    const before = await store.revision();
    await expectStoreError(store.create(`${p}k`, "second"), "KeyExists", "create of a key that exists");
    expect(await store.get(`${p}k`)).toEqual(first);
    expect(await store.revision()).toBe(before);
  });

  step("02.2", "update: a missing key is KeyNotFound, a stale modRevision is Conflict, the current one wins", async () => {
    const p = fresh();
    await expectStoreError(store.update(`${p}nope`, "x"), "KeyNotFound", "update of a missing key");
    await expectStoreError(store.update(`${p}nope`, "x", 1), "KeyNotFound", "update of a missing key with a modRevision");

    const v1 = await store.create(`${p}k`, "v1");
    const v2 = await store.update(`${p}k`, "v2", v1.modRevision);
    expect(v2.value).toBe("v2");
    expect(v2.version).toBe(2);

    // A writer that read v1 and writes now has a stale view: rejected.
    const before = await store.revision();
    await expectStoreError(
      store.update(`${p}k`, "lost update", v1.modRevision),
      "Conflict",
      `update at the stale modRevision ${v1.modRevision} (the key is at ${v2.modRevision})`,
    );
    expect((await store.get(`${p}k`))?.value).toBe("v2");
    expect(await store.revision()).toBe(before);

    const v3 = await store.update(`${p}k`, "v3", v2.modRevision);
    expect(v3).toMatchObject({ value: "v3", version: 3, createRevision: v1.createRevision, modRevision: before + 1 });
  });

  step("02.2", "delete: compare-and-swap like update, returns the deleted key-value, and a re-create starts over", async () => {
    const p = fresh();
    await expectStoreError(store.delete(`${p}nope`), "KeyNotFound", "delete of a missing key");
    const v1 = await store.create(`${p}k`, "v1");
    const v2 = await store.update(`${p}k`, "v2");
    await expectStoreError(
      store.delete(`${p}k`, v1.modRevision),
      "Conflict",
      `delete at the stale modRevision ${v1.modRevision} (the key is at ${v2.modRevision})`,
    );
    expect(await store.get(`${p}k`)).toEqual(v2);

    const deleted = await store.delete(`${p}k`, v2.modRevision);
    expect(deleted).toEqual(v2);
    expect(await store.get(`${p}k`)).toBeUndefined();
    await expectStoreError(store.delete(`${p}k`), "KeyNotFound", "delete of a key deleted already");

    const again = await store.create(`${p}k`, "new life");
    expect(again.version).toBe(1);
    expect(again.createRevision).toBeGreaterThan(v2.modRevision + 0);
    expect(again.createRevision).toBe(again.modRevision);
  });

  step(
    "02.3",
    "range: every key under the prefix and nothing else, sorted by key, with limit and the read's revision",
    async () => {
      const p = fresh();
      // Inserted out of order; "B" sorts before "a" (bytes, not locale).
      for (const k of ["m", "a", "z", "B", "a/b", "c"]) await store.create(`${p}${k}`, k);
      // Neighbours that share the prefix's text but are not under it.
      await store.create(`${p.slice(0, -1)}x`, "sibling");
      await store.create(`${p.slice(0, -1)}`, "the prefix without its slash");
      const revision = await store.revision();

      const all = await store.range(p);
      expectList(
        all.kvs.map((kv) => kv.key.slice(p.length)),
        ["B", "a", "a/b", "c", "m", "z"],
        `range(${p}): the keys after the prefix, in byte order ("B" < "a")`,
      );
      expect(all.kvs.map((kv) => kv.value)).toEqual(["B", "a", "a/b", "c", "m", "z"]);
      expect(all.revision).toBe(revision);

      const two = await store.range(p, { limit: 2 });
      expect(two.kvs.map((kv) => kv.key.slice(p.length))).toEqual(["B", "a"]);
      expect((await store.range(`${p}a`)).kvs.map((kv) => kv.key.slice(p.length))).toEqual(["a", "a/b"]);
      expect((await store.range(`${p}none/`)).kvs).toEqual([]);

      await store.delete(`${p}m`);
      expect((await store.range(p)).kvs.map((kv) => kv.key.slice(p.length))).toEqual(["B", "a", "a/b", "c", "z"]);
    },
  );

  step("02.3", "range pages: from a key, at an older revision, with the count before the limit", async () => {
    const p = fresh();
    for (const k of ["a", "b", "c", "d"]) await store.create(`${p}${k}`, k);
    const first = await store.range(p, { limit: 2 });
    expect(first.kvs.map((kv) => kv.key.slice(p.length))).toEqual(["a", "b"]);
    expect(first.count, "count: how many keys the range holds before the limit").toBe(4);
    const at = first.revision;
    // Writes after the first page: the next page at `at` must not see them.
    await store.delete(`${p}c`);
    const d = await store.get(`${p}d`);
    const d2 = await store.update(`${p}d`, "d2", d!.modRevision);
    await store.update(`${p}d`, "d3", d2.modRevision); // twice: the page must show d's first value
    await store.create(`${p}bb`, "new");
    const next = await store.range(p, { limit: 2, fromKey: `${p}b\0`, revision: at });
    expect(
      next.kvs.map((kv) => `${kv.key.slice(p.length)}=${kv.value}`),
      "the second page as the keys were at the first page's revision",
    ).toEqual(["c=c", "d=d"]);
    expect(next.revision).toBe(at);
    expect(next.count).toBe(2);
    const now = await store.range(p, { fromKey: `${p}b\0` });
    expect(now.kvs.map((kv) => `${kv.key.slice(p.length)}=${kv.value}`)).toEqual(["bb=new", "d=d3"]);
    // (A page at a compacted revision is checked by the 02.5 test: compacting here
    // would make this step's test need step 02.5, and change the store for the tests after it.)
  });

  step("02.4", "watch from a revision replays exactly the history from there, then streams new writes", async () => {
    const p = fresh();
    const a = await store.create(`${p}a`, "1");
    const a2 = await store.update(`${p}a`, "2");
    const b = await store.create(`${p}b`, "x");

    const w = await collect(store, p, a2.modRevision);
    await w.expectEvents([`PUT ${p}a=2@${a2.modRevision} (prev 1@${a.modRevision})`, `PUT ${p}b=x@${b.modRevision}`]);

    const b2 = await store.update(`${p}b`, "y");
    const gone = await store.delete(`${p}a`);
    await w.expectEvents([
      `PUT ${p}a=2@${a2.modRevision} (prev 1@${a.modRevision})`,
      `PUT ${p}b=x@${b.modRevision}`,
      `PUT ${p}b=y@${b2.modRevision} (prev x@${b.modRevision})`,
      `DELETE ${p}a=@${b2.modRevision + 1} (prev 2@${gone.modRevision})`,
    ]);
    await w.watcher.cancel();
    expect(w.errors).toEqual([]);
  });

  step("02.4", "events arrive in revision order, each with its prevKv; a DELETE carries a tombstone", async () => {
    const p = fresh();
    const w = await collect(store, p, (await store.revision()) + 1);
    const writes = [
      await store.create(`${p}k`, "v1"),
      await store.update(`${p}k`, "v2"),
      await store.create(`${p}j`, "j1"),
      await store.update(`${p}k`, "v3"),
    ];
    const deleted = await store.delete(`${p}k`);
    const [k1, k2, j1, k3] = writes.map((kv) => `${kv.key}=${kv.value}@${kv.modRevision}`);
    const events = await w.expectEvents([
      `PUT ${k1}`,
      `PUT ${k2} (prev v1@${writes[0]!.modRevision})`,
      `PUT ${j1}`,
      `PUT ${k3} (prev v2@${writes[1]!.modRevision})`,
      `DELETE ${p}k=@${writes[3]!.modRevision + 1} (prev v3@${deleted.modRevision})`,
    ]);
    const revisions = events.map((e) => e.kv.modRevision);
    expect(revisions).toEqual([...revisions].sort((x, y) => x - y));
    expect(events.slice(0, 4).map((e) => e.kv)).toEqual(writes);
    expect(events[0]!.prevKv).toBeUndefined();
    expect(events[1]!.prevKv).toEqual(writes[0]);
    expect(events[3]!.prevKv).toEqual(writes[1]);
    expect(events[4]).toMatchObject({
      type: "DELETE",
      // etcd's tombstone: only the key and the delete's revision; no value, no
      // createRevision, no version (they belong to a live key).
      kv: { key: `${p}k`, value: "", createRevision: 0, modRevision: writes[3]!.modRevision + 1, version: 0 },
      prevKv: deleted,
    });
    // Events of one revision are never split over two calls.
    for (const call of w.calls) expect(call.length).toBeGreaterThan(0);
    await w.watcher.cancel();
  });

  step("02.4", "a watch without fromRevision sees only writes made after it started", async () => {
    const p = fresh();
    await store.create(`${p}old`, "before the watch");
    const w = await collect(store, p);
    const fresh1 = await store.create(`${p}new`, "after the watch");
    const events = await w.expectEvents([`PUT ${p}new=after the watch@${fresh1.modRevision}`]);
    expect(events.map((e) => e.kv)).toEqual([fresh1]);
    await w.watcher.cancel();
  });

  step("02.4", "a watch on a prefix sees only keys under that prefix", async () => {
    const p = fresh();
    const w = await collect(store, `${p}pods/`);
    await store.create(`${p}nodes/n1`, "other");
    await store.create(`${p}podsx`, "a sibling, not under pods/");
    const mine = await store.create(`${p}pods/p1`, "mine");
    await store.create(`${p}nodes/n2`, "other");
    const last = await store.create(`${p}pods/p2`, "sentinel");
    // The sentinel came after every other write: had anything leaked, it would be here.
    const events = await w.expectEvents([
      `PUT ${p}pods/p1=mine@${mine.modRevision}`,
      `PUT ${p}pods/p2=sentinel@${last.modRevision}`,
    ]);
    expect(events.map((e) => e.kv)).toEqual([mine, last]);
    await w.watcher.cancel();
  });

  step("02.4", "a cancelled watch gets nothing more", async () => {
    const p = fresh();
    const cancelled = await collect(store, p);
    const witness = await collect(store, p);
    await store.create(`${p}one`, "1");
    await witness.until(1);
    await cancelled.until(1);
    await cancelled.watcher.cancel();
    await store.create(`${p}two`, "2");
    await witness.until(2);
    expect(cancelled.events.map((e) => e.kv.key)).toEqual([`${p}one`]);
    await witness.watcher.cancel();
  });

  step("02.2", `rejects a value over ${MAX_VALUE_BYTES} bytes (1.5 MiB) with ValueTooLarge, and keeps a 1 MiB one`, async () => {
    const p = fresh();
    const tooBig = "x".repeat(MAX_VALUE_BYTES + 1);
    const err = await expectStoreError(
      store.create(`${p}big`, tooBig),
      "ValueTooLarge",
      `create of a value of ${tooBig.length} bytes`,
    );
    expect(err.message).toMatch(/1\.5 MiB|1572864/);
    expect(await store.get(`${p}big`)).toBeUndefined();

    const oneMiB = "y".repeat(1024 * 1024);
    const kv = await store.create(`${p}big`, oneMiB);
    expect((await store.get(`${p}big`))?.value).toBe(oneMiB);
    await expectStoreError(
      store.update(`${p}big`, tooBig, kv.modRevision),
      "ValueTooLarge",
      `update to a value of ${tooBig.length} bytes`,
    );
    expect((await store.get(`${p}big`))?.modRevision).toBe(kv.modRevision);
  });

  // Last: compaction forgets history for the whole store.
  step("02.5", "compaction: a watch from before the compacted revision fails with Compacted; later ones still work", async () => {
    const p = fresh();
    const a = await store.create(`${p}a`, "1");
    const a2 = await store.update(`${p}a`, "2");
    const b = await store.create(`${p}b`, "x");
    await store.compact(a2.modRevision);

    const err = await expectStoreError(
      store.watch(p, { fromRevision: a.modRevision }, () => {}),
      "Compacted",
      `the watch from revision ${a.modRevision} after compact(${a2.modRevision})`,
    );
    expect(err.compactRevision).toBe(a2.modRevision);
    await expectStoreError(
      store.watch(p, { fromRevision: 1 }, () => {}),
      "Compacted",
      `the watch from revision 1 after compact(${a2.modRevision})`,
    );

    // From the compaction revision on, history is intact.
    const w = await collect(store, p, a2.modRevision);
    // (etcd may leave out prevKv here: the value before was compacted away.)
    const kept = await w.until(2);
    expectList(
      kept.map((e) => e.kv),
      [a2, b],
      `key-values on the watch from revision ${a2.modRevision} after compact(${a2.modRevision})`,
      (kv) => `${kv.key}=${kv.value}@${kv.modRevision}`,
    );
    await w.watcher.cancel();

    // The live keys are untouched; compacting backwards or into the future is an error.
    expect((await store.range(p)).kvs).toEqual([a2, b]);
    await expectStoreError(
      store.compact(a.modRevision),
      "Compacted",
      `compact(${a.modRevision}) after compact(${a2.modRevision})`,
    );
    await expectStoreError(store.compact(a2.modRevision), "Compacted", `compact(${a2.modRevision}) a second time`);
    // A page of a list at a compacted revision cannot be read any more either.
    await expectStoreError(
      store.range(p, { revision: a.modRevision }),
      "Compacted",
      `range at revision ${a.modRevision} after compact(${a2.modRevision})`,
    );
    await expect(store.compact((await store.revision()) + 100)).rejects.toThrow(/revision/);
  });
}
