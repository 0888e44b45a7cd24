/**
 * Chapter 08, no server: the decisions of the replication controller, the
 * garbage collector and the rolling update, as pure functions. Desired state
 * and actual state go in; what to do comes out.
 */
import { describe, expect, it } from "vitest";
import { defaultReplicationController, validateReplicationController } from "@tree/08-replication/apiserver/replicationcontrollers.ts";
import { scaleOf } from "@tree/08-replication/apiserver/scale.ts";
import { Expectations } from "@tree/08-replication/controller-manager/expectations.ts";
import { decideDependent } from "@tree/08-replication/garbage-collector/garbage-collector.ts";
import { classifyPods, newPodFromTemplate } from "@tree/08-replication/replication/owner-references.ts";
import { decideReplicas, deletionOrder } from "@tree/08-replication/replication/reconcile.ts";
import { calculateStatus } from "@tree/08-replication/replication/status.ts";
import { nextStep } from "@tree/08-replication/rolling-update/rolling-update.ts";
import { selectorFromSet } from "@tree/07-labels/labels/selector.ts";
import { fieldErrorMessage, type OwnerReference, type Pod } from "../shared/api/index.ts";
import type { ReplicationController } from "../shared/api/replication.ts";

const RC_UID = "uid-of-web";

function rc(overrides: Partial<NonNullable<ReplicationController["spec"]>> = {}, meta: Partial<NonNullable<ReplicationController["metadata"]>> = {}): ReplicationController {
  return {
    apiVersion: "v1",
    kind: "ReplicationController",
    metadata: { name: "web", namespace: "shop", uid: RC_UID, generation: 4, ...meta },
    spec: {
      replicas: 3,
      selector: { app: "web" },
      template: {
        metadata: { labels: { app: "web", tier: "front" }, annotations: { note: "x" } },
        spec: { containers: [{ name: "httpd", image: "busybox", command: ["httpd", "-f"] }] },
      },
      ...overrides,
    },
  };
}

const ref = (uid: string, controller = true): OwnerReference => ({ apiVersion: "v1", kind: "ReplicationController", name: uid, uid, controller });

interface PodShape {
  labels?: Record<string, string>;
  owner?: string;
  node?: string;
  phase?: Pod["status"] extends infer S ? (S extends { phase?: infer P } ? P : never) : never;
  ready?: boolean;
  readySince?: string;
  restarts?: number;
  created?: string;
}

function pod(name: string, shape: PodShape = {}): Pod {
  const conditions = shape.ready !== undefined ? [{ type: "Ready", status: shape.ready ? ("True" as const) : ("False" as const), lastTransitionTime: shape.readySince ?? "2024-01-01T00:00:00Z" }] : [];
  return {
    metadata: {
      name,
      namespace: "shop",
      labels: shape.labels ?? { app: "web", tier: "front" },
      creationTimestamp: shape.created ?? "2024-01-01T00:00:00Z",
      ...(shape.owner ? { ownerReferences: [ref(shape.owner)] } : {}),
    },
    spec: { containers: [{ name: "httpd", image: "busybox" }], ...(shape.node ? { nodeName: shape.node } : {}) },
    status: { phase: shape.phase ?? "Running", conditions, containerStatuses: [{ name: "httpd", ready: !!shape.ready, restartCount: shape.restarts ?? 0, image: "busybox", imageID: "", state: {} }] },
  };
}

const names = (pods: Pod[]) => pods.map((p) => p.metadata?.name);

