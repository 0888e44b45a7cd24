/**
 * Chapter 13, no server: the decisions of the deployment controller as pure
 * functions. The Deployment's numbers and its ReplicaSets' numbers go in;
 * how many pods each ReplicaSet gets next, which revision it carries, and
 * what the status says come out.
 */
import { describe, expect, it } from "vitest";
import { defaultDeployment, validateDeployment } from "@tree/13-deployments/apiserver/deployments.ts";
import { nextStatus } from "@tree/13-deployments/deployment/progress.ts";
import {
  findNewReplicaSet,
  historyToDelete,
  newRevisionAnnotations,
  podTemplateHash,
} from "@tree/13-deployments/deployment/revisions.ts";
import {
  newReplicaSetTarget,
  oldReplicaSetTargets,
  resolveFenceposts,
  type SetCounts,
} from "@tree/13-deployments/deployment/rollout.ts";
import type { Deployment, DeploymentStrategy, ReplicaSet } from "../shared/api/apps.ts";
import { fieldErrorMessage, type PodTemplateSpec } from "../shared/api/index.ts";

const template = (image: string): PodTemplateSpec => ({
  metadata: { labels: { app: "web" } },
  spec: { containers: [{ name: "web", image }] },
});

function deployment(
  replicas: number,
  rollingUpdate?: NonNullable<DeploymentStrategy["rollingUpdate"]>,
  extra: Partial<NonNullable<Deployment["spec"]>> = {},
): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default", uid: "d-uid", generation: 2 },
    spec: {
      replicas,
      selector: { matchLabels: { app: "web" } },
      template: template("busybox:2"),
      strategy: { type: "RollingUpdate", rollingUpdate },
      ...extra,
    },
    status: { observedGeneration: 1 },
  };
}

function rs(
  name: string,
  image: string,
  opts: {
    revision?: number;
    replicas?: number;
    status?: number;
    available?: number;
    ready?: number;
    created?: string;
    annotations?: Record<string, string>;
  } = {},
): ReplicaSet {
  const t = template(image);
  t.metadata!.labels!["pod-template-hash"] = name.split("-")[1] ?? "x";
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name,
      namespace: "default",
      uid: `${name}-uid`,
      creationTimestamp: opts.created ?? "2026-01-01T00:00:00Z",
      annotations: {
        ...(opts.revision ? { "deployment.kubernetes.io/revision": String(opts.revision) } : {}),
        ...opts.annotations,
      },
    },
    spec: { replicas: opts.replicas ?? 0, selector: { matchLabels: { app: "web" } }, template: t },
    status: {
      replicas: opts.status ?? opts.replicas ?? 0,
      readyReplicas: opts.ready ?? opts.available ?? 0,
      availableReplicas: opts.available ?? 0,
    },
  };
}

const set = (name: string, replicas: number, available: number): SetCounts => ({ name, replicas, available });

/**
 * Plays a whole rollout with the learner's two decisions: every pod the new
 * ReplicaSet asks for becomes available at the next tick. Returns the
 * (old, new) pairs seen, so a test can check the limits at every step.
 */
function playRollout(replicas: number, surge: number | string, unavailable: number | string): Array<[number, number, number]> {
  const d = deployment(replicas, { maxSurge: surge, maxUnavailable: unavailable });
  const fence = resolveFenceposts(d);
  let old = set("old", replicas, replicas);
  let next = set("new", 0, 0);
  const seen: Array<[number, number, number]> = [];
  for (let tick = 0; tick < 50 && !(old.replicas === 0 && next.available === replicas); tick++) {
    const target = newReplicaSetTarget(replicas, fence, [old, next], next);
    next = { ...next, replicas: target };
    const down = oldReplicaSetTargets(replicas, fence, [old], next).get("old");
    if (down !== undefined) old = { ...old, replicas: down, available: Math.min(old.available, down) };
    seen.push([old.replicas, next.replicas, old.available + next.available]);
    next = { ...next, available: next.replicas }; // the new pods come up
  }
  return seen;
}

