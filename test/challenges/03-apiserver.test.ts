/**
 * Chapter 03 challenges (optional): they fail on the reference solution and
 * pass once you build the extension. Run them with
 * `npm run check 03 -- --challenges`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type TestCluster } from "../harness/cluster.ts";
import { http, openWatch } from "../harness/http.ts";

let cluster: TestCluster;
let api: ReturnType<typeof http>;

beforeAll(async () => {
  cluster = await startCluster();
  api = http(cluster.url);
});
afterAll(async () => {
  await cluster?.close();
});

function pod(name: string) {
  return { metadata: { name }, spec: { containers: [{ name: "main", image: "busybox:1.36" }] } };
}

describe("03 challenge", () => {
  it("lists at an exact older resourceVersion (resourceVersionMatch=Exact)", async () => {
    expect((await api("POST", "/api/v1/namespaces", { metadata: { name: "exact" } })).status).toBe(201);
    const base = "/api/v1/namespaces/exact/pods";
    for (const name of ["p1", "p2"]) expect((await api("POST", base, pod(name))).status).toBe(201);
    const before = (await api("GET", base)).body.metadata.resourceVersion;
    expect((await api("POST", base, pod("p3"))).status).toBe(201);
    expect((await api("DELETE", `${base}/p1?gracePeriodSeconds=0`)).status).toBe(200);

    const old = await api("GET", `${base}?resourceVersion=${before}&resourceVersionMatch=Exact`);
    expect(old.status, old.text).toBe(200);
    expect(old.body.metadata.resourceVersion, "the list says which moment it shows").toBe(before);
    expect(
      old.body.items.map((p: any) => p.metadata.name),
      "the pods as they were at that resourceVersion (p3 not yet, p1 still there)",
    ).toEqual(["p1", "p2"]);

    await cluster.store.compact(await cluster.store.revision());
    const gone = await api("GET", `${base}?resourceVersion=${before}&resourceVersionMatch=Exact`);
    expect(gone.status, "a compacted resourceVersion cannot be listed: 410").toBe(410);
    expect(gone.body.reason).toBe("Expired");
  });

  it("resets managedFields when a write sends an empty entry (managedFields: [{}])", async () => {
    const base = "/api/v1/namespaces/default/pods";
    expect((await api("POST", `${base}?fieldManager=maker`, pod("owned"))).status).toBe(201);
    const before = await api("GET", `${base}/owned`);
    expect(before.body.metadata.managedFields?.length, "a created pod has its creator's entry").toBe(1);
    const reset = await api(
      "PATCH",
      `${base}/owned`,
      { metadata: { managedFields: [{}] } },
      { "Content-Type": "application/merge-patch+json" },
    );
    expect(reset.status, reset.text).toBe(200);
    expect(reset.body.metadata.managedFields, "managedFields: [{}] clears the list, as in Kubernetes").toBeUndefined();
  });

  it("marks the end of the initial events with a bookmark", async () => {
    expect((await api("POST", "/api/v1/namespaces", { metadata: { name: "initial" } })).status).toBe(201);
    const base = "/api/v1/namespaces/initial/pods";
    for (const name of ["a", "b"]) expect((await api("POST", base, pod(name))).status).toBe(201);
    const watch = await openWatch(
      `${cluster.url}${base}?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`,
    );
    try {
      const first = [await watch.next(), await watch.next()];
      expect(first.map((e) => `${e.type} ${e.object.metadata.name}`).sort()).toEqual(["ADDED a", "ADDED b"]);
      const bookmark = await watch.next(2_000);
      expect(bookmark.type).toBe("BOOKMARK");
      expect(bookmark.object.metadata.annotations).toEqual({ "k8s.io/initial-events-end": "true" });
      const list = await api("GET", base);
      expect(Number(bookmark.object.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(list.body.metadata.resourceVersion));
    } finally {
      watch.close();
    }
  });
});
