/**
 * Chapter 14 on a real Docker engine: the cumulative cluster with its DNS
 * server and ingress controller. From a busybox pod, a Service resolves by
 * its short and full names and answers by name; a headless Service gives one
 * address per ready pod; an unknown name is NXDOMAIN. On loopback, the
 * ingress controller routes by host and path, and the real kubectl lists
 * Ingresses with Kubernetes' columns.
 */
import { mkdtemp, rm } from "node:fs/promises";
import nodeHttp from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerRuntime } from "@tree/01-containers/docker-runtime.ts";
import type { Pod } from "../shared/api/index.ts";
import type { Ingress } from "../shared/api/networking.ts";
import type { Endpoints, Service } from "../shared/api/service.ts";
import { startClusterFromTree, type Cluster } from "../shared/cluster/index.ts";
import { connectDocker } from "../shared/docker.ts";
import { dockerTest } from "./harness/docker.ts";
import { http } from "./harness/http.ts";
import { KUBECTL_PATH, kubectlAvailable } from "./harness/kubectl.ts";
import { podHelpers, testPod, type PodHelpers } from "./harness/pods.ts";
import { FAST_KUBELET } from "./harness/tuning.ts";
import { waitFor } from "./harness/wait.ts";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { writeKubeconfig } from "@tree/04-kubectl/kubectl/kubeconfig.ts";

const d = dockerTest();
const runtime = new DockerRuntime(connectDocker());
let cluster: Cluster;
let pods: PodHelpers;
let api: ReturnType<typeof http>;
let auth: Record<string, string>;
let dir: string;
let client: string;

const isReady = (p: Pod) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;

/** A busybox web server that answers `text` at /, /x/ and /y (an ingress passes the path on unchanged). */
function webPod(name: string, labels: Record<string, string>, text = "$(hostname)"): Pod {
  const files = "/tmp/index.html /tmp/x/index.html /tmp/y";
  const script = `mkdir -p /tmp/x; for f in ${files}; do echo "${text}" > $f; done; trap 'exit 0' TERM; httpd -f -p 80 -h /tmp & wait`;
  const pod = testPod(name, [{ name: "httpd", command: ["sh", "-c", script], ports: [{ name: "http", containerPort: 80 }] }], {
    terminationGracePeriodSeconds: 1,
  });
  pod.metadata = { name, labels };
  return pod;
}

