/**
 * Chapter 03: bad input never breaks the apiserver. A seeded generator sends
 * a few thousand malformed requests; every answer must be a 4xx Status in
 * JSON (never a 500, never a hang, never HTML), and afterwards the server
 * still serves a normal request.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startCluster, type TestCluster } from "./harness/cluster.ts";
import { seededRandom } from "./harness/random.ts";

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startCluster();
  await fetch(`${cluster.url}/api/v1/namespaces/default/pods`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ metadata: { name: "target" }, spec: { containers: [{ name: "c", image: "busybox" }] } }),
  });
});
afterAll(async () => {
  await cluster?.close();
});

/** A seeded random source, so a failure can be replayed. */
function rng(seed: number) {
  const next = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  return { next, pick, int: (n: number) => Math.floor(next() * n) };
}

const SEED = Number(process.env.FUZZ_SEED ?? 20240503);
const COUNT = 2500;

const PATHS = [
  "/api/v1/namespaces/default/pods",
  "/api/v1/namespaces/default/pods/target",
  "/api/v1/namespaces/default/pods/target/status",
  "/api/v1/namespaces/default/pods/target/binding",
  "/api/v1/namespaces/default/pods/target/nosuchsub",
  "/api/v1/nodes",
  "/api/v1/nodes/missing",
  "/api/v1/namespaces",
  "/api/v1/namespaces/zz-missing/pods",
  "/api/v1/pods",
  "/api/v2/pods",
  "/apis/apps/v1/namespaces/default/deployments",
  "/api/v1/namespaces/default/pods/a/b/c/d",
  "/api/v1/namespaces/default/widgets",
  "/api/v1/namespaces/%ZZ/pods",
  "/api/v1/namespaces/default/pods/..",
  "/openapi/v3/apis/none/v9",
  "/apis/none",
  "/nothing",
];

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

const CONTENT_TYPES = [
  "application/json",
  "application/yaml",
  "application/merge-patch+json",
  "application/json-patch+json",
  "application/strategic-merge-patch+json",
  "application/apply-patch+yaml",
  "text/plain",
  "application/vnd.kubernetes.protobuf",
  "",
];

const QUERIES = [
  "",
  "?watch=maybe",
  "?resourceVersion=abc",
  "?limit=-5",
  "?limit=ten",
  "?timeoutSeconds=x",
  "?gracePeriodSeconds=soon",
  "?fieldValidation=Loose",
  "?dryRun=Sometimes",
  "?includeObject=Everything",
  "?propagationPolicy=Sideways",
  "?allowWatchBookmarks=perhaps",
  "?resourceVersionMatch=Whatever",
];