describe("13.1 fenceposts", () => {
  it("13.1 fenceposts turn percentages into pods: surge rounds up, unavailable rounds down", () => {
    expect(resolveFenceposts(deployment(10, { maxSurge: "25%", maxUnavailable: "25%" }))).toEqual({
      maxSurge: 3,
      maxUnavailable: 2,
    });
    expect(resolveFenceposts(deployment(4, { maxSurge: 1, maxUnavailable: 0 }))).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    expect(resolveFenceposts(deployment(3, { maxSurge: "50%", maxUnavailable: "50%" }))).toEqual({
      maxSurge: 2,
      maxUnavailable: 1,
    });
  });

  it("13.1 fenceposts never freeze a rollout: 25% of one pod still lets one pod be unavailable", () => {
    expect(resolveFenceposts(deployment(1, { maxSurge: "0%", maxUnavailable: "25%" }))).toEqual({
      maxSurge: 0,
      maxUnavailable: 1,
    });
    expect(resolveFenceposts(deployment(1, { maxSurge: "25%", maxUnavailable: "25%" }))).toEqual({
      maxSurge: 1,
      maxUnavailable: 0,
    });
  });

  it("13.1 scale up stays within replicas + maxSurge, counting every ReplicaSet", () => {
    const fence = { maxSurge: 1, maxUnavailable: 0 };
    expect(newReplicaSetTarget(4, fence, [set("old", 4, 4), set("new", 0, 0)], set("new", 0, 0))).toBe(1);
    expect(
      newReplicaSetTarget(4, fence, [set("old", 4, 4), set("new", 1, 0)], set("new", 1, 0)),
      "at the limit: old ones first",
    ).toBe(1);
    expect(newReplicaSetTarget(4, fence, [set("old", 2, 2), set("new", 2, 2)], set("new", 2, 2))).toBe(3);
    expect(
      newReplicaSetTarget(4, { maxSurge: 3, maxUnavailable: 0 }, [set("old", 0, 0), set("new", 2, 2)], set("new", 2, 2)),
      "never above replicas",
    ).toBe(4);
  });

  it("13.1 scale up never shrinks the new ReplicaSet, even over the limit", () => {
    // maxSurge lowered mid-rollout: 6 pods exist where 5 are allowed now.
    const fence = { maxSurge: 1, maxUnavailable: 0 };
    expect(newReplicaSetTarget(4, fence, [set("old", 4, 4), set("new", 2, 2)], set("new", 2, 2))).toBe(2);
  });

  it("13.1 scale up uses the whole surge at once", () => {
    expect(
      newReplicaSetTarget(10, { maxSurge: 3, maxUnavailable: 2 }, [set("old", 10, 10), set("new", 0, 0)], set("new", 0, 0)),
    ).toBe(3);
  });
});

