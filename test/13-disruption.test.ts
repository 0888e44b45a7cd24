/**
 * Voluntary disruptions on a real Docker engine, driven by the real
 * kubectl: `kubectl drain` evicts the pods of a node through pods/eviction
 * (a protobuf body), a PodDisruptionBudget lets one pod go at a time, and
 * the Deployment's pods move to the other nodes. A sampler reads the ready
 * pods all through the drain: their number never drops below minAvailable.
 * Then bad Eviction bodies: each is a 4xx, and the server stays up.
 */
import { request as httpRequest } from "node:http";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { List, Pod } from "../shared/api/index.ts";
import type { PodDisruptionBudget } from "../shared/api/policy.ts";
import { adminHeaders, startCluster, type TestCluster } from "./harness/cluster.ts";
import { dockerTest } from "./harness/docker.ts";
import { http } from "./harness/http.ts";
import { kubectlAsAdmin, type AdminKubectl } from "./harness/admin-kubectl.ts";
import { kubectlAvailable } from "./harness/kubectl.ts";
import { waitFor } from "./harness/wait.ts";
import { seededRandom } from "./harness/random.ts";
import { FAST_KUBELET } from "./harness/tuning.ts";

const d = dockerTest();
let cluster: TestCluster;
let api: ReturnType<typeof http>;
let auth: Record<string, string>;
let kube: AdminKubectl;

const kubectl = (...args: string[]) => kube.run(...args);
const ok = (...args: string[]) => kube.ok(...args);

async function pods(app: string): Promise<Pod[]> {
  const list = await api<List<Pod>>("GET", `/api/v1/namespaces/default/pods?labelSelector=app%3D${app}`, undefined, auth);
  return list.body.items;
}

async function budget(name: string): Promise<PodDisruptionBudget> {
  return (
    await api<PodDisruptionBudget>("GET", `/apis/policy/v1/namespaces/default/poddisruptionbudgets/${name}`, undefined, auth)
  ).body;
}

/** Healthy as the budget counts it: Ready and not being deleted. */
const healthy = (p: Pod) =>
  !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;

const manifest = (app: string, replicas: number, minAvailable: number) => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${app} }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: ${app} } }
  template:
    metadata: { labels: { app: ${app} } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - { name: app, image: busybox:latest, command: [sleep, "3600"] }
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: ${app} }
spec:
  minAvailable: ${minAvailable}
  selector: { matchLabels: { app: ${app} } }