function badBody(r: ReturnType<typeof rng>): string {
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "target" },
    spec: { containers: [{ name: "c", image: "busybox" }] },
  };
  const variants: (() => string)[] = [
    () => "{",
    () => '{"metadata": ',
    () => "null",
    () => "[]",
    () => "42",
    () => '"a string"',
    () => "",
    () => ":\n- [",
    () => "{}".repeat(3),
    () => JSON.stringify({ ...pod, metadata: "x" }),
    () => JSON.stringify({ ...pod, metadata: { name: 7 } }),
    () => JSON.stringify({ ...pod, metadata: { name: "UPPER_case" } }),
    () => JSON.stringify({ ...pod, metadata: { name: "x".repeat(300) } }),
    () => JSON.stringify({ ...pod, metadata: { name: "ok", labels: { "bad key!": "v" } } }),
    () => JSON.stringify({ ...pod, metadata: { name: "ok", labels: { a: 5 } } }),
    () => JSON.stringify({ ...pod, spec: null }),
    () => JSON.stringify({ ...pod, spec: { containers: [{ name: 5 }] } }),
    () => JSON.stringify({ ...pod, spec: { containers: [{}] } }),
    () => JSON.stringify({ ...pod, spec: { containers: [{ name: "c", image: "b", ports: [{ containerPort: 99999 }] }] } }),
    () => JSON.stringify({ ...pod, spec: { containers: [{ name: "c", image: "b", ports: [{ containerPort: "http" }] }] } }),
    () => JSON.stringify({ ...pod, kind: "Node" }),
    () => JSON.stringify({ ...pod, apiVersion: "apps/v1" }),
    () => JSON.stringify({ ...pod, metadata: { name: "target", resourceVersion: "1" } }),
    () => JSON.stringify({ ...pod, metadata: { name: "target", resourceVersion: "not-a-number" } }),
    () => JSON.stringify({ ...pod, metadata: { name: "other", namespace: "kube-system" } }),
    () => '{"__proto__": {"polluted": true}, "metadata": {"name": "p"}}',
    () => JSON.stringify([{ op: "explode", path: "/x" }]),
    () => JSON.stringify([{ op: "remove", path: "/no/such/path" }]),
    () => JSON.stringify([{ op: "add", path: "no-slash", value: 1 }]),
    () => JSON.stringify([{ op: "replace", path: "/spec/containers/9/image", value: "x" }]),
    () => JSON.stringify({ spec: { $patch: "explode" } }),
    () => JSON.stringify({ spec: { "$setElementOrder/containers": "nope" } }),
    () => JSON.stringify({ metadata: { "$deleteFromPrimitiveList/finalizers": 3 } }),
    () => JSON.stringify({ spec: { containers: [{ $patch: "delete" }, 5] } }),
    () => JSON.stringify({ gracePeriodSeconds: "later" }),
    () => JSON.stringify({ kind: "Binding", target: { name: 5 } }),
    () => JSON.stringify({ kind: "Binding", target: {} }),
    () => "x".repeat(3 * 1024 * 1024 + 1),
    () => String.fromCharCode(...Array.from({ length: 64 }, () => r.int(256))),
  ];
  return r.pick(variants)();
}

it(
  `03 chapter > errors > answers ${COUNT} malformed requests with 4xx Status objects (seed ${SEED})`,
  { timeout: 120_000 },
  async () => {
    const r = rng(SEED);
    const failures: string[] = [];
    const send = async (i: number) => {
      const method = r.pick(METHODS);
      const path = r.pick(PATHS) + r.pick(QUERIES);
      const contentType = r.pick(CONTENT_TYPES);
      const withBody = method !== "GET" && method !== "OPTIONS" && (method !== "DELETE" || r.next() < 0.5);
      const body = withBody ? badBody(r) : undefined;
      const headers: Record<string, string> = {};
      if (contentType) headers["Content-Type"] = contentType;
      if (r.next() < 0.1)
        headers.Accept = r.pick(["text/html", "application/json;as=Table;v=v1;g=meta.k8s.io", "*/*", "image/png"]);
      const what = `#${i} ${method} ${path} [${contentType}] ${body === undefined ? "" : body.slice(0, 80)}`;
      try {
        const res = await fetch(cluster.url + path, { method, headers, body, signal: AbortSignal.timeout(15_000) });
        const text = await res.text();
        // Some combinations are legitimately fine (GET of a list with a harmless query...): 2xx is allowed, 5xx never.
        if (res.status >= 500) return failures.push(`${what} -> ${res.status} ${text.slice(0, 200)}`);
        if (res.status >= 400) {
          let status: { kind?: string; code?: number; message?: string } | undefined;
          try {
            status = JSON.parse(text);
          } catch {
            status = undefined;
          }
          if (status?.kind !== "Status" || status.code !== res.status || !status.message) {
            failures.push(`${what} -> ${res.status} not a Status: ${text.slice(0, 200)}`);
          }
        }
      } catch (err) {
        failures.push(`${what} -> ${(err as Error).message}`);
      }
      return 0;
    };
    // A few requests at a time: concurrent, but bounded.
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < COUNT) await send(next++);
      }),
    );
    expect(failures.slice(0, 10), `${failures.length} bad answers`).toEqual([]);

    // Still healthy (the fuzzer may well have deleted "target": a DELETE is a valid request), and nothing was polluted.
    const ok = await fetch(`${cluster.url}/api/v1/namespaces/default`);
    expect(ok.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const created = await fetch(`${cluster.url}/api/v1/namespaces/default/pods`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ metadata: { name: "after-fuzz" }, spec: { containers: [{ name: "c", image: "busybox" }] } }),
    });
    expect(created.status).toBe(201);
  },
);
