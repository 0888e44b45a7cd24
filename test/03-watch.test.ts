/**
 * Chapter 03: watch streams. One JSON event per line, in order; resuming
 * from a resourceVersion sees exactly the later changes; a compacted
 * resourceVersion gives one ERROR event with 410 Expired.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type TestCluster } from "./harness/cluster.ts";
import { http, openWatch } from "./harness/http.ts";

let cluster: TestCluster;
let api: ReturnType<typeof http>;

beforeAll(async () => {
  cluster = await startCluster();
  api = http(cluster.url);
  for (const ns of ["w1", "w2", "w3", "w4"]) await api("POST", "/api/v1/namespaces", { metadata: { name: ns } });
});
afterAll(async () => {
  await cluster?.close();
});

const pod = (name: string) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name },
  spec: { containers: [{ name: "c", image: "busybox" }] },
});
const merge = { "Content-Type": "application/merge-patch+json" };

describe("03.7 watch", () => {
  it("streams ADDED, MODIFIED and DELETED in order from a list's resourceVersion", async () => {
    const base = "/api/v1/namespaces/w1/pods";
    await api("POST", base, pod("before"));
    const list = await api("GET", base);
    const watch = await openWatch(`${cluster.url}${base}?watch=1&resourceVersion=${list.body.metadata.resourceVersion}`);
    expect(watch.status).toBe(200);
    try {
      const created = await api("POST", base, pod("a"));
      await api("PATCH", `${base}/a`, { metadata: { labels: { step: "2" } } }, merge);
      await api("DELETE", `${base}/a`);
      const events = [await watch.next(), await watch.next(), await watch.next()];
      expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(["ADDED a", "MODIFIED a", "DELETED a"]);
      expect(events[0].object.metadata.uid).toBe(created.body.metadata.uid);
      expect(events[1].object.metadata.labels).toEqual({ step: "2" });
      const versions = events.map((e) => Number(e.object.metadata.resourceVersion));
      expect(versions[0]).toBeLessThan(versions[1]!);
      expect(versions[1]).toBeLessThan(versions[2]!);
      expect(events[0].object.kind).toBe("Pod");
    } finally {
      watch.close();
    }
  });

  it("resuming from a resourceVersion sees exactly the later events", async () => {
    const base = "/api/v1/namespaces/w2/pods";
    const versions: string[] = [];
    for (const n of ["r1", "r2", "r3", "r4"]) versions.push((await api("POST", base, pod(n))).body.metadata.resourceVersion);
    // Resume after r2: r3 and r4 only, then live events.
    const watch = await openWatch(`${cluster.url}${base}?watch=true&resourceVersion=${versions[1]}`);
    try {
      expect((await watch.next()).object.metadata.name).toBe("r3");
      expect((await watch.next()).object.metadata.name).toBe("r4");
      await api("POST", base, pod("r5"));
      const live = await watch.next();
      expect(`${live.type} ${live.object.metadata.name}`).toBe("ADDED r5");
    } finally {
      watch.close();
    }
  });

  it("without a resourceVersion, starts with the existing objects as ADDED", async () => {
    const base = "/api/v1/namespaces/w3/pods";
    await api("POST", base, pod("old-1"));
    await api("POST", base, pod("old-2"));
    const watch = await openWatch(`${cluster.url}${base}?watch=1`);
    try {
      const first = [await watch.next(), await watch.next()];
      expect(first.map((e) => `${e.type} ${e.object.metadata.name}`).sort()).toEqual(["ADDED old-1", "ADDED old-2"]);
      await api("POST", base, pod("new-1"));
      expect((await watch.next()).object.metadata.name).toBe("new-1");
    } finally {
      watch.close();
    }
  });

  it("watches one namespace only, or all namespaces at /api/v1/pods", async () => {
    const rv = (await api("GET", "/api/v1/pods")).body.metadata.resourceVersion;
    const one = await openWatch(`${cluster.url}/api/v1/namespaces/w4/pods?watch=1&resourceVersion=${rv}`);
    const all = await openWatch(`${cluster.url}/api/v1/pods?watch=1&resourceVersion=${rv}`);
    try {
      await api("POST", "/api/v1/namespaces/w1/pods", pod("in-w1"));
      await api("POST", "/api/v1/namespaces/w4/pods", pod("in-w4"));
      expect((await one.next()).object.metadata.name).toBe("in-w4");
      expect((await all.next()).object.metadata.name).toBe("in-w1");
      expect((await all.next()).object.metadata.name).toBe("in-w4");
    } finally {
      one.close();
      all.close();
    }
  });

  it("a compacted resourceVersion gives one ERROR event with 410 Expired", async () => {
    const base = "/api/v1/namespaces/w1/pods";
    const old = (await api("POST", base, pod("c1"))).body.metadata.resourceVersion;
    await api("POST", base, pod("c2"));
    await api("POST", base, pod("c3"));
    // History before the latest revision is gone: "after old" (c2, c3) can no longer be replayed.
    await cluster.store.compact(await cluster.store.revision());
    const watch = await openWatch(`${cluster.url}${base}?watch=1&resourceVersion=${old}`);
    expect(watch.status).toBe(200);
    const event = await watch.next();
    expect(event.type).toBe("ERROR");
    expect(event.object).toMatchObject({ kind: "Status", status: "Failure", code: 410, reason: "Expired" });
    expect(event.object.message).toContain("too old resource version");
    expect(await watch.next()).toBeUndefined(); // the stream ends
  });

  it("sends Table objects to a client that asks for them (kubectl get -w)", async () => {
    const base = "/api/v1/namespaces/w4/pods";
    const rv = (await api("GET", base)).body.metadata.resourceVersion;
    const watch = await openWatch(`${cluster.url}${base}?watch=1&resourceVersion=${rv}`, {
      Accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
    });
    try {
      await api("POST", base, pod("tbl"));
      const event = await watch.next();
      expect(event.type).toBe("ADDED");
      expect(event.object.kind).toBe("Table");
      expect(event.object.rows[0].cells[0]).toBe("tbl");
    } finally {
      watch.close();
    }
  });

  it("rejects a malformed resourceVersion with 400", async () => {
    const res = await api("GET", "/api/v1/pods?watch=1&resourceVersion=abc");
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ kind: "Status", reason: "BadRequest" });
  });

  it("close() ends open watches", async () => {
    const other = await startCluster();
    try {
      const watch = await openWatch(`${other.url}/api/v1/pods?watch=1`);
      await other.apiserver.close();
      expect(await watch.next()).toBeUndefined();
    } finally {
      await other.close();
    }
  });
});
