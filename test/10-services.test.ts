/**
 * Chapter 10 on a real Docker engine: a two-node cluster with Services.
 * Cluster IPs come from the upper half of the cluster's network without
 * clashes; Endpoints follow the pods; a client pod reaches a Service backed
 * by pods on both nodes, round robin, and only the remaining pod once one is
 * deleted; NodePort answers on 127.0.0.1; containers get Service variables;
 * cluster IPs leave the bridge; and examples/rc.yaml + examples/service.yaml
 * work with the real kubectl.
 */
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerRuntime } from "@tree/01-containers/docker-runtime.ts";
import { run as ourKubectl } from "@tree/04-kubectl/kubectl/main.ts";
import { kubectlPlugin } from "@tree/10-services/kubectl/index.ts";
import { BridgeAddresses } from "@tree/10-services/proxy/addresses.ts";
import type { List, Pod } from "../shared/api/index.ts";
import type { Endpoints, Service } from "../shared/api/service.ts";
import { connectDocker } from "../shared/docker.ts";
import { TEST_IMAGE } from "../shared/test-image.ts";
import { startCluster, type TestCluster } from "./harness/cluster.ts";
import { dockerTest } from "./harness/docker.ts";
import { http } from "./harness/http.ts";
import { kubectlAvailable, kubectlFor, type Kubectl } from "./harness/kubectl.ts";
import { podHelpers, testPod, type PodHelpers } from "./harness/pods.ts";
import { waitFor } from "./harness/wait.ts";
import { FAST_KUBELET } from "./harness/tuning.ts";

const d = dockerTest();
const docker = connectDocker();
const runtime = new DockerRuntime(docker);
let cluster: TestCluster;
let pods: PodHelpers;
let kubectl: Kubectl;
let api: ReturnType<typeof http>;
/** The cluster network's bridge, its subnet, and the part of it containers get addresses from. */
let bridge: string;
let subnet: string;
let podRange: string;
const testNetworks: string[] = [];

const SERVICES = "/api/v1/namespaces/default/services";
const ENDPOINTS = "/api/v1/namespaces/default/endpoints";

const ipToInt = (ip: string) => ip.split(".").reduce((n, part) => n * 256 + Number(part), 0);
function inCidr(ip: string, cidr: string): boolean {
  const [base = "", bits = "32"] = cidr.split("/");
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipToInt(ip) / size) === Math.floor(ipToInt(base) / size);
}

/** The IPv4 addresses on an interface of this host (`ip -o -4 addr show dev X`). */
async function addressesOn(device: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)("ip", ["-o", "-4", "addr", "show", "dev", device]);
  return [...stdout.matchAll(/inet (\d+\.\d+\.\d+\.\d+)\//g)].map((m) => m[1]!);
}

/**
 * A busybox web server that answers with its pod's name, and stops at once on SIGTERM.
 * It asks for no Service variables (enableServiceLinks: false): those are step 10.6,
 * and the tests of the steps before it run pods too.
 */
function webPod(name: string, nodeName: string, labels: Record<string, string> = { app: "web" }): Pod {
  const script = `hostname > /tmp/index.html; trap 'exit 0' TERM; httpd -f -p 80 -h /tmp & wait`;
  const pod = testPod(name, [{ name: "httpd", command: ["sh", "-c", script], ports: [{ name: "http", containerPort: 80 }] }], {
    nodeName,
    terminationGracePeriodSeconds: 2,
    enableServiceLinks: false,
  });
  pod.metadata = { name, labels };
  return pod;
}

/** The Service in front of the web pods: port 8000 to their port named "http". */
const WEB_SERVICE = {
  metadata: { name: "web", labels: { tier: "front" } },
  spec: { selector: { app: "web" }, ports: [{ port: 8000, targetPort: "http" }] },
};

const isReady = (p: Pod) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;
const readyIps = (e: Endpoints | undefined) => (e?.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip)).sort();
const notReadyIps = (e: Endpoints | undefined) =>
  (e?.subsets ?? []).flatMap((s) => (s.notReadyAddresses ?? []).map((a) => a.ip)).sort();

async function getEndpoints(name: string, namespace = "default"): Promise<Endpoints | undefined> {
  const res = await api<Endpoints>("GET", `/api/v1/namespaces/${namespace}/endpoints/${name}`);
  return res.status === 200 ? res.body : undefined;
}

