/**
 * Chapter 12 on a real Docker engine: restart recovery of the control plane.
 *
 * While pods are being created (a steady stream of named pods, and an RC),
 * the apiserver restarts in place (every connection and watch dropped, same
 * port, same store), then the scheduler, then the controller manager (both
 * with empty caches). Afterwards every pod that was created exists exactly
 * once and runs on exactly one node, the RC has exactly its replicas, and an
 * informer opened before the restarts holds the same view as a fresh list.
 */
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Informer } from "@tree/04-kubectl/client/informer.ts";
import { PODS } from "@tree/04-kubectl/client/resources.ts";
import { isApiError, RestClient } from "@tree/04-kubectl/client/rest.ts";
import type { List, Pod } from "../shared/api/index.ts";
import type { ReplicationController } from "../shared/api/replication.ts";
import { startClusterFromTree, type Cluster, type RestartableComponent } from "../shared/cluster/index.ts";
import { connectDocker } from "../shared/docker.ts";
import { dockerTest } from "./harness/docker.ts";
import { http, openWatch } from "./harness/http.ts";
import { waitFor } from "./harness/wait.ts";

const d = dockerTest();
const docker = connectDocker();
let cluster: Cluster;
let api: ReturnType<typeof http>;
let auth: Record<string, string>;
let informer: Informer<Pod> | undefined;

const isReady = (p: Pod) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;
const SLEEPER = { image: "busybox:latest", command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"] };

function loadPod(name: string): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { load: "yes" } },
    spec: { terminationGracePeriodSeconds: 1, containers: [{ name: "app", ...SLEEPER }] },
  };
}