async function create<T>(path: string, body: unknown): Promise<T> {
  const res = await api<T>("POST", path, body, auth);
  if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${res.text}`);
  return res.body;
}

async function runningPod(name: string): Promise<Pod> {
  return pods.waitFor(
    name,
    (p) => p.status?.phase === "Running" && isReady(p) && !!p.status.podIP,
    `pod ${name} to be Running and Ready`,
    60_000,
  );
}

/** The running app container of a pod. */
async function containerOf(pod: Pod): Promise<string> {
  const found = (await pods.containers(pod)).find(
    (c) => c.Labels["io.kubernetes.container.name"] !== "POD" && c.State === "running",
  );
  if (!found) throw new Error(`pod ${pod.metadata?.name} has no running app container`);
  return found.Id;
}

/** Runs a command in the client pod; `timeout 8` so that a resolver that waits for nothing fails the test, not the run. */
async function inClient(...command: string[]): Promise<{ exitCode: number; out: string }> {
  const r = await runtime.exec(client, ["timeout", "8", ...command]);
  return { exitCode: r.exitCode, out: `${r.stdout}${r.stderr}` };
}

async function endpointsReady(name: string, count: number): Promise<void> {
  await waitFor(
    `Endpoints ${name} to list ${count} ready addresses`,
    async () => {
      const res = await api<Endpoints>("GET", `/api/v1/namespaces/default/endpoints/${name}`, undefined, auth);
      const ready = (res.body?.subsets ?? []).flatMap((s) => s.addresses ?? []).length;
      if (ready !== count) throw new Error(`${res.status}: subsets ${JSON.stringify(res.body?.subsets ?? [])}`);
      return true;
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
}

/** One GET to the ingress controller on loopback, with a Host header. */
function viaIngress(port: number, host: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const req = nodeHttp.request({ host: "127.0.0.1", port, path, headers: { host } }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => done({ status: res.statusCode ?? 0, body: body.trim() }));
    });
    req.on("error", fail);
    req.end();
  });
}

describe.skipIf(!d.available)("14 chapter", () => {
  beforeAll(async () => {
    cluster = await startClusterFromTree({
      tree: resolve(process.env.WORKSHOP_TREE ?? "solutions"),
      upTo: "14",
      nodes: 2,
      labels: d.labels(),
      kubelet: FAST_KUBELET,
      log: process.env.WORKSHOP_DEBUG ? (line) => console.log(line) : undefined,
    });
    api = http(cluster.url);
    auth = cluster.adminToken ? { authorization: `Bearer ${cluster.adminToken}` } : {};
    pods = podHelpers(cluster);
    dir = await mkdtemp(join(tmpdir(), "k8s-14-discovery-"));
    await writeKubeconfig(join(dir, "config"), { server: cluster.secureUrl ?? cluster.url, token: cluster.adminToken });
    await pods.create(testPod("client", [{ name: "shell", command: ["sleep", "3600"] }], { terminationGracePeriodSeconds: 0 }));
    client = await containerOf(await runningPod("client"));
  }, 180_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    await cluster?.close();
    await d.cleanup();
  });

  it("a pod gets the cluster's resolv.conf: the kube-dns cluster IP, its namespace's search list, ndots:5", async () => {
    const dns = await api<Service>("GET", "/api/v1/namespaces/kube-system/services/kube-dns", undefined, auth);
    expect(dns.status, dns.text).toBe(200);
    const { out } = await inClient("cat", "/etc/resolv.conf");
    expect(out).toContain(`nameserver ${dns.body.spec?.clusterIP}`);
    expect(out).toContain("search default.svc.cluster.local svc.cluster.local cluster.local");
    expect(out).toContain("options ndots:5");
  });

  it("nslookup resolves a Service by its short and full names to its cluster IP, and wget reaches it by name", async () => {
    for (const name of ["web-1", "web-2"]) await pods.create(webPod(name, { app: "web" }));
    const service = await create<Service>("/api/v1/namespaces/default/services", {
      metadata: { name: "web-service" },
      spec: { selector: { app: "web" }, ports: [{ port: 8000, targetPort: 80 }] },
    });
    const ip = service.spec!.clusterIP!;
    // busybox's nslookup also tries the other search suffixes and prints their NXDOMAIN: only the answer counts here.
    for (const name of ["web-service", "web-service.default.svc.cluster.local"]) {
      const r = await inClient("nslookup", name);
      expect(r.out, `nslookup ${name}`).toMatch(
        new RegExp(`Name:\\s+web-service\\.default\\.svc\\.cluster\\.local\\s+Address:\\s+${ip.replaceAll(".", "\\.")}`),
      );
    }
    await Promise.all(["web-1", "web-2"].map(runningPod));
    await endpointsReady("web-service", 2);
    const page = await waitFor(
      "wget http://web-service:8000/ from the client pod to answer",
      async () => {
        const r = await inClient("wget", "-qO-", "http://web-service:8000/");
        if (r.exitCode !== 0) throw new Error(r.out);
        return r.out.trim();
      },
      { timeoutMs: 20_000, intervalMs: 300 },
    );
    expect(["web-1", "web-2"]).toContain(page);
  });

  it("a headless Service resolves to one address per ready pod", async () => {
    for (const name of ["db-1", "db-2"]) await pods.create(webPod(name, { app: "db" }));
    await create("/api/v1/namespaces/default/services", {
      metadata: { name: "db" },
      spec: { clusterIP: "None", selector: { app: "db" }, ports: [{ port: 80 }] },
    });
    const ips = (await Promise.all(["db-1", "db-2"].map(runningPod))).map((p) => p.status!.podIP!);
    await endpointsReady("db", 2);
    const r = await inClient("nslookup", "db.default.svc.cluster.local");
    expect(r.exitCode, r.out).toBe(0);
    for (const ip of ips) expect(r.out, "one A record per ready pod").toContain(ip);
  });

  it("an unknown name in the zone is NXDOMAIN at once, not a time-out", async () => {
    const r = await inClient("nslookup", "nothing-here.default.svc.cluster.local");
    expect(r.exitCode, r.out).not.toBe(0);
    expect(r.out).toContain("NXDOMAIN");
  });

  it("the ingress controller routes by host and path, and the real kubectl lists the Ingress", async () => {
    await pods.create(webPod("app-a", { app: "a" }, "service a"));
    await pods.create(webPod("app-b", { app: "b" }, "service b"));
    for (const name of ["a", "b"]) {
      await create("/api/v1/namespaces/default/services", {
        metadata: { name: `svc-${name}` },
        spec: { selector: { app: name }, ports: [{ name: "http", port: 8000, targetPort: 80 }] },
      });
    }
    await create<Ingress>("/apis/networking.k8s.io/v1/namespaces/default/ingresses", {
      metadata: { name: "routes" },
      spec: {
        rules: [
          {
            host: "a.example",
            http: {
              paths: [{ path: "/x", pathType: "Prefix", backend: { service: { name: "svc-a", port: { name: "http" } } } }],
            },
          },
          {
            host: "b.example",
            http: { paths: [{ path: "/y", pathType: "Exact", backend: { service: { name: "svc-b", port: { number: 8000 } } } }] },
          },
        ],
      },
    });
    await Promise.all(["app-a", "app-b"].map(runningPod));
    await endpointsReady("svc-a", 1);
    await endpointsReady("svc-b", 1);
    const ingress = await waitFor(
      "the ingress controller to write its address into the Ingress's status",
      async () => {
        const res = await api<Ingress>("GET", "/apis/networking.k8s.io/v1/namespaces/default/ingresses/routes", undefined, auth);
        const lb = res.body?.status?.loadBalancer?.ingress?.[0];
        if (!lb?.ports?.[0]?.port) throw new Error(JSON.stringify(res.body?.status));
        return lb;
      },
      { timeoutMs: 10_000, intervalMs: 200 },
    );
    expect(ingress.ip).toBe("127.0.0.1");
    const port = ingress.ports![0]!.port;
    expect(await viaIngress(port, "a.example", "/x/index.html")).toEqual({ status: 200, body: "service a" });
    expect(await viaIngress(port, "b.example:80", "/y")).toEqual({ status: 200, body: "service b" });
    expect((await viaIngress(port, "b.example", "/y/index.html")).status, "Exact /y must not match /y/index.html").toBe(404);
    expect((await viaIngress(port, "c.example", "/x")).status, "no rule for host c.example").toBe(404);

    if (!kubectlAvailable()) return;
    const { stdout } = await promisify(execFile)(KUBECTL_PATH, ["--kubeconfig", join(dir, "config"), "get", "ingress"], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, NO_COLOR: "1" },
    });
    const [header, row] = stdout.trim().split("\n");
    expect(header!.split(/\s+/)).toEqual(["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"]);
    expect(row!.split(/\s+/).slice(0, 5)).toEqual(["routes", "<none>", "a.example,b.example", "127.0.0.1", "80"]);
  });
});
