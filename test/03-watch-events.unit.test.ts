/**
 * Chapter 03, no server: how one store event becomes the watch event a client
 * sees, with and without a filter. Chapter 07's selectors are such filters;
 * the rule itself (moving out is DELETED, moving in is ADDED) is step 03.7.
 */
import { describe, expect, it } from "vitest";
import type { KeyValue, WatchEvent } from "../shared/store/types.ts";
import { toWatchEvent } from "@tree/03-apiserver/watch/events.ts";

/** A store key-value holding a pod with these labels, at this revision. */
const kv = (labels: Record<string, string>, revision: number): KeyValue => ({
  key: "/registry/pods/default/p",
  value: JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "default", labels } }),
  createRevision: 1,
  modRevision: revision,
  version: revision,
});
const decode = async (k: KeyValue) => ({
  ...JSON.parse(k.value),
  metadata: { ...JSON.parse(k.value).metadata, resourceVersion: String(k.modRevision) },
});
const isWeb = (obj: { metadata?: { labels?: Record<string, string> } }) => obj.metadata?.labels?.app === "web";

/** "TYPE app=<label>" of the event the client gets, or "nothing". */
async function seen(event: WatchEvent, filtered: boolean): Promise<string> {
  const out = await toWatchEvent(event, decode, filtered ? isWeb : undefined);
  const labels = (out?.object.metadata as { labels?: Record<string, string> } | undefined)?.labels;
  return out ? `${out.type} app=${labels?.app}` : "nothing";
}

describe("03.7 watch events", () => {
  it("without a filter: a new key is ADDED, a changed one MODIFIED, a deleted one DELETED", async () => {
    expect(await seen({ type: "PUT", kv: kv({ app: "web" }, 1) }, false), "PUT of a new key").toBe("ADDED app=web");
    expect(
      await seen({ type: "PUT", kv: kv({ app: "db" }, 2), prevKv: kv({ app: "web" }, 1) }, false),
      "PUT over an existing key",
    ).toBe("MODIFIED app=db");
    const tombstone: KeyValue = { key: "/registry/pods/default/p", value: "", createRevision: 0, modRevision: 3, version: 0 };
    expect(await seen({ type: "DELETE", kv: tombstone, prevKv: kv({ app: "db" }, 2) }, false), "DELETE").toBe("DELETED app=db");
  });

  it("with a filter (app=web): leaving it is DELETED, entering it is ADDED, outside it is nothing", async () => {
    expect(
      await seen({ type: "PUT", kv: kv({ app: "db" }, 2), prevKv: kv({ app: "web" }, 1) }, true),
      "relabelled from app=web to app=db: the object leaves the watched set, as the client last saw it",
    ).toBe("DELETED app=web");
    const left = await toWatchEvent({ type: "PUT", kv: kv({ app: "db" }, 2), prevKv: kv({ app: "web" }, 1) }, decode, isWeb);
    expect(left?.object.metadata?.resourceVersion, "the DELETED of an object leaving the filter: the event's revision").toBe("2");
    expect(
      await seen({ type: "PUT", kv: kv({ app: "web" }, 3), prevKv: kv({ app: "db" }, 2) }, true),
      "relabelled from app=db to app=web: the object enters the watched set",
    ).toBe("ADDED app=web");
    expect(
      await seen({ type: "PUT", kv: kv({ app: "db" }, 4), prevKv: kv({ app: "db" }, 3) }, true),
      "a change outside the watched set",
    ).toBe("nothing");
    expect(
      await seen({ type: "PUT", kv: kv({ app: "web" }, 5), prevKv: kv({ app: "web" }, 4) }, true),
      "a change inside the watched set",
    ).toBe("MODIFIED app=web");
  });
});