describe("08 chapter > the ReplicationController resource (given)", () => {
  it("defaults the selector and labels from the template, replicas to 1, and the template's pod spec", () => {
    const obj: ReplicationController = { metadata: { name: "web" }, spec: { template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "busybox" }] } } } };
    defaultReplicationController(obj);
    expect(obj.spec?.selector).toEqual({ app: "web" });
    expect(obj.metadata?.labels).toEqual({ app: "web" });
    expect(obj.spec?.replicas).toBe(1);
    expect(obj.spec?.minReadySeconds).toBe(0);
    expect(obj.spec?.template?.spec?.restartPolicy).toBe("Always");
    expect(obj.spec?.template?.spec?.containers[0]?.terminationMessagePolicy).toBe("File");
    // What the user set stays.
    const own = rc({ replicas: 0, selector: { app: "web" } }, { labels: { team: "blue" } });
    defaultReplicationController(own);
    expect(own.spec?.replicas).toBe(0);
    expect(own.spec?.selector).toEqual({ app: "web" });
    expect(own.metadata?.labels).toEqual({ team: "blue" });
  });

  it("accepts a valid RC and explains every problem of an invalid one", () => {
    expect(validateReplicationController(rc())).toEqual([]);
    const messages = (obj: ReplicationController) => validateReplicationController(obj).map(fieldErrorMessage);
    expect(messages(rc({ selector: { app: "db" } }))).toEqual([
      'spec.template.metadata.labels: Invalid value: {"app":"web","tier":"front"}: `selector` does not match template `labels`',
    ]);
    expect(messages(rc({ replicas: -1 }))).toEqual(["spec.replicas: Invalid value: -1: must be greater than or equal to 0"]);
    expect(messages(rc({ selector: {} }))).toContain("spec.selector: Required value");
    expect(messages(rc({ template: undefined }))).toContain("spec.template: Required value");
    expect(messages({ metadata: { name: "x" } })).toEqual(["spec: Required value"]);
    const noImage = rc();
    noImage.spec!.template!.spec!.containers[0]!.image = "";
    expect(messages(noImage)).toEqual(["spec.template.spec.containers[0].image: Required value"]);
    const never = rc();
    never.spec!.template!.spec!.restartPolicy = "Never";
    expect(messages(never)).toEqual(['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']);
  });
});

describe("08.1 owner references and adoption", () => {
  it("makes a pod from the template, owned by the RC", () => {
    const owner = rc();
    const made = newPodFromTemplate(owner);
    expect(made).toMatchObject({ apiVersion: "v1", kind: "Pod" });
    expect(made.metadata?.name).toBeUndefined();
    expect(made.metadata?.generateName).toBe("web-");
    expect(made.metadata?.namespace).toBe("shop");
    expect(made.metadata?.labels).toEqual({ app: "web", tier: "front" });
    expect(made.metadata?.annotations).toEqual({ note: "x" });
    expect(made.metadata?.ownerReferences).toEqual([
      { apiVersion: "v1", kind: "ReplicationController", name: "web", uid: RC_UID, controller: true, blockOwnerDeletion: true },
    ]);
    expect(made.spec).toEqual(owner.spec?.template?.spec);
    // A copy: changing the pod does not change the RC in the informer's cache.
    made.metadata!.labels!.app = "changed";
    made.spec!.containers[0]!.image = "changed";
    expect(owner.spec?.template?.metadata?.labels?.app).toBe("web");
    expect(owner.spec?.template?.spec?.containers[0]?.image).toBe("busybox");
  });

  it("owns its matching pods, adopts matching orphans, releases pods that stopped matching, ignores others'", () => {
    const pods = [
      pod("mine", { owner: RC_UID }),
      pod("orphan"),
      pod("relabelled", { owner: RC_UID, labels: { app: "debug" } }),
      pod("someone-elses", { owner: "uid-of-another" }),
      pod("stranger", { labels: { app: "db" } }),
    ];
    const claims = classifyPods(rc(), selectorFromSet({ app: "web" }), pods);
    expect(names(claims.owned)).toEqual(["mine"]);
    expect(names(claims.adopt)).toEqual(["orphan"]);
    expect(names(claims.release)).toEqual(["relabelled"]);
    // A controller that is being deleted adopts nothing.
    const dying = classifyPods(rc({}, { deletionTimestamp: "2024-01-01T00:00:00Z" }), selectorFromSet({ app: "web" }), pods);
    expect(names(dying.adopt)).toEqual([]);
    expect(names(dying.owned)).toEqual(["mine"]);
  });
});