/** Waits until the Endpoints of `name` satisfy `ok`. */
function endpointsUntil(name: string, ok: (e: Endpoints) => boolean, what: string, namespace = "default"): Promise<Endpoints> {
  return waitFor(
    what,
    async () => {
      const e = await getEndpoints(name, namespace);
      if (e && ok(e)) return e;
      throw new Error(e ? `subsets ${JSON.stringify(e.subsets ?? [])}` : "no Endpoints object");
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  );
}

async function runningPod(name: string): Promise<Pod> {
  return pods.waitFor(
    name,
    (p) => p.status?.phase === "Running" && isReady(p) && !!p.status.podIP,
    `pod ${name} to be Running and Ready`,
    45_000,
  );
}

/** The id of a pod's app container. */
async function containerOf(pod: Pod, container: string): Promise<string> {
  const containers = await pods.containers(pod);
  const found = containers.find((c) => c.Labels["io.kubernetes.container.name"] === container && c.State === "running");
  if (!found) throw new Error(`pod ${pod.metadata?.name} has no running container ${container}`);
  return found.Id;
}

/** One HTTP GET from inside the client pod (a new connection each time); throws when it fails. */
async function getFromClient(client: string, url: string): Promise<string> {
  const r = await runtime.exec(client, ["timeout", "5", "wget", "-qO-", url]);
  if (r.exitCode !== 0) throw new Error(`wget ${url} exited ${r.exitCode}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

let client: string;
let web: Service;

/*
 * When the whole file runs, the tests share one Service "web", its pods and
 * a client pod: the first test that needs them creates them. But `npm run
 * check 10.k` runs only the tests of step k, so each test first makes sure
 * that what it reads exists.
 */

/** The Service "web" (created unless an earlier test did). */
async function givenWebService(): Promise<Service> {
  if (!web) {
    const res = await api<Service>("POST", SERVICES, WEB_SERVICE);
    expect(res.status, res.text).toBe(201);
    web = res.body;
  }
  return web;
}

/** The Service "web" with web-1 (node-1) and web-2 (node-2) Ready in its Endpoints. */
async function givenWebPods(): Promise<Service> {
  await givenWebService();
  for (const [name, node] of [
    ["web-1", "node-1"],
    ["web-2", "node-2"],
  ] as const) {
    if (!(await pods.get(name))) await pods.create(webPod(name, node));
  }
  const ips = [(await runningPod("web-1")).status!.podIP!, (await runningPod("web-2")).status!.podIP!].sort().join();
  await endpointsUntil("web", (e) => readyIps(e).join() === ips, "Endpoints web: web-1 and web-2 ready");
  return web;
}

/** The client pod on node-1 (no Service variables: 10.6 has its own pod), as its container's id. */
async function givenClient(): Promise<string> {
  if (!client) {
    await pods.create(
      testPod("client", [{ name: "client", command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"] }], {
        nodeName: "node-1",
        terminationGracePeriodSeconds: 0,
        enableServiceLinks: false,
      }),
    );
    client = await containerOf(await runningPod("client"), "client");
  }
  return client;
}

beforeAll(async () => {
  cluster = await startCluster({
    chapter: "10",
    nodes: 2,
    kubelet: FAST_KUBELET,
  });
  pods = podHelpers(cluster);
  api = http(cluster.url);
  kubectl = await kubectlFor(cluster.url);
  const network = await docker.getNetwork(cluster.network!).inspect();
  bridge = `br-${String(network.Id).slice(0, 12)}`;
  subnet = network.IPAM!.Config![0]!.Subnet!;
  podRange = (network.IPAM!.Config![0] as { IPRange?: string }).IPRange ?? subnet;
});
afterAll(async () => {
  await kubectl?.cleanup();
  await cluster?.close();
  for (const n of testNetworks)
    await docker
      .getNetwork(n)
      .remove()
      .catch(() => {});
  await d.cleanup();
});

it.skipIf(!d.available || !kubectlAvailable())(
  "10.1 on Docker > gives every Service its own cluster IP outside the pods' range, refuses a taken one with 422, and takes it back on delete",
  async () => {
    expect(podRange, "containers must get addresses from part of the subnet only").not.toBe(subnet);
    const names = Array.from({ length: 8 }, (_, i) => `alloc-${i}`);
    const created = await Promise.all(
      names.map((name) => api<Service>("POST", SERVICES, { metadata: { name }, spec: { ports: [{ port: 80 }] } })),
    );
    expect(
      created.map((r) => r.status),
      created.find((r) => r.status !== 201)?.text,
    ).toEqual(names.map(() => 201));
    const ips = created.map((r) => r.body.spec!.clusterIP!);
    expect(new Set(ips).size).toBe(names.length);
    for (const ip of ips) {
      expect(inCidr(ip, subnet), `${ip} in ${subnet}`).toBe(true);
      expect(inCidr(ip, podRange), `${ip} outside the pods' ${podRange}`).toBe(false);
    }
    expect(created[0]!.body.spec).toMatchObject({
      type: "ClusterIP",
      clusterIPs: [ips[0]],
      ports: [{ port: 80, targetPort: 80, protocol: "TCP" }],
    });

    // Asking for an address another Service has: 422, and nothing is stored.
    const clash = await api("POST", SERVICES, {
      metadata: { name: "clash" },
      spec: { clusterIP: ips[0], ports: [{ port: 80 }] },
    });
    expect(clash.status, clash.text).toBe(422);
    expect(clash.body.message).toContain(`failed to allocate IP ${ips[0]}: provided IP is already allocated`);
    expect((await api("GET", `${SERVICES}/clash`)).status).toBe(404);

    // Deleted: the address is free for a new Service.
    expect((await api("DELETE", `${SERVICES}/${names[0]}`)).status).toBe(200);
    const reuse = await api<Service>("POST", SERVICES, {
      metadata: { name: "reuse" },
      spec: { clusterIP: ips[0], ports: [{ port: 80 }] },
    });
    expect(reuse.status, reuse.text).toBe(201);
    expect(reuse.body.spec?.clusterIP).toBe(ips[0]);

    // Node ports: allocated from 30000-32767, and not twice either.
    const np = await api<Service>("POST", SERVICES, {
      metadata: { name: "alloc-np" },
      spec: { type: "NodePort", ports: [{ port: 80 }] },
    });
    expect(np.status, np.text).toBe(201);
    const nodePort = np.body.spec!.ports![0]!.nodePort!;
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    expect(nodePort).toBeLessThanOrEqual(32767);
    const npClash = await api("POST", SERVICES, {
      metadata: { name: "np-clash" },
      spec: { type: "NodePort", ports: [{ port: 80, nodePort }] },
    });
    expect(npClash.status, npClash.text).toBe(422);
    expect(npClash.body.message).toContain("provided port is already allocated");

    const all = ["reuse", "alloc-np", ...names.slice(1)];
    for (const name of all) expect((await api("DELETE", `${SERVICES}/${name}`)).status).toBe(200);
  },
);

