/**
 * Chapter 13, given code: Deployment and ReplicaSet bodies in protobuf
 * (apiserver/protobuf.ts). The real kubectl's `create deployment` sends
 * protobuf; the Deployment it makes rolls out (hollow nodes: no Docker).
 * Bad bodies (cut off, flipped bytes, fields we do not read) get a 4xx
 * Status, never a 500, and nothing is dropped without a word.
 */
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Deployment } from "../shared/api/apps.ts";
import type { PodDisruptionBudget } from "../shared/api/policy.ts";
import { adminHeaders, startCluster, type TestCluster } from "./harness/cluster.ts";
import { http } from "./harness/http.ts";
import { kubectlAsAdmin, type AdminKubectl } from "./harness/admin-kubectl.ts";
import { kubectlAvailable } from "./harness/kubectl.ts";
import { seededRandom } from "./harness/random.ts";
import { waitFor } from "./harness/wait.ts";

let cluster: TestCluster;
let api: ReturnType<typeof http>;
let auth: Record<string, string>;
let kube: AdminKubectl;
const APPS = "/apis/apps/v1/namespaces/default";

beforeAll(async () => {
  cluster = await startCluster({ chapter: "13", nodes: 1, runtime: "fake" });
  api = http(cluster.url);
  auth = adminHeaders(cluster);
  kube = await kubectlAsAdmin(cluster, { prefix: "k8s-13-protobuf-" });
}, 60_000);
afterAll(async () => {
  await kube?.cleanup();
  await cluster?.close();
});

const kubectl = (...args: string[]) => kube.run(...args);

// A tiny protobuf encoder, enough to build bodies by hand.
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
  const b = Buffer.from(value);
  return [...varint((field << 3) | 2), ...varint(b.length), ...b];
};
const intField = (field: number, n: number): number[] => [...varint(field << 3), ...varint(n)];
const message = (...fields: number[][]): Uint8Array => Uint8Array.from(fields.flat());
function envelope(kind: string, raw: Uint8Array): Buffer {
  const typeMeta = message(bytesField(1, "apps/v1"), bytesField(2, kind));
  return Buffer.concat([Buffer.from("k8s\0", "latin1"), message(bytesField(1, typeMeta), bytesField(2, raw))]);
}
const labels = message(bytesField(11, message(bytesField(1, "app"), bytesField(2, "hand"))));
/** A Deployment as kubectl writes it; `container` and `strategy` are the parts the tests change. */
function deploymentBody(name: string, replicas: number, container: number[][], strategy: Uint8Array = message()): Buffer {
  const template = message(bytesField(1, labels), bytesField(2, message(bytesField(2, message(...container)))));
  const spec = message(
    intField(1, replicas),
    bytesField(2, message(bytesField(1, message(bytesField(1, "app"), bytesField(2, "hand"))))),
    bytesField(3, template),
    bytesField(4, strategy),
  );
  return envelope(
    "Deployment",
    message(bytesField(1, message(bytesField(1, name))), bytesField(2, spec), bytesField(3, message())),
  );
}
const busybox = [bytesField(1, "c"), bytesField(2, "busybox"), bytesField(8, message())];

const post = (body: Buffer) =>
  fetch(`${cluster.url}${APPS}/deployments`, {
    method: "POST",
    headers: { "Content-Type": "application/vnd.kubernetes.protobuf", ...auth },
    body,
  });

it.skipIf(!kubectlAvailable())(
  "13 chapter > the real kubectl's create deployment (protobuf) makes a Deployment and its ReplicaSet",
  async () => {
    const created = await kubectl("create", "deployment", "made-by-kubectl", "--image=busybox", "--replicas=2");
    expect(created.stderr).toBe("");
    expect(created.stdout).toContain("deployment.apps/made-by-kubectl created");
    const dep = (await api<Deployment>("GET", `${APPS}/deployments/made-by-kubectl`, undefined, auth)).body;
    expect(dep.spec).toMatchObject({ replicas: 2, selector: { matchLabels: { app: "made-by-kubectl" } } });
    expect(dep.spec?.template?.spec?.containers).toMatchObject([{ name: "busybox", image: "busybox" }]);
    // The controller takes it from there: a ReplicaSet of 2 for the new template.
    await waitFor("a ReplicaSet of 2 for made-by-kubectl", async () => {
      const list = await api<{ items: Array<{ spec?: { replicas?: number } }> }>(
        "GET",
        `${APPS}/replicasets?labelSelector=app%3Dmade-by-kubectl`,
        undefined,
        auth,
      );
      if (list.body.items.length === 1 && list.body.items[0]?.spec?.replicas === 2) return true;
      throw new Error(JSON.stringify(list.body.items.map((rs) => rs.spec?.replicas)));
    });
    // replicas is a pointer in Go: 0 is written and means 0, not "use the default 1".
    expect((await kubectl("create", "deployment", "none", "--image=busybox", "--replicas=0")).code).toBe(0);
    expect((await api<Deployment>("GET", `${APPS}/deployments/none`, undefined, auth)).body.spec?.replicas).toBe(0);
    await waitFor("deployment none observed with 0 replicas", async () => {
      const d = (await api<Deployment>("GET", `${APPS}/deployments/none`, undefined, auth)).body;
      if ((d.status?.observedGeneration ?? 0) >= 1 && (d.status?.replicas ?? 0) === 0) return d;
      throw new Error(JSON.stringify(d.status));
    });
  },
  120_000,
);