describe("08.2 the reconcile diff", () => {
  it("creates what is missing and nothing when the count is right", () => {
    expect(decideReplicas(3, [pod("a")])).toEqual({ kind: "create", count: 2 });
    expect(decideReplicas(2, [pod("a"), pod("b")])).toEqual({ kind: "none" });
    expect(decideReplicas(0, [])).toEqual({ kind: "none" });
    // At most `burst` per sync.
    expect(decideReplicas(1000, [], 500)).toEqual({ kind: "create", count: 500 });
  });

  it("deletes the surplus, the pods that hurt least first, without reordering its input", () => {
    const active = [
      pod("old-ready", { node: "n1", ready: true, readySince: "2024-01-01T00:00:00Z", created: "2024-01-01T00:00:00Z" }),
      pod("new-ready", { node: "n1", ready: true, readySince: "2024-01-02T00:00:00Z", created: "2024-01-01T00:00:00Z" }),
      pod("unscheduled", { phase: "Pending" }),
      pod("pending-on-node", { node: "n1", phase: "Pending" }),
      pod("not-ready", { node: "n1", ready: false }),
      pod("crashy", { node: "n1", ready: true, readySince: "2024-01-01T00:00:00Z", restarts: 5, created: "2024-01-01T00:00:00Z" }),
    ];
    const before = names(active);
    expect(names([...active].sort(deletionOrder))).toEqual(["unscheduled", "pending-on-node", "not-ready", "new-ready", "crashy", "old-ready"]);
    const decision = decideReplicas(2, active);
    expect(decision.kind).toBe("delete");
    expect(decision.kind === "delete" && names(decision.pods)).toEqual(["unscheduled", "pending-on-node", "not-ready", "new-ready"]);
    expect(names(active)).toEqual(before);
    // Same in everything else: the younger pod goes first.
    const young = pod("young", { node: "n1", ready: false, created: "2024-03-01T00:00:00Z" });
    const old = pod("old", { node: "n1", ready: false, created: "2024-01-01T00:00:00Z" });
    expect(names([old, young].sort(deletionOrder))).toEqual(["young", "old"]);
    expect(decideReplicas(1, [old, young], 500)).toEqual({ kind: "delete", pods: [young] });
  });
});

describe("08.3 expectations", () => {
  it("holds the controller back until every creation it made is observed", () => {
    const e = new Expectations();
    expect(e.satisfied("shop/web")).toBe(true); // never acted
    e.expectCreations("shop/web", 3);
    expect(e.satisfied("shop/web")).toBe(false);
    e.creationObserved("shop/web");
    e.creationObserved("shop/web");
    expect(e.satisfied("shop/web")).toBe(false);
    e.creationObserved("shop/web");
    expect(e.satisfied("shop/web")).toBe(true);
    expect(e.satisfied("shop/other")).toBe(true);
    e.creationObserved("shop/nobody"); // no record: nothing happens
    expect(e.satisfied("shop/nobody")).toBe(true);
  });

  it("tracks deletions by pod, so seeing one pod twice does not count twice", () => {
    const e = new Expectations();
    e.expectDeletions("shop/web", ["shop/a", "shop/b"]);
    e.deletionObserved("shop/web", "shop/a"); // marked for deletion
    e.deletionObserved("shop/web", "shop/a"); // and gone: the same pod
    expect(e.satisfied("shop/web")).toBe(false);
    e.deletionObserved("shop/web", "shop/other");
    expect(e.satisfied("shop/web")).toBe(false);
    e.deletionObserved("shop/web", "shop/b");
    expect(e.satisfied("shop/web")).toBe(true);
  });

  it("gives up waiting after the TTL, and forgets a deleted controller", () => {
    let now = 1_000;
    const e = new Expectations({ ttlMs: 5_000, now: () => now });
    e.expectCreations("shop/web", 2);
    now += 5_000;
    expect(e.satisfied("shop/web")).toBe(false);
    now += 1;
    expect(e.satisfied("shop/web")).toBe(true);
    e.expectDeletions("shop/web", ["shop/a"]);
    expect(e.satisfied("shop/web")).toBe(false);
    e.delete("shop/web");
    expect(e.satisfied("shop/web")).toBe(true);
  });
});

