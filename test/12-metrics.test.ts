/**
 * Resource metrics on a real Docker engine, read by the real kubectl: a
 * busy container (a shell loop that also holds 8 MB) shows CPU and memory
 * in `kubectl top pods`, and its node in `kubectl top nodes`. The metrics
 * API (metrics.k8s.io/v1beta1) is in discovery, answers get and list with a
 * timestamp and a window, and refuses what it does not serve.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Pod } from "../shared/api/index.ts";
import { adminHeaders, startCluster, type TestCluster } from "./harness/cluster.ts";
import { dockerTest } from "./harness/docker.ts";
import { http } from "./harness/http.ts";
import { kubectlAsAdmin, type AdminKubectl } from "./harness/admin-kubectl.ts";
import { kubectlAvailable } from "./harness/kubectl.ts";
import { giveUp, waitFor } from "./harness/wait.ts";
import { FAST_KUBELET } from "./harness/tuning.ts";

const d = dockerTest();
let cluster: TestCluster;
let api: ReturnType<typeof http>;
let auth: Record<string, string>;
let kube: AdminKubectl;

const kubectl = (...args: string[]) => kube.run(...args);
const ok = (...args: string[]) => kube.ok(...args);

/** The rows of `kubectl top ...` as name -> columns ("250m", "9Mi", ...). */
function rows(out: string): Map<string, string[]> {
  const lines = out.trim().split("\n").slice(1);
  return new Map(lines.map((l) => l.trim().split(/\s+/)).map(([name, ...cols]) => [name!, cols]));
}
const millicores = (q: string) => (q.endsWith("m") ? Number(q.slice(0, -1)) : Number(q) * 1000);
const mebibytes = (q: string) => Number(q.replace(/Mi$/, ""));

const PODS = `
apiVersion: v1
kind: Pod
metadata: { name: busy, labels: { app: busy } }
spec:
  nodeName: node-2
  terminationGracePeriodSeconds: 0
  containers:
    - name: loop
      image: busybox:latest
      command: [sh, -c, 'x=$(head -c 8000000 /dev/zero | tr "\\0" a); while true; do :; done']
---
apiVersion: v1
kind: Pod
metadata: { name: idle, labels: { app: idle } }
spec:
  nodeName: node-1
  terminationGracePeriodSeconds: 0
  containers:
    - { name: sleep, image: busybox:latest, command: [sleep, "3600"] }
`;

let running: Promise<unknown> | undefined;
/** The pods busy and idle, Running. Each test waits for them itself, so a failure is the test's, not the suite's. */
function podsRunning(): Promise<unknown> {
  running ??= (async () => {
    await writeFile(join(kube.dir, "pods.yaml"), PODS);
    await ok("apply", "-f", join(kube.dir, "pods.yaml"));
    await waitFor(
      "pods busy and idle Running",
      async () => {
        for (const name of ["busy", "idle"]) {
          const pod = (await api<Pod>("GET", `/api/v1/namespaces/default/pods/${name}`, undefined, auth)).body;
          if (pod.status?.phase !== "Running") throw new Error(`${name} is ${pod.status?.phase}`);
        }
        return true;
      },
      { timeoutMs: 60_000 },
    );
  })();
  return running;
}

