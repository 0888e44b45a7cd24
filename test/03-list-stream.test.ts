/**
 * Chapter 03: a big list is streamed (http/stream.ts), not built as one string.
 *
 * 2,500 pods with a 16 KB annotation each make a list of about 40 MB. A client
 * that reads it slowly must not make the apiserver hold the rest of the list:
 * the server encodes the next items only when the socket takes more. A client
 * that goes away in the middle stops the encoding, and the server goes on
 * answering. The apiserver runs in this process, so the test can weigh its
 * memory (after a garbage collection) and count the objects it decodes.
 */
import { createHash } from "node:crypto";
import { request, type IncomingMessage } from "node:http";
import { setImmediate as nextTurn } from "node:timers/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Pod } from "../shared/api/index.ts";
import { startCluster, type TestCluster } from "./harness/cluster.ts";
import { http } from "./harness/http.ts";

const PODS = 2_500;
const VALUE = "x".repeat(16 * 1024);
/** What the server may hold while the client reads slowly: a few chunks, never the rest of the list. */
const HELD_BOUND = 8 * 2 ** 20;
const PATH = "/api/v1/namespaces/big/pods";

let cluster: TestCluster;
let api: ReturnType<typeof http>;
/** The whole list read at full speed: its size and its digest. */
let full = { bytes: 0, sha256: "" };

// A collection on demand, so the test weighs what is held, not garbage not yet collected.
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;
const memory = async () => {
  // Twice: the memory of a Buffer is given back after the collection that finds it unused.
  collectGarbage();
  await nextTurn();
  collectGarbage();
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
};

