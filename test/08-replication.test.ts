/**
 * Chapter 08 on a real Docker engine: a two-node cluster with the controller
 * manager. An RC keeps its pods running (a deleted pod is replaced), scales
 * up and down through both kubectls, is replaced by a rolling update that
 * never leaves zero Ready pods, hands its pods over (Orphan, then adoption),
 * and takes them with it when deleted. Then examples/rc.yaml with the real
 * kubectl.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "@tree/04-kubectl/kubectl/main.ts";
import { kubectlPlugin } from "@tree/08-replication/kubectl/index.ts";
import type { List, Pod, WatchEvent } from "../shared/api/index.ts";
import type { ReplicationController } from "../shared/api/replication.ts";
import { startCluster, type TestCluster } from "./harness/cluster.ts";
import { dockerTest } from "./harness/docker.ts";
import { http, openWatch } from "./harness/http.ts";
import { kubectlAvailable, kubectlFor, type Kubectl, runOurKubectl, type KubectlResult } from "./harness/kubectl.ts";
import { podHelpers, type PodHelpers } from "./harness/pods.ts";
import { waitFor } from "./harness/wait.ts";
import { FAST_KUBELET } from "./harness/tuning.ts";

const d = dockerTest();
let cluster: TestCluster;
let pods: PodHelpers;
let kubectl: Kubectl;
let api: ReturnType<typeof http>;
let tmp: string;

const RCS = "/api/v1/namespaces/default/replicationcontrollers";
const isReady = (p: Pod) =>
  !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;

/** An RC of busybox web servers that serve (and log) "<version> from <pod name>". */
function webRc(name: string, version: string, replicas: number): ReplicationController {
  const script = `echo ${version} from $(hostname) | tee /tmp/index.html; trap 'exit 0' TERM; httpd -f -p 80 -h /tmp & wait`;
  return {
    apiVersion: "v1",
    kind: "ReplicationController",
    metadata: { name },
    spec: {
      replicas,
      selector: { app: "web" },
      template: {
        metadata: { labels: { app: "web" } },
        spec: {
          terminationGracePeriodSeconds: 5,
          containers: [{ name: "httpd", image: "busybox:latest", command: ["sh", "-c", script], ports: [{ containerPort: 80 }] }],
        },
      },
    },
  };
}

function ourKubectl(args: string[]): Promise<KubectlResult> {
  return runOurKubectl(run, cluster.url, args, { plugins: [kubectlPlugin] });
}

/** The pods of a selector that are not being deleted. */
async function activePods(selector: string, namespace = "default"): Promise<Pod[]> {
  const res = await api<List<Pod>>("GET", `/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(selector)}`);
  return res.body.items.filter((p) => !p.metadata?.deletionTimestamp);
}

/** Waits until exactly `count` active pods match, all Ready; returns them. */
function readyPods(selector: string, count: number, namespace = "default"): Promise<Pod[]> {
  return waitFor(
    `${count} Ready pod(s) with ${selector}`,
    async () => {
      for (const node of cluster.nodes) if (node.lastError?.name === "NotImplementedError") throw node.lastError;
      const active = await activePods(selector, namespace);
      if (active.length === count && active.every(isReady)) return active;
      throw new Error(
        active.map((p) => `${p.metadata?.name}: ${p.status?.phase}${isReady(p) ? " ready" : ""}`).join(", ") || "no pods",
      );
    },
    { timeoutMs: 45_000, intervalMs: 150 },
  );
}

/** Counts the pods a watch sees appear, from now on. */
async function countCreations(selector: string): Promise<{ count(): number; stop(): Promise<void> }> {
  const list = await api<List<Pod>>("GET", `/api/v1/namespaces/default/pods?labelSelector=${encodeURIComponent(selector)}`);
  const watch = await openWatch(
    `${cluster.url}/api/v1/namespaces/default/pods?watch=1&labelSelector=${encodeURIComponent(selector)}&resourceVersion=${list.body.metadata.resourceVersion}`,
  );
  const seen = new Set<string>();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const event = (await watch.next(120_000).catch(() => undefined)) as WatchEvent<Pod> | undefined;
      if (!event) return;
      if (event.type === "ADDED") seen.add((event.object as Pod).metadata?.uid ?? "");
    }
  })();
  return {
    count: () => seen.size,
    async stop() {
      stopped = true;
      watch.close();
      await loop;
    },
  };
}

