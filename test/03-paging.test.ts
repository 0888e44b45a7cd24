/**
 * Chapter 03, given code: lists in pages (?limit and ?continue, see
 * solutions/03-apiserver/storage/paging.ts). Pages of one list read the store
 * at the first page's revision; a compacted revision is 410 Expired; a token
 * that is not one of ours is 400.
 */
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type TestCluster } from "./harness/cluster.ts";
import { listPage, type Page } from "@tree/03-apiserver/storage/paging.ts";
import { http } from "./harness/http.ts";
import { kubectlAvailable, kubectlFor, type Kubectl } from "./harness/kubectl.ts";

const available = kubectlAvailable();
if (!available && process.env.CI === "true")
  throw new Error("CI=true but /usr/bin/kubectl is missing: CI must run the kubectl tests");

let cluster: TestCluster;
let api: ReturnType<typeof http>;

beforeAll(async () => {
  cluster = await startCluster();
  api = http(cluster.url);
});
afterAll(async () => {
  await cluster?.close();
});

function pod(name: string, labels: Record<string, string> = {}) {
  return { metadata: { name, labels }, spec: { containers: [{ name: "main", image: "busybox:1.36" }] } };
}

/** Creates a namespace with `count` pods named p000, p001, ... (in key order). */
async function podsIn(namespace: string, count: number, labels: (i: number) => Record<string, string> = () => ({})) {
  expect((await api("POST", "/api/v1/namespaces", { metadata: { name: namespace } })).status).toBe(201);
  const names = Array.from({ length: count }, (_, i) => `p${String(i).padStart(3, "0")}`);
  for (let i = 0; i < names.length; i += 50) {
    const batch = names.slice(i, i + 50);
    const results = await Promise.all(
      batch.map((name, j) => api("POST", `/api/v1/namespaces/${namespace}/pods`, pod(name, labels(i + j)))),
    );
    for (const r of results) expect(r.status, r.text).toBe(201);
  }
  return names;
}

/** Every page of a list, following metadata.continue. */
async function allPages(path: string, limit: number) {
  const pages: any[] = [];
  let token = "";
  do {
    const res = await api(
      "GET",
      `${path}${path.includes("?") ? "&" : "?"}limit=${limit}${token ? `&continue=${encodeURIComponent(token)}` : ""}`,
    );
    expect(res.status, res.text).toBe(200);
    pages.push(res.body);
    token = res.body.metadata.continue ?? "";
  } while (token && pages.length < 100);
  return pages;
}