/** Creates load-1, load-2 ... until stopped; a create that fails is retried with the same name (409 means it had landed). */
function startLoad(client: RestClient) {
  const created: string[] = [];
  let stopped = false;
  const loop = (async () => {
    for (let i = 1; !stopped && i <= 24; i++) {
      const name = `load-${i}`;
      let landed = false;
      while (!landed && !stopped) {
        try {
          await client.resource<Pod>(PODS).create(loadPod(name), "default");
          landed = true;
        } catch (err) {
          if (isApiError(err, "AlreadyExists")) landed = true;
          else await new Promise((r) => setTimeout(r, 100)); // the apiserver is restarting: try again
        }
      }
      if (landed) created.push(name);
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  return {
    created,
    /** Resolves once `more` pods were created after this call. */
    progress: (more: number) => {
      const target = created.length + more;
      return waitFor(`${more} more pods to be created`, () => (failOnTodo(), created.length >= target), { timeoutMs: 30_000 });
    },
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/** A starter's todo() in a kubelet will not go away by waiting: fail at once. */
function failOnTodo(): void {
  for (const node of cluster.nodes) if (node.lastError?.name === "NotImplementedError") throw node.lastError;
}

async function pods(selector: string): Promise<Pod[]> {
  failOnTodo();
  return (
    await api<List<Pod>>("GET", `/api/v1/namespaces/default/pods?labelSelector=${encodeURIComponent(selector)}`, undefined, auth)
  ).body.items;
}

describe.skipIf(!d.available)("12 chapter > restart recovery on Docker", () => {
  beforeAll(async () => {
    cluster = await startClusterFromTree({
      tree: resolve(process.env.WORKSHOP_TREE ?? "solutions"),
      upTo: "12",
      nodes: 2,
      labels: d.labels(),
      kubelet: { heartbeatIntervalMs: 500, relistIntervalMs: 300, backOff: { initialMs: 300, maxMs: 1_200 } },
      // Restarts must not look like dead nodes.
      nodeLifecycle: { nodeMonitorPeriodMs: 500, nodeMonitorGracePeriodMs: 20_000 },
      log: process.env.WORKSHOP_DEBUG ? (line) => console.log(line) : undefined,
    });
    api = http(cluster.url);
    auth = { authorization: `Bearer ${cluster.adminToken}` };
  });
  afterAll(async () => {
    await informer?.stop();
    await cluster?.close();
    await d.cleanup();
  });

  it("loses and duplicates nothing when the apiserver, the scheduler and the controller manager restart under load", async () => {
    const client = new RestClient({ server: cluster.url, token: cluster.adminToken });
    // A watch opened before the restarts (an informer: list, then watch, resume).
    informer = new Informer<Pod>(client.resource<Pod>(PODS), { namespace: "default" }).start();
    await informer.waitForSync();

    const rc: ReplicationController = {
      apiVersion: "v1",
      kind: "ReplicationController",
      metadata: { name: "steady" },
      spec: {
        replicas: 3,
        selector: { app: "steady" },
        template: {
          metadata: { labels: { app: "steady" } },
          spec: { terminationGracePeriodSeconds: 1, containers: [{ name: "app", ...SLEEPER }] },
        },
      },
    };
    expect((await api("POST", "/api/v1/namespaces/default/replicationcontrollers", rc, auth)).status).toBe(201);

    // A raw watch, to see that the restart really drops every stream.
    // The pods must run before the restarts (a starter fails here, at once).
    await waitFor("3 Ready steady pods", async () => (await pods("app=steady")).filter(isReady).length === 3, {
      timeoutMs: 45_000,
    });
    const rv = (await api<List<Pod>>("GET", "/api/v1/namespaces/default/pods", undefined, auth)).body.metadata.resourceVersion;
    const raw = await openWatch(`${cluster.url}/api/v1/namespaces/default/pods?watch=1&resourceVersion=${rv}`, auth);

    const load = startLoad(client);
    await load.progress(2);
    for (const component of ["apiserver", "scheduler", "controller manager"] as RestartableComponent[]) {
      await cluster.restart(component);
      await load.progress(2);
    }
    const rawEnded = await (async () => {
      for (;;) {
        try {
          if ((await raw.next(3_000)) === undefined) return true;
        } catch (err) {
          return !/no watch event/.test((err as Error).message);
        }
      }
    })();
    raw.close();
    expect(rawEnded, "the watch opened before the apiserver restart was dropped").toBe(true);
    // The restarted controller manager still works: scale the RC up by one.
    const scaled = await api(
      "PATCH",
      "/api/v1/namespaces/default/replicationcontrollers/steady",
      { spec: { replicas: 4 } },
      { ...auth, "content-type": "application/merge-patch+json" },
    );
    expect(scaled.status, scaled.text).toBe(200);
    await load.stop();
    const names = [...load.created];
    expect(names.length).toBeGreaterThanOrEqual(8);

    // Every created pod exists once, is scheduled, and runs.
    const loadPods = await waitFor(
      `${names.length} load pods Running and Ready`,
      async () => {
        const now = await pods("load=yes");
        const ok = now.filter((p) => p.status?.phase === "Running" && isReady(p));
        if (ok.length === names.length) return now;
        throw new Error(
          `${ok.length}/${names.length} ready: ${now
            .filter((p) => !ok.includes(p))
            .map((p) => `${p.metadata?.name}@${p.spec?.nodeName ?? "-"}`)
            .join(", ")}`,
        );
      },
      { timeoutMs: 60_000, intervalMs: 300 },
    );
    expect(loadPods.map((p) => p.metadata?.name).sort()).toEqual([...names].sort());

    // Exactly the RC's replicas: a controller manager with an empty cache did not create extras.
    const steady = await waitFor(
      "4 Ready steady pods",
      async () => {
        const now = (await pods("app=steady")).filter((p) => !p.metadata?.deletionTimestamp);
        return now.length === 4 && now.every(isReady) ? now : undefined;
      },
      { timeoutMs: 45_000 },
    );
    expect(steady).toHaveLength(4);

    // On the engine: each pod has one running app container, on one node.
    const running = await docker.listContainers({
      filters: { label: [`k8s-workshop.cluster=${cluster.id}`, "io.kubernetes.container.name=app"] },
    });
    for (const pod of [...loadPods, ...steady]) {
      const mine = running.filter((c) => c.Labels["io.kubernetes.pod.uid"] === pod.metadata?.uid);
      expect(mine, `containers of ${pod.metadata?.name}`).toHaveLength(1);
      expect(mine[0]!.Labels["k8s-workshop.node"]).toBe(pod.spec?.nodeName);
    }

    // The informer resumed its watch across the restart and sees what a fresh list sees.
    await waitFor("the informer to match a fresh list", async () => {
      const fresh = (await client.resource<Pod>(PODS).list("default")).items
        .map((p) => `${p.metadata?.name}@${p.metadata?.resourceVersion}`)
        .sort();
      const cached = informer!
        .list()
        .map((p) => `${p.metadata?.name}@${p.metadata?.resourceVersion}`)
        .sort();
      if (JSON.stringify(fresh) === JSON.stringify(cached)) return true;
      throw new Error(`informer has ${cached.length}, list has ${fresh.length}`);
    });
  });
});
