/**
 * Chapter 08 challenges (optional): they fail on the reference solution and
 * pass once you build the extension. Run them with
 * `npm run check 08 -- --challenges`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installReplication, startControllerManager } from "@tree/08-replication/index.ts";
import { deletionOrder } from "@tree/08-replication/replication/reconcile.ts";
import type { List, Pod } from "../../shared/api/index.ts";
import type { ReplicationController } from "../../shared/api/replication.ts";
import { startCluster, type TestCluster } from "../harness/cluster.ts";
import { http } from "../harness/http.ts";
import { waitFor } from "../harness/wait.ts";

const COST = "controller.kubernetes.io/pod-deletion-cost";

/** A Running, Ready pod on a node; `cost` goes into the annotation. */
function readyPod(name: string, created: string, cost?: number): Pod {
  return {
    metadata: { name, namespace: "default", creationTimestamp: created, ...(cost === undefined ? {} : { annotations: { [COST]: String(cost) } }) },
    spec: { nodeName: "node-1", containers: [{ name: "main", image: "busybox" }] },
    status: {
      phase: "Running",
      conditions: [{ type: "Ready", status: "True", lastTransitionTime: "2024-01-01T00:00:00Z" }],
      containerStatuses: [{ name: "main", ready: true, restartCount: 0, image: "busybox", imageID: "", state: {} }],
    },
  };
}

let cluster: TestCluster;
let manager: { stop(): Promise<void> } | undefined;
let api: ReturnType<typeof http>;

beforeAll(async () => {
  cluster = await startCluster();
  installReplication(cluster.apiserver);
  manager = await startControllerManager({ server: cluster.url });
  api = http(cluster.url);
});
afterAll(async () => {
  await manager?.stop();
  await cluster?.close();
});

describe("08 challenge", () => {
  it("deletes the pod with the lower pod-deletion-cost first", () => {
    // Equal in every rule of step 08.2 but age: without the annotation, the younger goes first.
    const cheapOld = readyPod("cheap-old", "2024-01-01T00:00:00Z", -5);
    const dearYoung = readyPod("dear-young", "2024-06-01T00:00:00Z", 100);
    const plain = readyPod("plain", "2024-03-01T00:00:00Z");
    const order = [dearYoung, plain, cheapOld].sort(deletionOrder).map((p) => p.metadata?.name);
    expect(order).toEqual(["cheap-old", "plain", "dear-young"]);
  });

  it("Foreground: the RC stays, marked, until its pods are gone", async () => {
    const rc: ReplicationController = {
      apiVersion: "v1",
      kind: "ReplicationController",
      metadata: { name: "fg" },
      spec: { replicas: 2, selector: { app: "fg" }, template: { metadata: { labels: { app: "fg" } }, spec: { containers: [{ name: "main", image: "busybox" }] } } },
    };
    expect((await api("POST", "/api/v1/namespaces/default/replicationcontrollers", rc)).status).toBe(201);
    await waitFor("two pods of fg", async () => (await api<List<Pod>>("GET", "/api/v1/namespaces/default/pods?labelSelector=app%3Dfg")).body.items.length === 2);
    const del = await api<ReplicationController>("DELETE", "/api/v1/namespaces/default/replicationcontrollers/fg", {
      apiVersion: "v1",
      kind: "DeleteOptions",
      propagationPolicy: "Foreground",
    });
    expect(del.status).toBe(200);
    // The RC is kept, marked, with the foregroundDeletion finalizer ...
    expect(del.body.metadata?.deletionTimestamp).toBeTruthy();
    expect(del.body.metadata?.finalizers).toContain("foregroundDeletion");
    // ... and goes only after its pods.
    await waitFor("the pods of fg to be gone", async () => (await api<List<Pod>>("GET", "/api/v1/namespaces/default/pods?labelSelector=app%3Dfg")).body.items.length === 0);
    await waitFor("the RC fg to be gone", async () => (await api("GET", "/api/v1/namespaces/default/replicationcontrollers/fg")).status === 404);
  });
});