it.skipIf(!kubectlAvailable())(
  "13 chapter > the real kubectl's create pdb (protobuf) keeps minAvailable as a number and maxUnavailable as a percentage",
  async () => {
    const POLICY = "/apis/policy/v1/namespaces/default/poddisruptionbudgets";
    const min = await kubectl("create", "poddisruptionbudget", "web-min", "--selector=app=web", "--min-available=2");
    expect(min.stderr).toBe("");
    expect(min.stdout).toContain("poddisruptionbudget.policy/web-min created");
    const max = await kubectl("create", "pdb", "web-max", "--selector=app=web", "--max-unavailable=50%");
    expect(max.stderr).toBe("");
    // IntOrString in protobuf is { type, intVal, strVal }; JSON has the number or the string itself.
    const byMin = (await api<PodDisruptionBudget>("GET", `${POLICY}/web-min`, undefined, auth)).body;
    expect(byMin.spec).toEqual({ minAvailable: 2, selector: { matchLabels: { app: "web" } } });
    const byMax = (await api<PodDisruptionBudget>("GET", `${POLICY}/web-max`, undefined, auth)).body;
    expect(byMax.spec).toEqual({ maxUnavailable: "50%", selector: { matchLabels: { app: "web" } } });
    // The same objects through kubectl: JSON out, the fields as they went in.
    const got = await kubectl("get", "pdb", "web-min", "web-max", "-o", "json");
    expect(got.stderr).toBe("");
    const items = (JSON.parse(got.stdout) as { items: PodDisruptionBudget[] }).items;
    expect(items.map((p) => [p.metadata?.name, p.spec?.minAvailable, p.spec?.maxUnavailable])).toEqual([
      ["web-min", 2, undefined],
      ["web-max", undefined, "50%"],
    ]);
  },
  60_000,
);

// The decoding is given code (apiserver/protobuf.ts); the ReplicaSet needs the whole
// controller (13.1 to 13.4), so this is a test of the chapter, not of step 13.1.
it("13 chapter > a hand-made protobuf Deployment keeps maxSurge as a number or a percentage, and its resources, and rolls out", async () => {
  const intOrString = (v: number | string) =>
    typeof v === "number" ? message(intField(1, 0), intField(2, v)) : message(intField(1, 1), bytesField(3, v));
  const strategy = message(
    bytesField(1, "RollingUpdate"),
    bytesField(2, message(bytesField(1, intOrString(0)), bytesField(2, intOrString("50%")))),
  );
  const limits = message(bytesField(1, message(bytesField(1, "memory"), bytesField(2, message(bytesField(1, "64Mi"))))));
  const res = await post(deploymentBody("hand", 1, [...busybox.slice(0, 2), bytesField(8, limits)], strategy));
  const text = await res.text();
  expect(res.status, text).toBe(201);
  const dep = JSON.parse(text) as Deployment;
  expect(dep.spec?.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "50%" } });
  expect(dep.spec?.template?.spec?.containers[0]?.resources).toEqual({ limits: { memory: "64Mi" } });
  // The apiserver defaults it like a JSON body, and the controller's sync loop makes its ReplicaSet.
  await waitFor("a ReplicaSet for the protobuf Deployment", async () => {
    const list = await api<{ items: unknown[] }>("GET", `${APPS}/replicasets?labelSelector=app%3Dhand`, undefined, auth);
    if (list.body.items.length === 1) return true;
    throw new Error(`${list.body.items.length} ReplicaSets`);
  });
});

it("13 chapter > bad protobuf Deployment bodies get a 4xx Status, never a 500; unknown fields are named, not dropped", async () => {
  const good = deploymentBody("fuzzed", 1, busybox);
  // A field we do not read (a liveness probe, field 10 of Container) is refused and named.
  const probe = await post(deploymentBody("probe", 1, [...busybox, bytesField(10, message())]));
  expect(probe.status).toBe(400);
  expect(await probe.text()).toContain("Deployment.spec.template.spec.containers: unknown field number 10");
  const bad: Buffer[] = [];
  for (let cut = 4; cut < good.length; cut += 3) bad.push(good.subarray(0, cut));
  bad.push(envelope("ReplicaSet", message())); // the kind of another URL
  const next = seededRandom(Number(process.env.FUZZ_SEED ?? 20261129));
  for (let i = 0; i < 200; i++) {
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
    } else {
      const name = (JSON.parse(text) as Deployment).metadata?.name;
      await api("DELETE", `${APPS}/deployments/${name}`, undefined, auth);
    }
  }
  expect(rejected).toBeGreaterThanOrEqual(Math.floor((good.length - 4) / 3) + 1);
  expect((await api("GET", "/version", undefined, auth)).status).toBe(200);
});
