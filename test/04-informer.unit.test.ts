/**
 * Chapter 04, the informer's event handling without a server. The informer's
 * loop always starts with a list, and a list fills the cache through
 * replace() (04.5); so the test with a real apiserver needs 04.5 too. Here
 * events are fed straight to the informer, as its watch would, to check 04.4
 * on its own.
 */
import { describe, expect, it } from "vitest";
import { Informer } from "@tree/04-kubectl/client/informer.ts";
import { PODS } from "@tree/04-kubectl/client/resources.ts";
import { RestClient } from "@tree/04-kubectl/client/rest.ts";
import type { ObjectEvent } from "@tree/04-kubectl/client/watch.ts";
import type { Pod } from "../shared/api/index.ts";

function pod(name: string, resourceVersion: string, labels: Record<string, string> = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "shop", resourceVersion, labels },
    spec: { containers: [{ name: "main", image: "busybox" }] },
  };
}

/** An informer that is never started (no server is asked), with handlers that record their calls. */
function recordingInformer() {
  const calls: string[] = [];
  const errors: Error[] = [];
  const resource = new RestClient({ server: "http://127.0.0.1:9" }).resource<Pod>(PODS);
  const informer = new Informer(resource, { onError: (err) => void errors.push(err) })
    .onAdd((p) => void calls.push(`add ${p.metadata?.name}`))
    .onUpdate(
      (old, now) => void calls.push(`update ${now.metadata?.name} ${old.metadata?.labels?.v ?? "-"}->${now.metadata?.labels?.v}`),
    )
    .onDelete((p) => void calls.push(`delete ${p.metadata?.name} v=${p.metadata?.labels?.v ?? "-"}`));
  // handleEvent is private: the watch calls it. Bracket access lets the test
  // play the watch's part without a server.
  const feed = (event: ObjectEvent<Pod>) => informer["handleEvent"](event);
  return { informer, calls, errors, feed };
}

describe("04.4 informer events", () => {
  it("applies each watch event to the cache and calls add, update and delete handlers", () => {
    const { informer, calls, feed } = recordingInformer();
    feed({ type: "ADDED", object: pod("web", "1") });
    feed({ type: "ADDED", object: pod("db", "2") });
    feed({ type: "MODIFIED", object: pod("web", "3", { v: "1" }) });
    feed({ type: "DELETED", object: pod("db", "4") });
    expect(calls).toEqual(["add web", "add db", "update web -->1", "delete db v=-"]);
    expect(informer.list().map((p) => p.metadata?.name)).toEqual(["web"]);
    expect(informer.get("web", "shop")?.metadata?.resourceVersion).toBe("3");
    expect(informer.get("db", "shop")).toBeUndefined();
  });

  it("tells delete handlers the last known state, and treats an unknown MODIFIED as an add", () => {
    const { informer, calls, feed } = recordingInformer();
    feed({ type: "MODIFIED", object: pod("late", "5", { v: "1" }) });
    // a DELETED event may carry less than the cache knows: the handler gets the cached object
    feed({ type: "DELETED", object: pod("late", "6") });
    expect(calls).toEqual(["add late", "delete late v=1"]);
    expect(informer.list()).toEqual([]);
  });

  it("keeps going when a handler throws, and reports the error", () => {
    const { informer, calls, errors, feed } = recordingInformer();
    informer.onAdd(() => {
      throw new Error("handler broke");
    });
    informer.onAdd((p) => void calls.push(`second add ${p.metadata?.name}`));
    feed({ type: "ADDED", object: pod("web", "1") });
    feed({ type: "MODIFIED", object: pod("web", "2", { v: "2" }) });
    expect(calls).toEqual(["add web", "second add web", "update web -->2"]);
    expect(errors.map((e) => e.message)).toEqual(["handler broke"]);
    expect(informer.get("web", "shop")?.metadata?.resourceVersion).toBe("2");
  });
});