it.skipIf(!d.available || !kubectlAvailable())(
  "10.2 on Docker > puts every Service's cluster IP on the cluster's bridge, and takes it off when the Service is deleted",
  async () => {
    const names = [...Array.from({ length: 4 }, (_, i) => `bridge-${i}`), "bridge-np"];
    const created = await Promise.all(
      names.map((name) =>
        api<Service>("POST", SERVICES, {
          metadata: { name },
          spec: { type: name === "bridge-np" ? "NodePort" : "ClusterIP", ports: [{ port: 80 }] },
        }),
      ),
    );
    expect(
      created.map((r) => r.status),
      created.find((r) => r.status !== 201)?.text,
    ).toEqual(names.map(() => 201));
    const ips = created.map((r) => r.body.spec!.clusterIP!);

    // The proxy puts every cluster IP on the cluster's bridge.
    await waitFor("the cluster IPs on the bridge", async () => {
      const on = await addressesOn(bridge);
      return ips.every((ip) => on.includes(ip)) || undefined;
    });

    // Deleted: the address leaves the bridge.
    for (const name of names) expect((await api("DELETE", `${SERVICES}/${name}`)).status).toBe(200);
    await waitFor("the deleted Services' cluster IPs to leave the bridge", async () => {
      const on = await addressesOn(bridge);
      const left = ips.filter((ip) => on.includes(ip));
      if (left.length > 0) throw new Error(`still on ${bridge}: ${left.join(", ")}`);
      return true;
    });
  },
);

