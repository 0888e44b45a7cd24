/**
 * Chapter 08, the controllers against a real apiserver, without Docker (the
 * pods are never bound to a node, so they stay Pending and go at once when
 * deleted). The controller manager reads the apiserver through a proxy that
 * holds every watch event back for a while, so its informer caches lag
 * behind: the situation expectations exist for.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installReplication, startControllerManager } from "@tree/08-replication/index.ts";
import type { List, Pod, WatchEvent } from "../shared/api/index.ts";
import type { ReplicationController } from "../shared/api/replication.ts";
import { startCluster, type TestCluster } from "./harness/cluster.ts";
import { http, openWatch } from "./harness/http.ts";
import { waitFor } from "./harness/wait.ts";

/** Watch events reach the controllers this late. */
const LAG_MS = 300;

let cluster: TestCluster;
let lagging: { url: string; close(): Promise<void> };
let manager: { stop(): Promise<void> } | undefined;
let api: ReturnType<typeof http>;

/**
 * An HTTP proxy to the apiserver (loopback only) that passes requests at
 * once but delivers each chunk of a watch stream LAG_MS late, in order.
 */
async function startLaggingProxy(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const aborts = new Set<AbortController>();
  const server: Server = createServer(async (req, res) => {
    const abort = new AbortController();
    aborts.add(abort);
    res.on("close", () => abort.abort());
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (typeof v === "string" && !["host", "connection", "content-length"].includes(k)) headers[k] = v;
      const upstream = await fetch(target + req.url, {
        method: req.method,
        headers,
        body: chunks.length ? Buffer.concat(chunks) : undefined,
        signal: abort.signal,
      });
      res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "application/json" });
      const isWatch = new URL(req.url ?? "/", target).searchParams.has("watch");
      let chain = Promise.resolve();
      for await (const chunk of upstream.body ?? []) {
        if (!isWatch) {
          res.write(chunk);
          continue;
        }
        const due = Date.now() + LAG_MS;
        chain = chain
          .then(() => new Promise<void>((r) => setTimeout(r, Math.max(0, due - Date.now()))))
          .then(() => void res.write(chunk));
      }
      await chain;
      res.end();
    } catch {
      res.destroy();
    } finally {
      aborts.delete(abort);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const a of aborts) a.abort();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const RCS = "/api/v1/namespaces/default/replicationcontrollers";
const PODS = "/api/v1/namespaces/default/pods";

function rcManifest(name: string, replicas: number, labels: Record<string, string> = { app: name }): ReplicationController {
  return {
    apiVersion: "v1",
    kind: "ReplicationController",
    metadata: { name },
    spec: {
      replicas,
      selector: labels,
      template: { metadata: { labels }, spec: { containers: [{ name: "main", image: "busybox" }] } },
    },
  };
}

async function podsOf(selector: string): Promise<Pod[]> {
  return (await api<List<Pod>>("GET", `${PODS}?labelSelector=${encodeURIComponent(selector)}`)).body.items.filter(
    (p) => !p.metadata?.deletionTimestamp,
  );
}

async function rcNamed(name: string): Promise<ReplicationController> {
  return (await api<ReplicationController>("GET", `${RCS}/${name}`)).body;
}

/** Waits until the RC's status shows `replicas` for its current generation. */
function settled(name: string, replicas: number): Promise<ReplicationController> {
  return waitFor(`rc ${name} to report ${replicas} replicas`, async () => {
    const rc = await rcNamed(name);
    const ok = rc.status?.observedGeneration === rc.metadata?.generation && rc.status?.replicas === replicas;
    if (!ok) throw new Error(`status ${JSON.stringify(rc.status)}, generation ${rc.metadata?.generation}`);
    return rc;
  });
}

beforeAll(async () => {
  cluster = await startCluster();
  installReplication(cluster.apiserver);
  // Label selectors on the server, for podsOf() (chapter 07).
  const { installSelectors } = await import("@tree/07-labels/index.ts");
  installSelectors(cluster.apiserver);
  api = http(cluster.url);
  lagging = await startLaggingProxy(cluster.url);
  manager = await startControllerManager({ server: lagging.url });
});
afterAll(async () => {
  await manager?.stop();
  await lagging?.close();
  await cluster?.close();
});