describe.skipIf(!d.available || !kubectlAvailable())("12 chapter > metrics", () => {
  beforeAll(async () => {
    cluster = await startCluster({ chapter: "12", nodes: 2, kubelet: FAST_KUBELET, metricsResolutionMs: 1_000, docker: d });
    api = http(cluster.url);
    auth = adminHeaders(cluster);
    kube = await kubectlAsAdmin(cluster, { prefix: "k8s-12-metrics-" });
  }, 120_000);
  afterAll(async () => {
    await kube?.cleanup();
    await cluster?.close();
    await d.cleanup();
  });

  it("kubectl top pods shows CPU and memory of a busy container", async () => {
    await podsRunning();
    const busy = await waitFor(
      "kubectl top pods to show the busy pod using CPU (> 10m) and its 8 MB (7.6 MiB: at least 7Mi)",
      async () => {
        const r = await kubectl("top", "pods");
        if (r.code !== 0) throw new Error(r.stderr.trim());
        const row = rows(r.stdout).get("busy");
        if (row && millicores(row[0]!) > 10 && mebibytes(row[1]!) >= 7) return row;
        throw new Error(r.stdout.trim());
      },
      { timeoutMs: 30_000, intervalMs: 1_000 },
    );
    const idle = rows(await ok("top", "pods")).get("idle");
    expect(idle, "kubectl top pods lists the idle pod too").toBeDefined();
    expect(millicores(idle![0]!), "the idle pod uses less CPU than the busy one").toBeLessThan(millicores(busy[0]!));
    const containers = await ok("top", "pod", "busy", "--containers");
    expect(containers).toMatch(/busy\s+loop\s+\d+m\s+\d+Mi/);
  });

  it("kubectl top nodes shows the busy pod's node using CPU and memory", async () => {
    await podsRunning();
    await waitFor(
      "kubectl top nodes to show node-2 using CPU (> 10m) and memory (at least 7Mi: the 8 MB its pod holds), and node-1 measured",
      async () => {
        const r = await kubectl("top", "nodes");
        if (r.code !== 0) throw new Error(r.stderr.trim());
        const table = rows(r.stdout);
        const busy = table.get("node-2");
        if (busy && millicores(busy[0]!) > 10 && mebibytes(busy[2]!) >= 7 && table.get("node-1")?.[0]?.endsWith("m")) return true;
        throw new Error(r.stdout.trim());
      },
      { timeoutMs: 30_000, intervalMs: 1_000 },
    );
  });

  it("metrics.k8s.io/v1beta1 is discoverable and answers get and list with a timestamp and a window", async () => {
    await podsRunning();
    const groups = await api<{ groups: { name: string; preferredVersion: { groupVersion: string } }[] }>(
      "GET",
      "/apis",
      undefined,
      auth,
    );
    expect(groups.body.groups.find((g) => g.name === "metrics.k8s.io")?.preferredVersion.groupVersion).toBe(
      "metrics.k8s.io/v1beta1",
    );

    const node = await api<{ kind: string; timestamp: string; window: string; usage: { cpu: string; memory: string } }>(
      "GET",
      "/apis/metrics.k8s.io/v1beta1/nodes/node-2",
      undefined,
      auth,
    );
    expect(node.status).toBe(200);
    expect(node.body.kind).toBe("NodeMetrics");
    expect(Date.parse(node.body.timestamp)).toBeGreaterThan(Date.now() - 60_000);
    expect(node.body.window).toMatch(/^\d+(\.\d+)?s$/);
    expect(node.body.usage.cpu).toMatch(/^\d+n$/);
    expect(node.body.usage.memory).toMatch(/^\d+Ki$/);

    const list = await api<{ kind: string; items: { metadata: { name: string }; containers: { name: string }[] }[] }>(
      "GET",
      "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app%3Dbusy",
      undefined,
      auth,
    );
    expect(list.body.kind).toBe("PodMetricsList");
    // The pause container is not a container of the pod.
    expect(list.body.items.map((p) => [p.metadata.name, p.containers.map((c) => c.name)])).toEqual([["busy", ["loop"]]]);

    const missing = await api<{ reason: string }>(
      "GET",
      "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope",
      undefined,
      auth,
    );
    expect([missing.status, missing.body.reason]).toEqual([404, "NotFound"]);
    const write = await api("POST", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods", { metadata: { name: "x" } }, auth);
    expect(write.status).toBe(405);
  });

  it("deleting a namespace still deletes its pods gracefully (the metrics pods resource is not in the store)", async () => {
    await ok("create", "namespace", "gone");
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "slow", namespace: "gone" },
      spec: {
        nodeName: "node-1",
        terminationGracePeriodSeconds: 5,
        containers: [{ name: "sleep", image: "busybox:latest", command: ["sleep", "3600"] }],
      },
    };
    expect((await api("POST", "/api/v1/namespaces/gone/pods", pod, auth)).status).toBe(201);
    await ok("delete", "namespace", "gone", "--wait=false");
    // metrics.k8s.io pods and core pods share a store prefix: a cleaner that walked the metrics
    // resource too would remove the pod at once, without its grace period.
    await waitFor(
      "pod gone/slow marked for deletion, and still there during its grace period",
      async () => {
        const r = await api<Pod>("GET", "/api/v1/namespaces/gone/pods/slow", undefined, auth);
        if (r.status === 404) throw giveUp("pod gone/slow was removed at once, without its 5 s grace period");
        return r.body.metadata?.deletionTimestamp !== undefined;
      },
      { timeoutMs: 10_000, intervalMs: 50 },
    );
  });
});