it.skipIf(!d.available || !kubectlAvailable())(
  "10.3 on Docker > keeps the Endpoints in step with the pods: ready ones in, not-ready ones aside, deleted ones out",
  async () => {
    const res = await api<Service>("POST", SERVICES, WEB_SERVICE);
    expect(res.status, res.text).toBe(201);
    web = res.body;
    await pods.create(webPod("web-1", "node-1"));
    await pods.create(webPod("web-2", "node-2"));
    // A pod of the Service that never gets Ready: its container keeps failing.
    const crashing = testPod(
      "web-crash",
      [{ name: "httpd", command: ["sh", "-c", "exit 1"], ports: [{ name: "http", containerPort: 80 }] }],
      { nodeName: "node-1", terminationGracePeriodSeconds: 0, enableServiceLinks: false },
    );
    crashing.metadata = { name: "web-crash", labels: { app: "web" } };
    await pods.create(crashing);
    const [p1, p2] = [await runningPod("web-1"), await runningPod("web-2")];
    const crash = await pods.waitFor("web-crash", (p) => !!p.status?.podIP, "web-crash to get an IP", 30_000);

    const eps = await endpointsUntil(
      "web",
      (e) =>
        readyIps(e).join() === [p1.status!.podIP!, p2.status!.podIP!].sort().join() &&
        notReadyIps(e).join() === crash.status!.podIP,
      "Endpoints web: web-1 and web-2 ready, web-crash not ready",
    );
    expect(eps.metadata?.labels).toEqual({ tier: "front" });
    const addresses = eps.subsets!.flatMap((s) => s.addresses ?? []);
    expect(addresses.map((a) => a.nodeName).sort()).toEqual(["node-1", "node-2"]);
    expect(addresses.find((a) => a.ip === p1.status!.podIP)?.targetRef).toMatchObject({
      kind: "Pod",
      name: "web-1",
      uid: p1.metadata!.uid,
    });
    // The named targetPort "http" is the pods' container port 80.
    expect(eps.subsets!.every((s) => s.ports?.[0]?.port === 80)).toBe(true);

    // Deleted: it leaves the Endpoints.
    expect(await pods.delete("web-crash")).toBe(200);
    await endpointsUntil(
      "web",
      (e) => notReadyIps(e).length === 0 && readyIps(e).length === 2,
      "web-crash to leave the Endpoints",
    );
  },
);

it.skipIf(!d.available || !kubectlAvailable())(
  "10.5 on Docker > lets a client pod reach the Service at its cluster IP and port, taking turns over the pods on both nodes",
  async () => {
    await givenWebPods();
    await givenClient();
    const url = `http://${web.spec!.clusterIP}:8000/`;
    // The proxy may need a moment to open its listener: wait for the first answer.
    await waitFor(`a first answer from ${url}`, () => getFromClient(client, url));
    const answers: string[] = [];
    for (let i = 0; i < 4; i++) answers.push(await getFromClient(client, url));
    // Round robin over two backends: every second connection goes to the other one.
    expect([...answers].sort()).toEqual(["web-1", "web-1", "web-2", "web-2"]);
    expect(answers[0]).not.toBe(answers[1]);
    expect(answers[2]).toBe(answers[0]);
  },
);