describe("08.4 status", () => {
  it("counts replicas, fully labelled, ready and available pods, and the generation it saw", () => {
    const now = new Date("2024-01-01T00:01:00Z");
    const pods = [
      pod("a", { ready: true, readySince: "2024-01-01T00:00:00Z" }),
      pod("b", { ready: true, readySince: "2024-01-01T00:00:50Z" }),
      pod("c", { ready: false, labels: { app: "web" } }),
    ];
    expect(calculateStatus(rc(), pods, now)).toEqual({ replicas: 3, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 4 });
    // With minReadySeconds 30, b (ready for 10 s) is not available yet.
    expect(calculateStatus(rc({ minReadySeconds: 30 }), pods, now)).toMatchObject({ readyReplicas: 2, availableReplicas: 1 });
    expect(calculateStatus(rc(), [], now)).toEqual({ replicas: 0, fullyLabeledReplicas: 0, readyReplicas: 0, availableReplicas: 0, observedGeneration: 4 });
  });

  it("reports a failure to create pods as the ReplicaFailure condition, and clears it", () => {
    const now = new Date("2024-01-01T00:01:00Z");
    const failed = calculateStatus(rc(), [], now, { reason: "FailedCreate", message: "pods is forbidden" });
    expect(failed.conditions).toEqual([
      { type: "ReplicaFailure", status: "True", reason: "FailedCreate", message: "pods is forbidden", lastTransitionTime: "2024-01-01T00:01:00Z" },
    ]);
    const owner = rc();
    owner.status = failed;
    expect(calculateStatus(owner, [], now).conditions).toBeUndefined();
  });
});

describe("08 chapter > the Scale of an RC (given)", () => {
  it("shows spec.replicas, status.replicas and the selector as a string", () => {
    const owner = rc({ selector: { app: "web", tier: "front" } }, { resourceVersion: "42", creationTimestamp: "2024-01-01T00:00:00Z" });
    owner.status = { replicas: 2 };
    expect(scaleOf(owner)).toEqual({
      apiVersion: "autoscaling/v1",
      kind: "Scale",
      metadata: { name: "web", namespace: "shop", uid: RC_UID, resourceVersion: "42", creationTimestamp: "2024-01-01T00:00:00Z" },
      spec: { replicas: 3 },
      status: { replicas: 2, selector: "app=web,tier=front" },
    });
  });
});

describe("08.6 the garbage collector's decision", () => {
  it("deletes a dependent whose owners are all gone, and only unlinks the gone ones otherwise", () => {
    const alive = new Set(["a"]);
    const exists = (r: OwnerReference) => alive.has(r.uid);
    expect(decideDependent([], exists)).toEqual({ kind: "keep" });
    expect(decideDependent([ref("a")], exists)).toEqual({ kind: "keep" });
    expect(decideDependent([ref("gone")], exists)).toEqual({ kind: "delete" });
    expect(decideDependent([ref("gone"), ref("also-gone", false)], exists)).toEqual({ kind: "delete" });
    expect(decideDependent([ref("a", false), ref("gone")], exists)).toEqual({ kind: "removeReferences", uids: ["gone"] });
  });
});

describe("08 chapter > the rolling update's plan (given)", () => {
  /** Plays the plan to the end: the sizes after each step. */
  function play(oldReplicas: number, wanted: number): string[] {
    const seen: string[] = [];
    let [o, n] = [oldReplicas, 0];
    for (let i = 0; i < 50; i++) {
      const step = nextStep(o, n, wanted);
      if (step.kind === "done") return seen;
      if (step.kind === "scaleUpNew") n = step.to;
      else o = step.to;
      seen.push(`${o}/${n}`);
    }
    throw new Error("the plan never ends");
  }

  it("brings one new pod up before taking one old pod down, until only new ones are left", () => {
    expect(play(3, 3)).toEqual(["3/1", "2/1", "2/2", "1/2", "1/3", "0/3"]);
    expect(play(1, 1)).toEqual(["1/1", "0/1"]);
    expect(play(1, 3)).toEqual(["1/1", "1/2", "1/3", "0/3"]);
    expect(play(3, 1)).toEqual(["2/0", "1/0", "1/1", "0/1"]);
    expect(nextStep(0, 2, 2)).toEqual({ kind: "done" });
  });
});
