/**
 * Chapter 03, given code: protobuf request bodies (http/protobuf.ts). The
 * real kubectl sends `create namespace` as protobuf; a hand-made body of the
 * same shape creates a namespace; and bad bodies (cut off, another envelope,
 * unknown fields, random bytes) each get a 4xx Status while the server lives.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startCluster, type TestCluster } from "./harness/cluster.ts";
import { http } from "./harness/http.ts";
import { kubectlAvailable, kubectlFor } from "./harness/kubectl.ts";
import { seededRandom } from "./harness/random.ts";

let cluster: TestCluster;
let api: ReturnType<typeof http>;

beforeAll(async () => {
  cluster = await startCluster();
  api = http(cluster.url);
});
afterAll(async () => {
  await cluster?.close();
});

// A tiny protobuf encoder: enough to build test bodies by hand.
const varint = (n: number): number[] => {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
};
const bytesField = (field: number, value: Uint8Array | string): number[] => {
  const b = typeof value === "string" ? Buffer.from(value) : Buffer.from(value);
  return [...varint((field << 3) | 2), ...varint(b.length), ...b];
};
const message = (...fields: number[][]): Uint8Array => Uint8Array.from(fields.flat());

/** "k8s\0" + runtime.Unknown { typeMeta, raw }. */
function envelope(apiVersion: string, kind: string, raw: Uint8Array): Buffer {
  const typeMeta = message(bytesField(1, apiVersion), bytesField(2, kind));
  return Buffer.concat([Buffer.from("k8s\0", "latin1"), message(bytesField(1, typeMeta), bytesField(2, raw))]);
}
const namespaceBody = (name: string) =>
  envelope(
    "v1",
    "Namespace",
    message(bytesField(1, message(bytesField(1, name), bytesField(5, ""))), bytesField(2, message()), bytesField(3, message())),
  );

const post = (body: Buffer) =>
  fetch(`${cluster.url}/api/v1/namespaces`, {
    method: "POST",
    headers: { "Content-Type": "application/vnd.kubernetes.protobuf" },
    body,
  });

it("03 chapter > a protobuf Namespace (k8s envelope) is created and answered in JSON", async () => {
  const res = await post(namespaceBody("from-protobuf"));
  expect(res.status).toBe(201);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  expect(await res.json()).toMatchObject({ kind: "Namespace", metadata: { name: "from-protobuf" }, status: { phase: "Active" } });
  // A kind without a protobuf message (pods, here) is a 415, as for custom resources in Kubernetes.
  const pod = await fetch(`${cluster.url}/api/v1/namespaces/default/pods`, {
    method: "POST",
    headers: { "Content-Type": "application/vnd.kubernetes.protobuf" },
    body: envelope("v1", "Pod", message()),
  });
  expect(pod.status).toBe(415);
  // The envelope must hold the kind of the URL.
  const wrongKind = await post(envelope("v1", "ConfigMap", message()));
  expect(wrongKind.status).toBe(400);
});

it.skipIf(!kubectlAvailable())("03 chapter > the real kubectl's create namespace (protobuf) works", async () => {
  const kubectl = await kubectlFor(cluster.url);
  try {
    expect(await kubectl.ok(["create", "namespace", "made-by-kubectl"])).toContain("namespace/made-by-kubectl created");
    expect((await api("GET", "/api/v1/namespaces/made-by-kubectl")).status).toBe(200);
  } finally {
    await kubectl.cleanup();
  }
});

it("03 chapter > bad protobuf bodies get a 4xx Status, never a 500, and the server lives", async () => {
  const good = namespaceBody("fuzzed");
  const bad: Buffer[] = [];
  for (let cut = 0; cut < good.length; cut++) bad.push(good.subarray(0, cut)); // cut off anywhere
  bad.push(Buffer.concat([Buffer.from("k9s\0"), good.subarray(4)])); // another envelope
  bad.push(envelope("v1", "Pod", message())); // a kind we do not read as protobuf
  bad.push(envelope("v1", "Namespace", message(bytesField(99, "x")))); // an unknown field
  bad.push(envelope("v1", "Namespace", message([0x08, 0x01]))); // metadata as a varint: wrong wire type
  bad.push(envelope("v1", "Namespace", message([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]))); // a length past the end
  bad.push(
    Buffer.concat([Buffer.from("k8s\0"), Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80])]),
  ); // an endless varint
  const next = seededRandom(Number(process.env.FUZZ_SEED ?? 20261129));
  for (let i = 0; i < 300; i++) {
    const b = Buffer.from(good);
    for (let flips = 1 + Math.floor(next() * 3); flips > 0; flips--)
      b[4 + Math.floor(next() * (b.length - 4))] = Math.floor(next() * 256);
    bad.push(b);
  }
  let rejected = 0;
  for (const body of bad) {
    const res = await post(body);
    const text = await res.text();
    expect(res.status, `${body.toString("hex")} -> ${res.status} ${text}`).toBeLessThan(500);
    if (res.status >= 400) {
      rejected++;
      expect(JSON.parse(text), body.toString("hex")).toMatchObject({ kind: "Status", status: "Failure" });
    } else await api("DELETE", `/api/v1/namespaces/${(JSON.parse(text) as { metadata: { name: string } }).metadata.name}`);
  }
  // Every hand-made bad body is refused; a random byte flip may still be a valid namespace.
  expect(rejected).toBeGreaterThanOrEqual(good.length + 6);
  expect((await api("GET", "/version")).status).toBe(200);
});