describe("13.2 scale down", () => {
  it("13.2 scale down keeps replicas - maxUnavailable pods available", () => {
    const fence = { maxSurge: 1, maxUnavailable: 0 };
    expect(oldReplicaSetTargets(4, fence, [set("old", 4, 4)], set("new", 1, 0)).size, "the new pod is not available yet").toBe(0);
    expect(oldReplicaSetTargets(4, fence, [set("old", 4, 4)], set("new", 1, 1))).toEqual(new Map([["old", 3]]));
    expect(oldReplicaSetTargets(4, { maxSurge: 0, maxUnavailable: 1 }, [set("old", 4, 4)], set("new", 0, 0))).toEqual(
      new Map([["old", 3]]),
    );
  });

  it("13.2 scale down removes unavailable old pods first: they cost no availability", () => {
    // 2 of the 4 old pods are broken. Available: 2 old + 2 new = 4, none to spare; the broken ones still go.
    expect(oldReplicaSetTargets(4, { maxSurge: 2, maxUnavailable: 0 }, [set("old", 4, 2)], set("new", 2, 2))).toEqual(
      new Map([["old", 2]]),
    );
    // Nothing goes while the new ReplicaSet's pods may never come up: they may be needed.
    expect(oldReplicaSetTargets(4, { maxSurge: 1, maxUnavailable: 0 }, [set("old", 4, 2)], set("new", 1, 0)).size).toBe(0);
  });

  it("13.2 scale down takes the oldest ReplicaSet first", () => {
    const targets = oldReplicaSetTargets(
      4,
      { maxSurge: 0, maxUnavailable: 2 },
      [set("oldest", 1, 1), set("older", 3, 3)],
      set("new", 0, 0),
    );
    expect(targets).toEqual(
      new Map([
        ["oldest", 0],
        ["older", 2],
      ]),
    );
  });

  for (const [replicas, surge, unavailable] of [
    [4, 1, 0],
    [4, 0, 1],
    [10, "25%", "25%"],
    [3, "100%", 0],
    [1, 0, "25%"],
    [5, 2, 2],
  ] as const) {
    it(`13.2 scale down and 13.1 scale up finish a rollout of ${replicas} (surge ${surge}, unavailable ${unavailable}) within both limits`, () => {
      const fence = resolveFenceposts(deployment(replicas, { maxSurge: surge, maxUnavailable: unavailable }));
      const steps = playRollout(replicas, surge, unavailable);
      expect(steps.at(-1)?.slice(0, 2), "the rollout ends with every pod in the new ReplicaSet").toEqual([0, replicas]);
      for (const [old, next, available] of steps) {
        expect(old + next).toBeLessThanOrEqual(replicas + fence.maxSurge);
        expect(available).toBeGreaterThanOrEqual(replicas - fence.maxUnavailable);
      }
    });
  }
});