beforeAll(async () => {
  cluster = await startCluster({
    chapter: "08",
    nodes: 2,
    kubelet: FAST_KUBELET,
  });
  pods = podHelpers(cluster);
  api = http(cluster.url);
  kubectl = await kubectlFor(cluster.url);
  tmp = await mkdtemp(join(tmpdir(), "k8s-workshop-08-"));
});
afterAll(async () => {
  await kubectl?.cleanup();
  if (tmp) await rm(tmp, { recursive: true, force: true });
  await cluster?.close();
  await d.cleanup();
});

/**
 * A test of one step must not rely on an earlier step's test: `npm run check
 * 08.5` runs the 08.5 tests alone. In a run of the whole file the RC is already
 * there (made by the tests before), and this does nothing.
 */
async function ensureRc(name: string, version: string, replaces?: string): Promise<void> {
  if ((await api("GET", `${RCS}/${name}`)).status !== 404) return;
  // As the rolling update leaves it: the old RC gone, so that one RC owns the app=web pods.
  if (replaces && (await api("GET", `${RCS}/${replaces}`)).status === 200) {
    expect((await api("DELETE", `${RCS}/${replaces}`)).status).toBe(200);
    await waitFor(`${replaces} and its pods gone`, async () => (await activePods("app=web")).length === 0);
  }
  const created = await api<ReplicationController>("POST", RCS, webRc(name, version, 2));
  expect(created.status, created.text).toBe(201);
  await readyPods("app=web", 2);
}

