/**
 * Chapter 02 challenges (optional): they fail on the reference solution and
 * pass once you build the extension. Run them with
 * `npm run check 02 -- --challenges`.
 */
import { describe, expect, it } from "vitest";
import { type WatchEvent } from "../../shared/store/types.ts";
import { openEmbeddedStore } from "@tree/02-etcd/index.ts";
import { KeySpace } from "@tree/02-etcd/mvcc.ts";
import { waitFor } from "../harness/wait.ts";

describe("02 challenge", () => {
  it("deletes the keys of an expired lease (how Kubernetes Events go away after an hour)", () => {
    const kv = new KeySpace();
    const leases = kv as unknown as {
      grantLease?: (ttlSeconds: number, nowMs: number) => number;
      keepAlive?: (lease: number, nowMs: number) => void;
      expireLeases?: (nowMs: number) => WatchEvent[];
      create(key: string, value: string, options?: { lease?: number }): WatchEvent;
    };
    expect(typeof leases.grantLease, "KeySpace has no grantLease(ttlSeconds, nowMs) yet").toBe("function");
    const lease = leases.grantLease!.call(kv, 60, 0);
    leases.create.call(kv, "/e/a", "1", { lease });
    leases.create.call(kv, "/e/b", "2", { lease });
    kv.create("/e/c", "3");
    expect(leases.expireLeases!.call(kv, 59_000), "the lease is still alive at 59 s").toEqual([]);
    leases.keepAlive!.call(kv, lease, 30_000);
    expect(leases.expireLeases!.call(kv, 80_000), "a keep-alive at 30 s moves the end to 90 s").toEqual([]);
    const events = leases.expireLeases!.call(kv, 91_000);
    expect(events.map((e) => `${e.type} ${e.kv.key}`).sort()).toEqual(["DELETE /e/a", "DELETE /e/b"]);
    expect(new Set(events.map((e) => e.kv.modRevision)).size, "each delete is a write with its own revision").toBe(2);
    expect(kv.range("/e/").map((k) => k.key)).toEqual(["/e/c"]);
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