describe("13.3 revisions", () => {
  it("13.3 finds the ReplicaSet of the current template, whatever its pod-template-hash and empty parts", () => {
    const d = deployment(3);
    const current = rs("web-bbb", "busybox:2");
    current.spec!.template!.spec!.containers[0]!.resources = {};
    expect(findNewReplicaSet(d, [rs("web-aaa", "busybox:1"), current])?.metadata?.name).toBe("web-bbb");
    expect(findNewReplicaSet(d, [rs("web-aaa", "busybox:1")])).toBeUndefined();
  });

  it("13.3 finds the oldest when two ReplicaSets have the same template", () => {
    const d = deployment(3);
    const sets = [
      rs("web-new", "busybox:2", { created: "2026-01-02T00:00:00Z" }),
      rs("web-old", "busybox:2", { created: "2026-01-01T00:00:00Z" }),
    ];
    expect(findNewReplicaSet(d, sets)?.metadata?.name).toBe("web-old");
  });

  it("13.3 revisions: a new ReplicaSet gets one more than the highest old one", () => {
    const d = deployment(3);
    const annotations = newRevisionAnnotations(d, rs("web-c", "busybox:2"), [
      rs("web-a", "busybox:0", { revision: 1 }),
      rs("web-b", "busybox:1", { revision: 4 }),
    ]);
    expect(annotations?.["deployment.kubernetes.io/revision"]).toBe("5");
  });

  it("13.3 revisions: a sync that changes nothing writes nothing", () => {
    const d = deployment(3);
    expect(
      newRevisionAnnotations(d, rs("web-c", "busybox:2", { revision: 5 }), [rs("web-b", "busybox:1", { revision: 4 })]),
    ).toBeUndefined();
  });

  it("13.3 revisions: an undo brings an old ReplicaSet back with the next number, and remembers the old one", () => {
    const d = deployment(3);
    d.metadata!.annotations = { "kubernetes.io/change-cause": "back to 2" };
    const back = rs("web-a", "busybox:2", { revision: 1 });
    const annotations = newRevisionAnnotations(d, back, [rs("web-b", "busybox:1", { revision: 2 })]);
    expect(annotations).toMatchObject({
      "deployment.kubernetes.io/revision": "3",
      "deployment.kubernetes.io/revision-history": "1",
      "kubernetes.io/change-cause": "back to 2",
    });
  });

  it("13.3 history keeps revisionHistoryLimit old ReplicaSets and deletes the oldest idle ones", () => {
    const d = deployment(3, undefined, { revisionHistoryLimit: 1 });
    const old = [
      rs("web-a", "busybox:a", { revision: 1 }),
      rs("web-b", "busybox:b", { revision: 2 }),
      rs("web-c", "busybox:c", { revision: 3, replicas: 1 }),
    ];
    expect(historyToDelete(d, old).map((r) => r.metadata?.name)).toEqual(["web-a", "web-b"]);
    const busy = [rs("web-a", "busybox:a", { revision: 1, replicas: 0, status: 1 }), rs("web-b", "busybox:b", { revision: 2 })];
    expect(
      historyToDelete(d, busy).map((r) => r.metadata?.name),
      "a ReplicaSet whose pods still run stays",
    ).toEqual(["web-b"]);
    expect(historyToDelete(deployment(3, undefined, { revisionHistoryLimit: 10 }), old)).toEqual([]);
  });

  it("13.3 finds the new ReplicaSet by template, not by its pod-template-hash (which changes with the collision count)", () => {
    const a = podTemplateHash(template("busybox:1"));
    expect(a).toBe(podTemplateHash(template("busybox:1")));
    expect(a).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    expect(podTemplateHash(template("busybox:2"))).not.toBe(a);
    const other = podTemplateHash(template("busybox:2"), 1);
    expect(other).not.toBe(podTemplateHash(template("busybox:2")));
    const d = deployment(3);
    expect(findNewReplicaSet(d, [rs(`web-${a}`, "busybox:1"), rs(`web-${other}`, "busybox:2")])?.metadata?.name).toBe(
      `web-${other}`,
    );
  });
});