it.skipIf(!d.available || !kubectlAvailable())(
  "08.4 on Docker > runs an RC's two pods, Ready, owned by it, on the engine, and reports them in its status",
  async () => {
    const created = await api<ReplicationController>("POST", RCS, webRc("web", "v1", 2));
    expect(created.status, created.text).toBe(201);
    const running = await readyPods("app=web", 2);
    for (const p of running) {
      expect(p.metadata?.name).toMatch(/^web-[a-z0-9]{5}$/);
      expect(p.metadata?.ownerReferences).toEqual([
        {
          apiVersion: "v1",
          kind: "ReplicationController",
          name: "web",
          uid: created.body.metadata?.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
      const containers = await pods.containers(p);
      expect(
        containers
          .filter((c) => c.State === "running")
          .map((c) => c.Labels["io.kubernetes.container.name"])
          .sort(),
      ).toEqual(["POD", "httpd"]);
    }
    const rc = await waitFor("rc web to report 2 ready replicas", async () => {
      const r = (await api<ReplicationController>("GET", `${RCS}/web`)).body;
      return r.status?.readyReplicas === 2 ? r : undefined;
    });
    expect(rc.status).toMatchObject({
      replicas: 2,
      fullyLabeledReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
      observedGeneration: 1,
    });
    // Our kubectl shows it, and the pod's log says what it serves.
    expect((await ourKubectl(["get", "rc", "web"])).stdout).toMatch(/NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\nweb\s+2\s+2\s+2\s+/);
    const name = running[0]!.metadata!.name!;
    expect((await ourKubectl(["logs", name])).stdout).toBe(`v1 from ${name}\n`);
  },
);

it.skipIf(!d.available || !kubectlAvailable())("08.4 on Docker > replaces a deleted pod with a new one", async () => {
  const [victim, survivor] = await readyPods("app=web", 2);
  expect(await pods.delete(victim!.metadata!.name!)).toBe(200);
  const now = await readyPods("app=web", 2);
  const names = now.map((p) => p.metadata?.name);
  expect(names).toContain(survivor!.metadata!.name);
  expect(names).not.toContain(victim!.metadata!.name);
  await waitFor(
    "the deleted pod to be gone, containers and all",
    async () => (await pods.get(victim!.metadata!.name!)) === undefined && (await pods.containers(victim!)).length === 0,
  );
});

it.skipIf(!d.available || !kubectlAvailable())(
  "08.5 on Docker > scales up with our kubectl (creating exactly the missing pods) and down and up with the real kubectl",
  async () => {
    await ensureRc("web", "v1");
    const creations = await countCreations("app=web");
    try {
      expect(await ourKubectl(["scale", "rc", "web", "--replicas=4"])).toMatchObject({
        code: 0,
        stdout: "replicationcontroller/web scaled\n",
      });
      await readyPods("app=web", 4);
      expect(creations.count(), "pods created to go from 2 to 4").toBe(2);
    } finally {
      await creations.stop();
    }
    expect(await kubectl.ok(["scale", "rc", "web", "--replicas=1"])).toBe("replicationcontroller/web scaled\n");
    await readyPods("app=web", 1);
    expect(await kubectl.ok(["scale", "rc", "web", "--replicas=2"])).toBe("replicationcontroller/web scaled\n");
    await readyPods("app=web", 2);
    expect(await kubectl.ok(["get", "rc", "web"])).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\nweb\s+2\s+2\s+2\s+\S+\n$/);
  },
);

it.skipIf(!d.available || !kubectlAvailable())(
  "08 chapter > on Docker > rolls web over to web-v2 one pod at a time, never with zero Ready pods",
  async () => {
    const file = join(tmp, "web-v2.yaml");
    await writeFile(file, JSON.stringify(webRc("web-v2", "v2", 2)));
    // Watch every app=web pod and keep the number of Ready ones after each event.
    const list = await api<List<Pod>>("GET", "/api/v1/namespaces/default/pods?labelSelector=app%3Dweb");
    const state = new Map(list.body.items.map((p) => [p.metadata!.uid!, p]));
    const readyCount = () => [...state.values()].filter(isReady).length;
    const samples: number[] = [readyCount()];
    const watch = await openWatch(
      `${cluster.url}/api/v1/namespaces/default/pods?watch=1&labelSelector=app%3Dweb&resourceVersion=${list.body.metadata.resourceVersion}`,
    );
    let stopped = false;
    const sampling = (async () => {
      while (!stopped) {
        const event = (await watch.next(120_000).catch(() => undefined)) as WatchEvent<Pod> | undefined;
        if (!event) return;
        const p = event.object as Pod;
        if (event.type === "DELETED") state.delete(p.metadata!.uid!);
        else state.set(p.metadata!.uid!, p);
        samples.push(readyCount());
      }
    })();
    let result: { code: number; stdout: string; stderr: string };
    try {
      result = await ourKubectl(["rolling-update", "web", "-f", file]);
    } finally {
      stopped = true;
      watch.close();
      await sampling;
    }
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('replicationcontroller "web" rolling updated to "web-v2"');
    expect(samples[0]).toBe(2);
    expect(samples.length).toBeGreaterThan(8); // it did watch the whole update
    expect(Math.min(...samples), `ready pods over time: ${samples.join(" ")}`).toBeGreaterThanOrEqual(1);

    expect((await api("GET", `${RCS}/web`)).status).toBe(404);
    const finals = await readyPods("app=web", 2);
    const v2 = (await api<ReplicationController>("GET", `${RCS}/web-v2`)).body;
    for (const p of finals) {
      expect(p.metadata?.ownerReferences?.[0]?.uid).toBe(v2.metadata?.uid);
      expect(p.metadata?.labels?.deployment).toBe(v2.spec?.selector?.deployment);
      const page = await waitFor(`pod ${p.metadata?.name} to serve`, async () =>
        (await fetch(`http://${p.status!.podIP}/index.html`)).text(),
      );
      expect(page).toBe(`v2 from ${p.metadata?.name}\n`);
    }
  },
);

it.skipIf(!d.available || !kubectlAvailable())(
  "08.6 on Docker > leaves the pods running, unowned, on an Orphan delete; a new RC adopts them; deleting it deletes them and their containers",
  async () => {
    await ensureRc("web-v2", "v2", "web");
    const before = await readyPods("app=web", 2);
    const selector = (await api<ReplicationController>("GET", `${RCS}/web-v2`)).body.spec!.selector!;
    expect(await kubectl.ok(["delete", "rc", "web-v2", "--cascade=orphan"])).toBe('replicationcontroller "web-v2" deleted\n');
    await waitFor("web-v2 to be gone and its pods unowned", async () => {
      if ((await api("GET", `${RCS}/web-v2`)).status !== 404) return false;
      const now = await activePods("app=web");
      return now.length === 2 && now.every((p) => (p.metadata?.ownerReferences ?? []).length === 0);
    });
    expect((await readyPods("app=web", 2)).map((p) => p.metadata?.uid).sort()).toEqual(before.map((p) => p.metadata?.uid).sort());

    const creations = await countCreations("app=web");
    let adopter: ReplicationController;
    try {
      const rc = webRc("web-again", "v2", 2);
      rc.spec!.selector = selector;
      rc.spec!.template!.metadata!.labels = selector;
      adopter = (await api<ReplicationController>("POST", RCS, rc)).body;
      await waitFor("web-again to adopt both pods", async () => {
        const now = await activePods("app=web");
        return now.length === 2 && now.every((p) => p.metadata?.ownerReferences?.[0]?.uid === adopter.metadata?.uid);
      });
      expect(creations.count(), "pods created by an RC that found its pods").toBe(0);
    } finally {
      await creations.stop();
    }

    expect(await ourKubectl(["delete", "rc", "web-again"])).toMatchObject({ code: 0 });
    await waitFor(
      "the pods of web-again and their containers to be gone",
      async () => {
        for (const p of before)
          if ((await pods.get(p.metadata!.name!)) !== undefined || (await pods.containers(p)).length > 0) return false;
        return true;
      },
      { timeoutMs: 45_000, intervalMs: 200 },
    );
    expect(await activePods("app=web")).toEqual([]);
  },
);

it.skipIf(!d.available || !kubectlAvailable())(
  "08 chapter > on Docker > runs examples/rc.yaml, and the real kubectl gets, scales, reads logs and deletes it",
  async () => {
    const example = resolve("examples/rc.yaml");
    await kubectl.ok(
      ["create", "-f", "-"],
      JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: "example" } }),
    );
    expect(await kubectl.ok(["create", "-f", example, "-n", "example"])).toBe("replicationcontroller/web created\n");
    const started = await readyPods("app=web", 2, "example");
    expect(await kubectl.ok(["get", "rc", "-n", "example"])).toMatch(
      /^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\nweb\s+2\s+2\s+2\s+\S+\n$/,
    );
    const listed = await kubectl.ok(["get", "pods", "-l", "app=web", "-n", "example"]);
    for (const p of started) expect(listed).toMatch(new RegExp(`${p.metadata!.name}\\s+1/1\\s+Running`));
    expect(await kubectl.ok(["scale", "rc", "web", "--replicas=3", "-n", "example"])).toBe("replicationcontroller/web scaled\n");
    const three = await readyPods("app=web", 3, "example");
    const page = await waitFor("the example to serve", async () =>
      (await fetch(`http://${three[0]!.status!.podIP}/index.html`)).text(),
    );
    expect(page).toBe(`hello from ${three[0]!.metadata!.name}\n`);
    const logs = await kubectl.run(["logs", three[0]!.metadata!.name!, "-n", "example"]);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toBe(""); // httpd -f logs nothing until asked with -v
    expect(await kubectl.ok(["delete", "-f", example, "-n", "example"])).toBe('replicationcontroller "web" deleted\n');
    // The pods go too: marked for deletion at once, then gone once their shell exits on SIGTERM.
    await waitFor("the example's pods to be terminating", async () => (await activePods("app=web", "example")).length === 0);
    await waitFor(
      "the example's pods to be gone",
      async () => {
        const left = await api<List<Pod>>("GET", "/api/v1/namespaces/example/pods");
        return left.body.items.length === 0;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  },
);
