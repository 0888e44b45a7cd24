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
  it("pages a list with limit and continue", async () => {
    expect((await api("POST", "/api/v1/namespaces", { metadata: { name: "paged" } })).status).toBe(201);
    const base = "/api/v1/namespaces/paged/pods";
    for (const name of ["p1", "p2", "p3", "p4", "p5"]) expect((await api("POST", base, pod(name))).status).toBe(201);

    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = await api("GET", `${base}?limit=2${token ? `&continue=${encodeURIComponent(token)}` : ""}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((p: any) => p.metadata.name));
      token = res.body.metadata.continue || undefined;
      pages++;
    } while (token && pages < 10);
    expect(pages, "five pods with limit=2 take three pages").toBe(3);
    expect(seen).toEqual(["p1", "p2", "p3", "p4", "p5"]);
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
