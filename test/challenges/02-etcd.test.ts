/**
 * Chapter 02 challenges (optional): they fail on the reference solution and
 * pass once you build the extension. Run them with
 * `npm run check 02 -- --challenges`.
 */
import { describe, expect, it } from "vitest";
import { isStoreError, type WatchEvent } from "../../shared/store/types.ts";
import { openEmbeddedStore } from "@tree/02-etcd/index.ts";
import { KeySpace } from "@tree/02-etcd/mvcc.ts";
import { waitFor } from "../harness/wait.ts";

describe("02 challenge", () => {
  it("reads a prefix as it was at an older revision", () => {
    const kv = new KeySpace();
    kv.create("/a", "1"); // rev 1
    kv.create("/b", "x"); // rev 2
    kv.update("/a", "2"); // rev 3
    kv.delete("/b"); // rev 4
    const rangeAt = (
      kv as unknown as { rangeAt?: (prefix: string, revision: number) => { key: string; value: string; modRevision: number }[] }
    ).rangeAt;
    expect(typeof rangeAt, "KeySpace has no rangeAt(prefix, revision) yet").toBe("function");
    const at = (revision: number) => rangeAt!.call(kv, "/", revision).map((k) => `${k.key}=${k.value}@${k.modRevision}`);
    expect(at(2)).toEqual(["/a=1@1", "/b=x@2"]);
    expect(at(3)).toEqual(["/a=2@3", "/b=x@2"]);
    expect(at(4)).toEqual(["/a=2@3"]);
    kv.compact(3);
    let err: unknown;
    try {
      rangeAt!.call(kv, "/", 2);
    } catch (e) {
      err = e;
    }
    expect(isStoreError(err, "Compacted"), "a revision before the compaction is gone").toBe(true);
    expect(at(3)).toEqual(["/a=2@3", "/b=x@2"]);
  });

  it("filters PUT or DELETE events out of a watch (etcd's NOPUT and NODELETE)", async () => {
    const store = await openEmbeddedStore();
    try {
      const deletes: WatchEvent[] = [];
      const puts: WatchEvent[] = [];
      await store.watch("/f/", { fromRevision: 1, filters: ["NOPUT"] } as never, (events) => deletes.push(...events));
      await store.watch("/f/", { fromRevision: 1, filters: ["NODELETE"] } as never, (events) => puts.push(...events));
      const a = await store.create("/f/a", "1");
      await store.update("/f/a", "2", a.modRevision);
      await store.delete("/f/a");
      await waitFor("the filtered watches to see the writes", () => deletes.length >= 1 && puts.length >= 2, {
        timeoutMs: 5_000,
      });
      expect(deletes.map((e) => e.type)).toEqual(["DELETE"]);
      expect(puts.map((e) => e.type)).toEqual(["PUT", "PUT"]);
    } finally {
      await store.close();
    }
  });
});
