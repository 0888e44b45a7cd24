/**
 * Chapter 03: watchers that do not read cannot take the apiserver down.
 *
 * A client opens 1,000 watches on pods and never reads them; then 200 pods
 * with a 50 KB annotation each are written. Every event is 50 KB for each of the
 * 1,000 watches: 10 GB if the server buffered it all. The server must instead
 * decode and encode each event once for all watchers, keep answering other
 * clients, hold no more than each watch's budget (1 MiB unsent), and close
 * the watches that go over it. An informer behind
 * a connection that stalls goes over its budget: the server cuts its watch,
 * and it comes back by listing again, its cache equal to the server's.
 */
import { connect, createServer, type Socket } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MAX_BUFFERED_BYTES } from "@tree/03-apiserver/watch/watch.ts";
// The client side is chapter 04's informer, and a learner at chapter 03 has not written it yet: the reference one.
import { Informer } from "../solutions/04-kubectl/client/informer.ts";
import { ResourceClient, RestClient } from "../solutions/04-kubectl/client/rest.ts";
import type { KubeObject } from "../shared/api/meta.ts";
import { startCluster, type TestCluster } from "./harness/cluster.ts";
import { http } from "./harness/http.ts";
import { waitFor } from "./harness/wait.ts";

const WATCHERS = 1000;
const WRITES = 200;
const VALUE = "x".repeat(50 * 1024);
/**
 * What the overload may leave held in this process's memory once the writes are
 * done and garbage is collected (the apiserver runs in this process): each stuck
 * watch holds at most its budget of unsent bytes (1 MiB by default). Without the
 * budget the process dies at the heap limit instead.
 */
const MEMORY_BOUND = WATCHERS * DEFAULT_MAX_BUFFERED_BYTES;

let cluster: TestCluster;
let api: ReturnType<typeof http>;
const sockets: Socket[] = [];

beforeAll(async () => {
  cluster = await startCluster();
  api = http(cluster.url);
  for (const ns of ["flood", "slow"])
    expect((await api("POST", "/api/v1/namespaces", { metadata: { name: ns } })).status).toBe(201);
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await cluster?.close();
});

const bigPod = (name: string) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, annotations: { big: VALUE } },
  spec: { containers: [{ name: "c", image: "busybox" }] },
});

/** Opens a watch over a raw socket and never reads from it: the kernel's buffers fill, then the server's. */
async function stuckWatch(path: string): Promise<Socket> {
  const { port } = new URL(cluster.url);
  const socket = connect({ host: "127.0.0.1", port: Number(port) });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  socket.pause();
  return socket;
}

// A collection on demand, so the test measures what is held, not garbage not yet collected.
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

const memory = () => {
  collectGarbage();
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
};

describe("03 chapter > a watcher that does not read", () => {
  it("1,000 stuck watchers and 200 writes of 50 KB: memory stays bounded, the watchers are closed, other clients get answers", async () => {
    const list = await api("GET", "/api/v1/namespaces/flood/pods");
    const from = list.body.metadata.resourceVersion;
    for (let i = 0; i < WATCHERS; i++) await stuckWatch(`/api/v1/namespaces/flood/pods?watch=1&resourceVersion=${from}`);
    const watches = cluster.apiserver.watches;
    await waitFor(`${WATCHERS} watches open on the server`, () => watches.size >= WATCHERS, { timeoutMs: 60_000 });
    const closedBefore = watches.closedSlow;

    const before = memory();
    for (let i = 0; i < WRITES; i++) {
      const res = await api("POST", "/api/v1/namespaces/flood/pods", bigPod(`p-${i}`));
      expect(res.status, `write ${i}: a normal client must still get answers`).toBe(201);
    }
    // Another client is served while the stuck ones wait.
    const names = await api("GET", "/api/v1/namespaces/flood/pods?labelSelector=none%3Dnone");
    expect(names.status).toBe(200);
    // What the stuck watches hold now, their sockets still unread.
    const held = memory();
    const grew = held - before;
    expect(grew, `memory held after the flood grew by ${Math.round(grew / 2 ** 20)} MiB`).toBeLessThan(MEMORY_BOUND);
    // The kernel's loopback buffers take the first few MB of each stream; past them and the budget, the server cuts it.
    const closed = watches.closedSlow - closedBefore;
    expect(closed, "watches closed by the server for not reading (each was sent 10 MB)").toBeGreaterThan(0);

    console.log(
      `${WATCHERS} stuck watches, ${WRITES} writes of 50 KB: memory held grew by ${Math.round(grew / 2 ** 20)} MiB, ${closed} watches closed`,
    );
  }, 300_000);

  it("an informer behind a stalled connection is closed, comes back, and ends equal to the server", async () => {
    // A proxy whose server-to-client direction can stall: the informer's watch stops draining.
    const { port } = new URL(cluster.url);
    let stalled = false;
    const upstreams = new Set<Socket>();
    const proxy = createServer((client) => {
      const upstream = connect({ host: "127.0.0.1", port: Number(port) });
      upstreams.add(upstream);
      sockets.push(client, upstream);
      client.pipe(upstream);
      upstream.on("data", (chunk) => {
        if (!client.write(chunk) || stalled) upstream.pause();
      });
      client.on("drain", () => !stalled && upstream.resume());
      upstream.on("close", () => client.destroy());
      client.on("close", () => upstream.destroy());
      for (const s of [client, upstream]) s.on("error", () => s.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
    const type = { group: "", version: "v1", resource: "pods", kind: "Pod", namespaced: true };
    const informer = new Informer<KubeObject>(new ResourceClient(new RestClient({ server: proxyUrl }), type), {
      namespace: "slow",
      retryDelayMs: 50,
    });
    try {
      informer.start();
      await informer.waitForSync();
      stalled = true;
      for (const u of upstreams) u.pause();
      for (let i = 0; i < WRITES; i++)
        expect((await api("POST", "/api/v1/namespaces/slow/pods", bigPod(`p-${i}`))).status).toBe(201);
      // Compact away the history: the informer cannot resume, it must list again.
      await cluster.store.compact(
        (await cluster.store.get("/"))?.modRevision ??
          Number((await api("GET", "/api/v1/namespaces/slow/pods")).body.metadata.resourceVersion),
      );
      stalled = false;
      for (const u of upstreams) u.resume();
      const server = (await api("GET", "/api/v1/namespaces/slow/pods")).body.items
        .map((o: KubeObject) => o.metadata!.name)
        .sort();
      expect(server.length).toBe(WRITES);
      await waitFor(
        "the informer's cache to equal the server's list",
        () => {
          const cached = informer
            .list()
            .map((o) => o.metadata!.name)
            .sort();
          return (
            JSON.stringify(cached) === JSON.stringify(server) ||
            (() => {
              throw new Error(`cache has ${cached.length} of ${server.length}`);
            })()
          );
        },
        { timeoutMs: 60_000 },
      );
      expect(
        informer.lists,
        "the informer listed again after its watch was closed and the history compacted",
      ).toBeGreaterThanOrEqual(2);
    } finally {
      await informer.stop();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });
});
