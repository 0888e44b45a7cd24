/**
 * Chapter 13, no server: one sync() of the deployment controller against
 * caches and a client held in memory. The test sets what the informers show
 * (a Deployment, its ReplicaSets, their pods), calls sync() once, and reads
 * the writes the controller sent. The Docker tests ("13 chapter > ...") show
 * the same moves on a running cluster; this one pins a single decision
 * without one.
 */
import { afterEach, expect, it } from "vitest";
import { DeploymentController } from "@tree/13-deployments/deployment/deployment-controller.ts";
import type { ControllerContext } from "@tree/08-replication/controller-manager/controller-manager.ts";
import type { Deployment, ReplicaSet } from "../shared/api/apps.ts";
import type { Pod } from "../shared/api/index.ts";
import { NotImplementedError } from "../shared/todo.ts";

type Obj = { metadata?: { name?: string; namespace?: string } };

/** What the informers show, by resource ("deployments", "replicasets", "pods"). */
let cache: Record<string, Obj[]>;
/** The writes the controller sent: resource, verb, and the object it sent. */
let writes: Array<{ resource: string; verb: string; body: unknown }>;
let controller: DeploymentController | undefined;

function context(): ControllerContext {
  const informer = (resource: string) => ({
    list: () => cache[resource] ?? [],
    get: (name: string, namespace?: string) =>
      (cache[resource] ?? []).find((o) => o.metadata?.name === name && o.metadata?.namespace === namespace),
    onAdd() {},
    onUpdate() {},
    onDelete() {},
  });
  const client = (resource: string) => {
    const record = (verb: string) => async (body: unknown) => {
      writes.push({ resource, verb, body });
      return body;
    };
    return {
      create: record("create"),
      update: record("update"),
      updateStatus: record("updateStatus"),
      patch: async (name: string, body: unknown) => (writes.push({ resource, verb: "patch", body: { name, body } }), undefined),
      delete: async (name: string) => void writes.push({ resource, verb: "delete", body: name }),
      get: async (name: string, namespace?: string) => informer(resource).get(name, namespace),
    };
  };
  const ctx = {
    client: { resource: (type: { resource: string }) => client(type.resource) },
    informers: { forResource: (type: { resource: string }) => informer(type.resource) },
    log() {},
  };
  return ctx as unknown as ControllerContext;
}

/** One sync of default/web. The status it writes last is step 13.5's: a starter's todo there does not judge 13.4's move. */
async function syncOnce(): Promise<void> {
  controller = new DeploymentController(context());
  await controller.sync("default/web").catch((err: unknown) => {
    if (!(err instanceof NotImplementedError && err.step === "13.5")) throw err;
  });
}

afterEach(async () => {
  await controller?.stop();
  controller = undefined;
});

const template = (image: string) => ({
  metadata: { labels: { app: "web" } },
  spec: { containers: [{ name: "web", image }] },
});

const deployment: Deployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "default", uid: "d-uid", generation: 2 },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: "web" } },
    template: template("web:2"),
    strategy: { type: "Recreate" },
  },
  status: { observedGeneration: 1 },
};

function replicaSet(name: string, image: string, revision: string, replicas: number, created: string): ReplicaSet {
  const labels = { app: "web", "pod-template-hash": name.slice("web-".length) };
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name,
      namespace: "default",
      uid: `${name}-uid`,
      labels,
      creationTimestamp: created,
      annotations: { "deployment.kubernetes.io/revision": revision },
      ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: "d-uid", controller: true }],
    },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: { ...template(image), metadata: { labels } },
    },
    status: { replicas, availableReplicas: 0 },
  };
}

function podOf(rs: ReplicaSet, name: string, terminating: boolean): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "default",
      uid: `${name}-uid`,
      labels: rs.metadata?.labels,
      ...(terminating ? { deletionTimestamp: "2026-01-01T00:00:10Z" } : {}),
      ownerReferences: [
        { apiVersion: "apps/v1", kind: "ReplicaSet", name: rs.metadata!.name!, uid: rs.metadata!.uid!, controller: true },
      ],
    },
    spec: { containers: [{ name: "web", image: "web:1" }] },
  };
}

/** The spec.replicas the sync wrote for each ReplicaSet, by name. */
const scaled = () =>
  Object.fromEntries(
    writes
      .filter((w) => w.resource === "replicasets" && w.verb === "update")
      .map((w) => [(w.body as ReplicaSet).metadata?.name, (w.body as ReplicaSet).spec?.replicas]),
  );

it("13.4 Recreate never runs old and new pods together: the new ReplicaSet waits until the old pods are gone, even those shutting down", async () => {
  const old = replicaSet("web-old", "web:1", "1", 2, "2026-01-01T00:00:00Z");
  const next = replicaSet("web-new", "web:2", "2", 0, "2026-01-01T00:00:05Z");

  // Old pods running: the move is to scale the old ReplicaSet to 0, and nothing more.
  cache = { deployments: [deployment], replicasets: [old, next], pods: [podOf(old, "a", false), podOf(old, "b", false)] };
  writes = [];
  await syncOnce();
  expect(scaled(), "the ReplicaSets the sync scaled while old pods run").toEqual({ "web-old": 0 });
  await controller?.stop();

  // Old ReplicaSet at 0, one pod still shutting down (it has a deletionTimestamp): still wait.
  const drained = { ...old, spec: { ...old.spec, replicas: 0 } };
  cache = { deployments: [deployment], replicasets: [drained, next], pods: [podOf(old, "a", true)] };
  writes = [];
  await syncOnce();
  expect(scaled(), "the ReplicaSets the sync scaled while an old pod shuts down").toEqual({});
  await controller?.stop();

  // Every old pod gone: now the new ReplicaSet gets all the replicas at once.
  cache = { deployments: [deployment], replicasets: [drained, next], pods: [] };
  writes = [];
  await syncOnce();
  expect(scaled(), "the ReplicaSets the sync scaled once the old pods are gone").toEqual({ "web-new": 2 });
});