describe("08.4 the controller", () => {
  // The whole loop: claim (08.1), sync (08.2), act (08.3), report (08.4, what settled() reads).
  it("adoption and release: adopts a matching orphan instead of creating a pod, and lets go of a pod relabelled away", async () => {
    const orphan = await api<Pod>("POST", PODS, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "stray", labels: { app: "adopt" } },
      spec: { containers: [{ name: "main", image: "busybox" }] },
    });
    expect(orphan.status).toBe(201);
    const created = await api<ReplicationController>("POST", RCS, rcManifest("adopt", 2));
    expect(created.status, created.text).toBe(201);
    const uid = created.body.metadata?.uid;
    await settled("adopt", 2);
    const pods = await podsOf("app=adopt");
    expect(pods).toHaveLength(2);
    for (const p of pods) {
      expect(p.metadata?.ownerReferences).toEqual([
        { apiVersion: "v1", kind: "ReplicationController", name: "adopt", uid, controller: true, blockOwnerDeletion: true },
      ]);
    }
    expect(pods.map((p) => p.metadata?.name)).toContain("stray");
    expect(pods.find((p) => p.metadata?.name !== "stray")?.metadata?.name).toMatch(/^adopt-[a-z0-9]{5}$/);

    // Take "stray" out of the selection: the RC releases it and makes another.
    await api(
      "PATCH",
      `${PODS}/stray`,
      { metadata: { labels: { app: "debug" } } },
      { "content-type": "application/merge-patch+json" },
    );
    await waitFor("stray to be released", async () => {
      const p = (await api<Pod>("GET", `${PODS}/stray`)).body;
      return p.metadata?.ownerReferences === undefined || p.metadata.ownerReferences.length === 0;
    });
    await waitFor("a replacement for stray", async () => (await podsOf("app=adopt")).length === 2);
    await settled("adopt", 2);
    await api("DELETE", `${PODS}/stray`);
  });

  // Expectations (08.3) at work in the loop. The RC is scaled with a patch of the RC
  // itself, not of its scale subresource (08.5): a learner sees this pass at 08.4.
  it("no overshoot while the cache lags: creates exactly the missing pods when scaled up at once, and deletes exactly the surplus when scaled down", async () => {
    const created = await api<ReplicationController>("POST", RCS, rcManifest("burst", 0));
    const uid = created.body.metadata?.uid;
    // Count every pod the RC ever creates or deletes, on a watch that does not lag.
    const watch = await openWatch(`${cluster.url}${PODS}?watch=1&resourceVersion=${created.body.metadata?.resourceVersion}`);
    let added = 0;
    let deleted = 0;
    let live = 0;
    let most = 0;
    let stop = false;
    const counting = (async () => {
      while (!stop) {
        const event = (await watch.next(60_000).catch(() => undefined)) as WatchEvent<Pod> | undefined;
        if (!event) return;
        const pod = event.object as Pod;
        if (!pod.metadata?.ownerReferences?.some((r) => r.uid === uid)) continue;
        if (event.type === "ADDED") live = Math.max(0, ++added - deleted);
        if (event.type === "DELETED") live = added - ++deleted;
        most = Math.max(most, live);
      }
    })();
    try {
      await api("PATCH", `${RCS}/burst`, { spec: { replicas: 12 } }, { "content-type": "application/merge-patch+json" });
      await settled("burst", 12);
      await waitFor("12 pods on the watch", () => added >= 12);
      expect(added, "pods created for 12 replicas").toBe(12);
      await api("PATCH", `${RCS}/burst`, { spec: { replicas: 3 } }, { "content-type": "application/merge-patch+json" });
      await settled("burst", 3);
      await waitFor("9 deletions on the watch", () => deleted >= 9);
      expect(await podsOf("app=burst")).toHaveLength(3);
      // And nothing more happened meanwhile: never more than 12 pods, 12 created, 9 deleted.
      expect({ added, deleted, most }).toEqual({ added: 12, deleted: 9, most: 12 });
    } finally {
      stop = true;
      watch.close();
      await counting;
    }
  });
});

describe("08.6 garbage collection", () => {
  it("deletes the pods of a deleted RC (Background), and keeps them, unowned, with Orphan", async () => {
    await api("POST", RCS, rcManifest("cascade", 2));
    await settled("cascade", 2);
    expect((await api("DELETE", `${RCS}/cascade`)).status).toBe(200);
    await waitFor("the pods of rc cascade to be deleted", async () => (await podsOf("app=cascade")).length === 0);

    await api("POST", RCS, rcManifest("orphans", 2));
    await settled("orphans", 2);
    const before = (await podsOf("app=orphans")).map((p) => p.metadata?.uid).sort();
    const res = await api("DELETE", `${RCS}/orphans`, { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Orphan" });
    expect(res.status, res.text).toBe(200);
    await waitFor("rc orphans to be gone", async () => (await api("GET", `${RCS}/orphans`)).status === 404);
    const after = await podsOf("app=orphans");
    expect(after.map((p) => p.metadata?.uid).sort()).toEqual(before);
    for (const p of after) expect(p.metadata?.ownerReferences ?? []).toEqual([]);
  });
});