describe("13.5 conditions", () => {
  const now = new Date("2026-01-01T00:10:00Z");
  const at = (s: ReturnType<typeof nextStatus>, type: string) => s.conditions?.find((c) => c.type === type);

  it("13.5 conditions: counts come from every ReplicaSet; updatedReplicas from the new one", () => {
    const d = deployment(3, { maxSurge: 1, maxUnavailable: 0 });
    const newRS = rs("web-b", "busybox:2", { replicas: 2, available: 1 });
    const s = nextStatus(d, [rs("web-a", "busybox:1", { replicas: 2, available: 2 }), newRS], newRS, false, now);
    expect(s).toMatchObject({ observedGeneration: 2, replicas: 4, updatedReplicas: 2, availableReplicas: 3, readyReplicas: 3 });
    expect(at(s, "Available")).toMatchObject({ status: "True", reason: "MinimumReplicasAvailable" });
    expect(at(s, "Progressing")).toMatchObject({ status: "True", reason: "ReplicaSetUpdated" });
  });

  it("13.5 conditions: a finished rollout says NewReplicaSetAvailable", () => {
    const d = deployment(3);
    const newRS = rs("web-b", "busybox:2", { replicas: 3, available: 3 });
    const s = nextStatus(d, [rs("web-a", "busybox:1"), newRS], newRS, false, now);
    expect(at(s, "Progressing")).toMatchObject({
      status: "True",
      reason: "NewReplicaSetAvailable",
      message: 'ReplicaSet "web-b" has successfully progressed.',
    });
  });

  it("13.5 conditions: too few available pods make Available False", () => {
    const d = deployment(4, { maxSurge: 1, maxUnavailable: 1 });
    const newRS = rs("web-b", "busybox:2", { replicas: 4, available: 2 });
    expect(at(nextStatus(d, [newRS], newRS, false, now), "Available")).toMatchObject({
      status: "False",
      reason: "MinimumReplicasUnavailable",
    });
  });

  it("13.5 conditions: no progress for longer than progressDeadlineSeconds is ProgressDeadlineExceeded, and moving again clears it", () => {
    const d = deployment(3, { maxSurge: 1, maxUnavailable: 0 }, { progressDeadlineSeconds: 60 });
    const newRS = rs("web-b", "busybox:2", { replicas: 1, available: 0 });
    const oldRS = rs("web-a", "busybox:1", { replicas: 3, available: 3 });
    const moved = new Date(now.getTime() - 61_000).toISOString();
    d.status = { ...nextStatus(d, [oldRS, newRS], newRS, true, new Date(moved)) };
    d.status.conditions = d.status.conditions!.map((c) => ({ ...c, lastUpdateTime: moved }));
    const stuck = nextStatus(d, [oldRS, newRS], newRS, false, now);
    expect(at(stuck, "Progressing")).toMatchObject({ status: "False", reason: "ProgressDeadlineExceeded" });

    const early = nextStatus(d, [oldRS, newRS], newRS, false, new Date(now.getTime() - 2_000));
    expect(at(early, "Progressing")?.status, "before the deadline it is still progressing").toBe("True");

    d.status = stuck;
    const better = rs("web-b", "busybox:2", { replicas: 1, available: 1 });
    expect(at(nextStatus(d, [oldRS, better], better, false, now), "Progressing")).toMatchObject({
      status: "True",
      reason: "ReplicaSetUpdated",
    });
  });

  it("13.5 conditions: a paused Deployment is Unknown, DeploymentPaused, and never times out", () => {
    const d = deployment(3, undefined, { paused: true, progressDeadlineSeconds: 1 });
    const newRS = rs("web-b", "busybox:2", { replicas: 1, available: 0 });
    expect(at(nextStatus(d, [newRS], newRS, false, now), "Progressing")).toMatchObject({
      status: "Unknown",
      reason: "DeploymentPaused",
    });
  });
});

describe("13.1 the Deployment resource", () => {
  it("13.1 fenceposts of the defaults: RollingUpdate 25%/25% of 4 pods is one pod each way", () => {
    const d: Deployment = { spec: { replicas: 4, selector: { matchLabels: { app: "web" } }, template: template("busybox") } };
    defaultDeployment(d);
    expect(d.spec).toMatchObject({
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
    });
    expect(resolveFenceposts(d)).toEqual({ maxSurge: 1, maxUnavailable: 1 });
  });

  it("13.1 fenceposts: validation refuses both limits 0, a selector that misses the template, Recreate with rollingUpdate", () => {
    const messages = (d: Deployment) => validateDeployment(d).map(fieldErrorMessage);
    const base = (): Deployment => {
      const d: Deployment = { spec: { selector: { matchLabels: { app: "web" } }, template: template("busybox") } };
      defaultDeployment(d);
      return d;
    };
    expect(messages(base())).toEqual([]);
    const wrong = base();
    wrong.spec!.selector = { matchExpressions: [{ key: "app", operator: "In", values: ["api"] }] };
    expect(messages(wrong).join("\n")).toContain("`selector` does not match template `labels`");
    const frozen = base();
    frozen.spec!.strategy = { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: "0%" } };
    expect(messages(frozen).join("\n")).toContain("may not be 0 when `maxSurge` is 0");
    expect(resolveFenceposts(frozen), "what gets past validation (0 and 0% of 1 pod) still moves").toEqual({
      maxSurge: 0,
      maxUnavailable: 1,
    });
    const recreate = base();
    recreate.spec!.strategy = { type: "Recreate", rollingUpdate: { maxSurge: 1 } };
    expect(messages(recreate).join("\n")).toContain("may not be specified when strategy `type` is 'Recreate'");
  });
});