it.skipIf(!d.available || !kubectlAvailable())(
  "10.6 on Docker > gives a container started after the Service its variables",
  async () => {
    await givenWebService();
    await pods.create(
      testPod("env-reader", [{ name: "main", command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"] }], {
        nodeName: "node-1",
        terminationGracePeriodSeconds: 0,
      }),
    );
    const reader = await containerOf(await runningPod("env-reader"), "main");
    const info = await docker.getContainer(reader).inspect();
    const env = new Map(info.Config.Env.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
    const ip = web.spec!.clusterIP!;
    expect(env.get("WEB_SERVICE_HOST")).toBe(ip);
    expect(env.get("WEB_SERVICE_PORT")).toBe("8000");
    expect(env.get("WEB_PORT")).toBe(`tcp://${ip}:8000`);
    expect(env.get("WEB_PORT_8000_TCP_ADDR")).toBe(ip);
  },
);

// A NodePort is served by the proxy (10.2), but an answer needs the pods' Endpoints (10.3) and forwarding (10.5).
it.skipIf(!d.available || !kubectlAvailable())("10.5 on Docker > serves a NodePort Service on 127.0.0.1:<nodePort>", async () => {
  await givenWebPods();
  const res = await api<Service>("POST", SERVICES, {
    metadata: { name: "web-np" },
    spec: { type: "NodePort", selector: { app: "web" }, ports: [{ port: 8001, targetPort: 80 }] },
  });
  expect(res.status, res.text).toBe(201);
  const url = `http://127.0.0.1:${res.body.spec!.ports![0]!.nodePort}/`;
  const first = await waitFor(`an answer from ${url}`, async () =>
    (await fetch(url, { headers: { connection: "close" } })).text(),
  );
  const second = (await (await fetch(url, { headers: { connection: "close" } })).text()).trim();
  expect([first.trim(), second].sort()).toEqual(["web-1", "web-2"]);
});

it.skipIf(!d.available || !kubectlAvailable())(
  "10.5 on Docker > sends traffic only to the remaining pod once one is deleted",
  async () => {
    await givenWebPods();
    await givenClient();
    expect(await pods.delete("web-2")).toBe(200);
    const p1 = await pods.get("web-1");
    await endpointsUntil("web", (e) => readyIps(e).join() === p1!.status!.podIP, "web-2 to leave the Endpoints");
    const url = `http://${web.spec!.clusterIP}:8000/`;
    const answers: string[] = [];
    for (let i = 0; i < 4; i++) answers.push(await getFromClient(client, url));
    expect(answers).toEqual(["web-1", "web-1", "web-1", "web-1"]);
  },
);

it.skipIf(!d.available || !kubectlAvailable())(
  "10.2 on Docker > puts addresses on a bridge through a short-lived container and takes every one off on close",
  async () => {
    // A network of this test alone, so the check does not depend on the cluster's proxy.
    const name = d.name("k8s-workshop-10-bridge");
    const created = await docker.createNetwork({ Name: name, Driver: "bridge", Labels: d.labels() });
    testNetworks.push(created.id);
    const info = await created.inspect();
    const device = `br-${String(info.Id).slice(0, 12)}`;
    const base = info.IPAM!.Config![0]!.Subnet!.split("/")[0]!.split(".").map(Number);
    const ips = [`${base[0]}.${base[1]}.${base[2]}.200`, `${base[0]}.${base[1]}.${base[2]}.201`];
    const addresses = new BridgeAddresses({ docker, bridge: device, image: TEST_IMAGE, labels: d.labels() });
    await Promise.all(ips.map((ip) => addresses.add(ip)));
    expect(await addressesOn(device)).toEqual(expect.arrayContaining(ips));
    await addresses.close();
    const left = await addressesOn(device);
    expect(left.filter((ip) => ips.includes(ip))).toEqual([]);
  },
);

it.skipIf(!d.available || !kubectlAvailable())(
  "10 chapter > on Docker > runs examples/rc.yaml behind examples/service.yaml with the real kubectl",
  async () => {
    // (`kubectl create namespace` sends protobuf, which this apiserver does not speak: a manifest works.)
    await kubectl.ok(["create", "-f", "-"], "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: example\n");
    expect(
      await kubectl.ok(["-n", "example", "create", "-f", resolve("examples/rc.yaml"), "-f", resolve("examples/service.yaml")]),
    ).toMatch(/replicationcontroller\/web created\nservice\/web created/);
    const table = await kubectl.ok(["-n", "example", "get", "services"]);
    const ip = (await kubectl.ok(["-n", "example", "get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}"])).trim();
    expect(inCidr(ip, subnet)).toBe(true);
    expect(table).toMatch(
      new RegExp(
        `NAME\\s+TYPE\\s+CLUSTER-IP\\s+EXTERNAL-IP\\s+PORT\\(S\\)\\s+AGE\\nweb\\s+ClusterIP\\s+${ip.replace(/\./g, "\\.")}\\s+<none>\\s+8000/TCP\\s+`,
      ),
    );
    expect(await kubectl.ok(["-n", "example", "get", "svc", "-o", "wide"])).toMatch(/SELECTOR\nweb\s+.*app=web/);
    // Your kubectl knows the names too (svc, ep).
    let ours = "";
    const code = await ourKubectl(
      ["--server", cluster.url, "-n", "example", "get", "svc"],
      { stdout: { write: (t: string) => void (ours += t) }, stderr: { write: (t: string) => void (ours += t) }, env: {} },
      [kubectlPlugin],
    );
    expect(code, ours).toBe(0);
    expect(ours).toMatch(new RegExp(`web\\s+ClusterIP\\s+${ip.replace(/\./g, "\\.")}\\s+<none>\\s+8000/TCP`));

    // Both pods of the RC Ready behind it: `kubectl get endpoints` lists them on port 80.
    const list = await waitFor(
      "2 Ready pods of examples/rc.yaml",
      async () => {
        const r = await api<List<Pod>>("GET", "/api/v1/namespaces/example/pods?labelSelector=app%3Dweb");
        return r.body.items.length === 2 && r.body.items.every(isReady) ? r.body.items : undefined;
      },
      { timeoutMs: 45_000, intervalMs: 200 },
    );
    await endpointsUntil("web", (e) => readyIps(e).length === 2, "Endpoints example/web with 2 ready pods", "example");
    const eps = await kubectl.ok(["-n", "example", "get", "endpoints"]);
    for (const p of list) expect(eps).toContain(`${p.status!.podIP}:80`);

    // And a pod reaches it at its cluster IP and port 8000.
    const names = list.map((p) => `hello from ${p.metadata!.name}`);
    await givenClient();
    const answer = await waitFor(`an answer from ${ip}:8000`, () => getFromClient(client, `http://${ip}:8000/`));
    expect(names).toContain(answer);
  },
);