beforeAll(async () => {
  cluster = await startCluster();
  api = http(cluster.url);
  expect((await api("POST", "/api/v1/namespaces", { metadata: { name: "big" } })).status).toBe(201);
  const create = async (from: number) => {
    for (let i = from; i < PODS; i += 16) {
      const pod = {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: `p-${i}`, annotations: { big: VALUE } },
        spec: { containers: [{ name: "c", image: "busybox" }] },
      };
      const res = await api("POST", PATH, pod);
      if (res.status !== 201) throw new Error(`create p-${i}: ${res.status} ${JSON.stringify(res.body)}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, (_, i) => create(i)));
  // The whole list once, read at full speed: complete and valid JSON. The slow read below must get the same bytes.
  const body = Buffer.from(await (await fetch(`${cluster.url}${PATH}`)).arrayBuffer());
  const list = JSON.parse(body.toString("utf8")) as { kind: string; metadata: { resourceVersion: string }; items: Pod[] };
  expect(list.kind).toBe("PodList");
  expect(Number(list.metadata.resourceVersion)).toBeGreaterThan(0);
  expect(new Set(list.items.map((p) => p.metadata?.name)).size).toBe(PODS);
  expect(list.items.every((p) => p.metadata?.annotations?.big === VALUE && p.metadata.resourceVersion)).toBe(true);
  full = { bytes: body.length, sha256: createHash("sha256").update(body).digest("hex") };
}, 300_000);
afterAll(async () => {
  await cluster?.close();
});

/**
 * GET `path` with a response that reads nothing until told to (readUntil).
 * It keeps only a digest of what it receives, so the memory it weighs is the server's.
 */
async function slowGet(path: string): Promise<{ res: IncomingMessage; digest: () => string; received: () => number }> {
  const url = new URL(path, cluster.url);
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(url, { agent: false }, resolve);
    req.on("error", reject);
    req.end();
  });
  res.pause();
  const hash = createHash("sha256");
  let bytes = 0;
  res.on("data", (chunk: Buffer) => {
    hash.update(chunk);
    bytes += chunk.length;
  });
  res.pause();
  return { res, digest: () => hash.digest("hex"), received: () => bytes };
}

/** Lets `res` flow until `bytes` have arrived (or it ends), then stops reading again. */
function readUntil(res: IncomingMessage, received: () => number, bytes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (received() < bytes && !res.readableEnded) return;
      res.off("data", check);
      res.off("end", check);
      res.off("error", reject);
      res.pause();
      resolve();
    };
    res.on("data", check);
    res.on("end", check);
    res.on("error", reject);
    res.resume();
    check();
  });
}

it("03 chapter > a 40 MB list through a slow reader: the server holds a few chunks, and the list arrives whole", async () => {
  expect(full.bytes).toBeGreaterThan(PODS * VALUE.length);
  const before = await memory();
  const { res, digest, received } = await slowGet(PATH);
  expect(res.statusCode).toBe(200);
  const weighed: number[] = [];
  // The client takes the list a part at a time. In between, the server holds what it
  // has encoded and not sent. Built as one string, it would hold the rest of the list.
  for (const part of [0.1, 0.3, 0.5, 0.7, 0.9]) {
    await readUntil(res, received, full.bytes * part);
    weighed.push(await memory());
  }
  await readUntil(res, received, Infinity);
  expect(received()).toBe(full.bytes);
  expect(digest(), "the slow read got the same bytes as the fast one").toBe(full.sha256);
  // Garbage left from earlier work can make one of the two weighings high: the lower one is the floor.
  const floor = Math.min(before, await memory());
  const held = weighed.map((m) => m - floor);
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
  expect(Math.max(...held), `held while the client read 10%..90%: ${held.map(mib).join(", ")}`).toBeLessThan(HELD_BOUND);
  console.log(`a ${mib(full.bytes)} list read slowly: the server held ${held.map(mib).join(", ")}`);
}, 120_000);

it("03 chapter > a client that closes in the middle of a list: the server stops encoding it and goes on answering", async () => {
  // Count the objects the server decodes (as objects, or as JSON text for a plain list).
  const storage = cluster.apiserver.storage;
  const decode = storage.decode.bind(storage);
  const decodeText = storage.decodeText.bind(storage);
  let decoded = 0;
  storage.decode = (resource, kv) => {
    decoded++;
    return decode(resource, kv);
  };
  storage.decodeText = (resource, kv) => {
    decoded++;
    return decodeText(resource, kv);
  };
  try {
    const { res, received } = await slowGet(PATH);
    await readUntil(res, received, 2 ** 20);
    res.destroy();
    // Another whole list, at full speed. A server that went on encoding the first one
    // for nobody would decode it to the end meanwhile: nearly twice the pods.
    const again = await fetch(`${cluster.url}${PATH}`);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { items: Pod[] }).items.length).toBe(PODS);
    expect(decoded, "objects decoded for both lists").toBeGreaterThanOrEqual(PODS);
    expect(decoded - PODS, "objects decoded for the list the client left after 1 MiB").toBeLessThan(PODS / 2);
    expect((await api("GET", "/version")).status).toBe(200);
  } finally {
    storage.decode = decode;
    storage.decodeText = decodeText;
  }
}, 120_000);

it("03 chapter > a list's items are the objects a get returns, whatever the order of the fields sent", async () => {
  expect((await api("POST", "/api/v1/namespaces", { metadata: { name: "shapes" } })).status).toBe(201);
  const spec = { containers: [{ name: "c", image: "busybox" }] };
  const bodies = [
    { apiVersion: "v1", kind: "Pod", metadata: { name: "usual" }, spec },
    { metadata: { name: "metadata-first", labels: { a: "b" } }, kind: "Pod", apiVersion: "v1", spec },
    { spec, apiVersion: "v1", kind: "Pod", metadata: { name: "spec-first" } },
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "quoted", annotations: { note: '"resourceVersion":"1" \\ "metadata":{' } },
      spec,
    },
  ];
  for (const body of bodies) expect((await api("POST", "/api/v1/namespaces/shapes/pods", body)).status).toBe(201);
  const list = await api<{ items: Pod[] }>("GET", "/api/v1/namespaces/shapes/pods");
  expect(list.body.items.map((p) => p.metadata?.name).sort()).toEqual(bodies.map((b) => b.metadata.name).sort());
  for (const item of list.body.items) {
    const one = await api<Pod>("GET", `/api/v1/namespaces/shapes/pods/${item.metadata?.name}`);
    expect(item).toEqual(one.body);
    expect(Number(item.metadata?.resourceVersion)).toBeGreaterThan(0);
  }
});