/** An HTTP proxy in front of the apiserver that records every request line it forwards. */
async function recordingProxy(target: string): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const { hostname, port } = new URL(target);
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const upstream = request(
      { host: hostname, port: Number(port), method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("03 chapter > paging", () => {
  it.skipIf(!available)("03 chapter > kubectl get --chunk-size=50 lists 500 pods in 10 pages", async () => {
    const names = await podsIn("chunks", 500);
    const proxy = await recordingProxy(cluster.url);
    let kubectl: Kubectl | undefined;
    try {
      kubectl = await kubectlFor(proxy.url, "chunks");
      const out = await kubectl.ok(["get", "pods", "--chunk-size=50", "-o", "name"]);
      expect(out.trim().split("\n")).toEqual(names.map((n) => `pod/${n}`));
      const lists = proxy.requests.filter((r) => r.startsWith("GET /api/v1/namespaces/chunks/pods?"));
      expect(lists.length, `the list requests the server saw:\n${lists.join("\n")}`).toBe(10);
      expect(lists.every((r) => r.includes("limit=50"))).toBe(true);
      expect(lists.filter((r) => r.includes("continue=")).length, "every page after the first sends a continue token").toBe(9);
    } finally {
      await kubectl?.cleanup();
      await proxy.close();
    }
  });

  it("03 chapter > a page carries continue and remainingItemCount; the last page has no token", async () => {
    const names = await podsIn("counted", 5);
    const pages = await allPages("/api/v1/namespaces/counted/pods", 2);
    expect(pages.map((p) => p.items.map((i: any) => i.metadata.name))).toEqual([
      names.slice(0, 2),
      names.slice(2, 4),
      names.slice(4),
    ]);
    expect(pages.map((p) => p.metadata.remainingItemCount)).toEqual([3, 1, undefined]);
    expect(pages[2].metadata.continue, "the last page has no continue token").toBeUndefined();
    expect(new Set(pages.map((p) => p.metadata.resourceVersion)).size, "every page has the first page's resourceVersion").toBe(1);
  });

  it("03 chapter > all pages show the moment of the first page", async () => {
    const names = await podsIn("snapshot", 4);
    const first = await api("GET", "/api/v1/namespaces/snapshot/pods?limit=2");
    expect(first.body.items.map((i: any) => i.metadata.name)).toEqual(names.slice(0, 2));
    // Between the pages: a pod after the first page is deleted, another is added.
    expect((await api("DELETE", "/api/v1/namespaces/snapshot/pods/p003?gracePeriodSeconds=0")).status).toBe(200);
    expect((await api("POST", "/api/v1/namespaces/snapshot/pods", pod("p002a"))).status).toBe(201);
    const second = await api(
      "GET",
      `/api/v1/namespaces/snapshot/pods?limit=2&continue=${encodeURIComponent(first.body.metadata.continue)}`,
    );
    expect(second.status, second.text).toBe(200);
    expect(
      second.body.items.map((i: any) => i.metadata.name),
      "the second page as it was at the first page's revision",
    ).toEqual(names.slice(2, 4));
    expect(second.body.metadata.resourceVersion).toBe(first.body.metadata.resourceVersion);
  });

  it("03 chapter > with a selector, pages are filled with matching objects", async () => {
    // Selectors arrive in chapter 07; the page code takes any predicate.
    await podsIn("selected", 10, (i) => ({ even: String(i % 2 === 0) }));
    const pods = cluster.apiserver.registry.all().find((r) => r.group === "" && r.plural === "pods")!;
    const predicate = (obj: { metadata?: { labels?: Record<string, string> } }) => obj.metadata?.labels?.even === "true";
    const pages: Page[] = [];
    let continueToken: string | undefined;
    do {
      const page = await listPage(cluster.apiserver.storage, pods, "selected", { limit: 2, continueToken, predicate });
      pages.push(page);
      continueToken = page.continueToken;
    } while (continueToken && pages.length < 10);
    expect(pages.flatMap((p) => p.items.map((i) => i.metadata?.name))).toEqual(["p000", "p002", "p004", "p006", "p008"]);
    expect(
      pages.slice(0, 2).map((p) => p.items.length),
      "full pages before the last",
    ).toEqual([2, 2]);
    expect(pages[0]!.remainingItemCount, "no count when a selector filters (it would be a guess)").toBeUndefined();
  });

  it("03 chapter > a continue token whose revision was compacted is 410 Expired", async () => {
    await podsIn("compacted", 3);
    const first = await api("GET", "/api/v1/namespaces/compacted/pods?limit=1");
    expect(first.body.metadata.continue).toBeTruthy();
    expect((await api("POST", "/api/v1/namespaces/compacted/pods", pod("p100"))).status).toBe(201);
    await cluster.store.compact(await cluster.store.revision());
    const next = await api(
      "GET",
      `/api/v1/namespaces/compacted/pods?limit=1&continue=${encodeURIComponent(first.body.metadata.continue)}`,
    );
    expect(next.status, next.text).toBe(410);
    expect(next.body.reason).toBe("Expired");
    expect(next.body.message).toMatch(/^The provided continue parameter is too old to display a consistent list result/);
    // The 410 carries a token that goes on at the latest revision: the rest, written since included.
    expect(next.body.metadata.continue).toBeTruthy();
    const rest = await allPages(
      `/api/v1/namespaces/compacted/pods?continue=${encodeURIComponent(next.body.metadata.continue)}`,
      10,
    );
    expect(rest.flatMap((p) => p.items.map((i: any) => i.metadata.name))).toEqual(["p001", "p002", "p100"]);
  });

  it("03 chapter > a continue token that is not one of ours is 400", async () => {
    await podsIn("tampered", 3);
    const first = await api("GET", "/api/v1/namespaces/tampered/pods?limit=1");
    const token = JSON.parse(Buffer.from(first.body.metadata.continue, "base64url").toString());
    const encode = (t: unknown) => encodeURIComponent(Buffer.from(JSON.stringify(t)).toString("base64url"));
    const bad = [
      "not-a-token",
      encode({ ...token, start: "../../secrets/tampered/" }),
      encode({ ...token, v: "v2" }),
      encode({ ...token, rv: 0 }),
      encode({ ...token, rv: 1e9 }),
    ];
    for (const t of bad) {
      const res = await api("GET", `/api/v1/namespaces/tampered/pods?limit=1&continue=${t}`);
      expect(res.status, `continue=${decodeURIComponent(t)}: ${res.text}`).toBe(400);
      expect(res.body.reason).toBe("BadRequest");
      expect(res.body.message).toMatch(/^invalid continue token/);
    }
    const mixed = await api(
      "GET",
      `/api/v1/namespaces/tampered/pods?limit=1&resourceVersion=5&continue=${encodeURIComponent(first.body.metadata.continue)}`,
    );
    expect(mixed.status, "a continue token and a resourceVersion together").toBe(400);
  });
});