`;

/** POSTs raw bytes to a pod's eviction subresource. */
function postEviction(pod: string, body: Buffer, contentType: string): Promise<{ code: number; body: string }> {
  return new Promise((done, fail) => {
    const url = new URL(`/api/v1/namespaces/default/pods/${pod}/eviction`, cluster.url);
    const req = httpRequest(
      url,
      { method: "POST", headers: { ...auth, "content-type": contentType, "content-length": body.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => done({ code: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    req.on("error", fail);
    req.end(body);
  });
}

describe.skipIf(!d.available || !kubectlAvailable())("13 chapter > disruptions", () => {
  beforeAll(async () => {
    cluster = await startCluster({ chapter: "13", nodes: 3, kubelet: FAST_KUBELET, docker: d });
    api = http(cluster.url);
    auth = adminHeaders(cluster);
    kube = await kubectlAsAdmin(cluster, { prefix: "k8s-13-disruption-", timeoutMs: 240_000 });
  }, 120_000);
  afterAll(async () => {
    await kube?.cleanup();
    await cluster?.close();
    await d.cleanup();
  });

  it("kubectl drain evicts one pod at a time; the pods move and the budget is never broken", async () => {
    // All three pods on node-1: the other nodes are cordoned while the Deployment comes up.
    await ok("cordon", "node-2");
    await ok("cordon", "node-3");
    await writeFile(join(kube.dir, "web.yaml"), manifest("web", 3, 2));
    await ok("apply", "-f", join(kube.dir, "web.yaml"));
    await waitFor(
      "3 Ready pods of web on node-1",
      async () => {
        const ps = await pods("web");
        const summary = ps.map((p) => `${p.metadata?.name}@${p.spec?.nodeName ?? "-"}${healthy(p) ? " ready" : ""}`).join(", ");
        if (ps.length === 3 && ps.every((p) => healthy(p) && p.spec?.nodeName === "node-1")) return true;
        throw new Error(summary || "no pods");
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    await waitFor(
      "the disruption controller to allow 1 disruption of budget web (3 healthy, 2 desired)",
      async () => {
        const s = (await budget("web")).status;
        if (s?.disruptionsAllowed === 1 && s.currentHealthy === 3 && s.desiredHealthy === 2 && s.expectedPods === 3) return true;
        throw new Error(JSON.stringify(s));
      },
      { timeoutMs: 20_000 },
    );
    expect(await ok("get", "pdb", "web")).toMatch(/web\s+2\s+N\/A\s+1\s/);
    await ok("uncordon", "node-2");
    await ok("uncordon", "node-3");

    // Sample the healthy pods while the drain runs.
    let sampling = true;
    let lowest = Infinity;
    let samples = 0;
    const sampler = (async () => {
      while (sampling) {
        const n = (await pods("web")).filter(healthy).length;
        lowest = Math.min(lowest, n);
        samples++;
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const drain = await kubectl("drain", "node-1", "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=200s");
    sampling = false;
    await sampler;

    expect(drain.code, `kubectl drain exited ${drain.code}: ${drain.stderr}`).toBe(0);
    expect(drain.stdout).toContain("node/node-1 drained");
    expect(samples).toBeGreaterThan(10);
    expect(lowest, `the fewest healthy pods seen during the drain (${samples} samples)`).toBeGreaterThanOrEqual(2);
    // At least one eviction had to wait for the budget: kubectl printed Kubernetes' 429 message and retried.
    expect(drain.stderr).toContain("Cannot evict pod as it would violate the pod's disruption budget.");

    const node = await api<{ spec?: { unschedulable?: boolean } }>("GET", "/api/v1/nodes/node-1", undefined, auth);
    expect(node.body.spec?.unschedulable).toBe(true);
    await waitFor(
      "3 Ready pods of web, none on node-1",
      async () => {
        const ps = await pods("web");
        if (ps.length === 3 && ps.every((p) => healthy(p) && p.spec?.nodeName !== "node-1")) return true;
        throw new Error(ps.map((p) => `${p.metadata?.name}@${p.spec?.nodeName}`).join(", "));
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
  }, 300_000);

  it("an eviction that would break the budget is 429 with Kubernetes' message; a bad Eviction body is a 4xx", async () => {
    await writeFile(join(kube.dir, "solo.yaml"), manifest("solo", 1, 1));
    await ok("apply", "-f", join(kube.dir, "solo.yaml"));
    const [pod] = await waitFor(
      "1 Ready pod of solo and its budget counted",
      async () => {
        const ps = (await pods("solo")).filter(healthy);
        const s = (await budget("solo")).status;
        if (ps.length === 1 && s?.currentHealthy === 1 && s.desiredHealthy === 1) return ps;
        throw new Error(`${ps.length} ready pods, budget status ${JSON.stringify(s)}`);
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    const name = pod!.metadata!.name!;
    const json = (o: unknown) => Buffer.from(JSON.stringify(o));
    const refused = await postEviction(
      name,
      json({ apiVersion: "policy/v1", kind: "Eviction", metadata: { name, namespace: "default" } }),
      "application/json",
    );
    expect(refused.code).toBe(429);
    const status = JSON.parse(refused.body) as {
      reason?: string;
      message?: string;
      details?: { causes?: { reason?: string; message?: string }[] };
    };
    expect(status.reason).toBe("TooManyRequests");
    expect(status.message).toBe("Cannot evict pod as it would violate the pod's disruption budget.");
    expect(status.details?.causes?.[0]).toEqual({
      reason: "DisruptionBudget",
      message: "The disruption budget solo needs 1 healthy pods and has 1 currently",
    });

    // Bad bodies: wrong name, wrong kind, not JSON, truncated and random protobuf, a protobuf of another kind.
    const pb = (kind: string, raw: Buffer) => {
      const tm = Buffer.concat([field(1, Buffer.from("policy/v1")), field(2, Buffer.from(kind))]);
      return Buffer.concat([Buffer.from("k8s\0", "binary"), field(1, tm), field(2, raw)]);
    };
    const good = pb("Eviction", field(1, field(1, Buffer.from(name))));
    const cases: [string, Buffer, string][] = [
      [
        "another pod's name",
        json({ apiVersion: "policy/v1", kind: "Eviction", metadata: { name: "other" } }),
        "application/json",
      ],
      ["a Pod instead of an Eviction", json({ apiVersion: "v1", kind: "Pod", metadata: { name } }), "application/json"],
      [
        "a negative grace period",
        json({ apiVersion: "policy/v1", kind: "Eviction", metadata: { name }, deleteOptions: { gracePeriodSeconds: -5 } }),
        "application/json",
      ],
      [
        "deleteOptions that are a string",
        json({ apiVersion: "policy/v1", kind: "Eviction", metadata: { name }, deleteOptions: "now" }),
        "application/json",
      ],
      ["not JSON", Buffer.from("{ evict"), "application/json"],
      ["an empty body", Buffer.alloc(0), "application/json"],
      ["a protobuf body cut in half", good.subarray(0, good.length - 3), "application/vnd.kubernetes.protobuf"],
      ["a protobuf Namespace", pb("Namespace", field(1, field(1, Buffer.from(name)))), "application/vnd.kubernetes.protobuf"],
      ["protobuf without the envelope", field(1, field(1, Buffer.from(name))), "application/vnd.kubernetes.protobuf"],
      ["text/plain", Buffer.from("evict"), "text/plain"],
    ];
    const random = seededRandom(13);
    const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
    for (let i = 0; i < 40; i++)
      cases.push([`random protobuf #${i}`, pb("Eviction", bytes(1 + (i % 24))), "application/vnd.kubernetes.protobuf"]);
    for (const [what, body, type] of cases) {
      const r = await postEviction(name, body, type);
      expect(r.code >= 400 && r.code < 500, `${what}: answered ${r.code} ${r.body.slice(0, 200)}`).toBe(true);
      expect(JSON.parse(r.body).kind, `${what}: the answer is a Status`).toBe("Status");
    }
    // The pod is still there and the server still answers; the well-formed protobuf Eviction is refused by the budget.
    expect((await postEviction(name, good, "application/vnd.kubernetes.protobuf")).code).toBe(429);
    expect((await pods("solo")).filter(healthy).map((p) => p.metadata?.name)).toEqual([name]);
  }, 120_000);
});

/** A length-delimited protobuf field (wire type 2). */
function field(number: number, value: Buffer): Buffer {
  const varint = (n: number) => {
    const out: number[] = [];
    while (n >= 0x80) {
      out.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    out.push(n);
    return Buffer.from(out);
  };
  return Buffer.concat([varint((number << 3) | 2), varint(value.length), value]);
}
