/**
 * The arithmetic of PodDisruptionBudgets (given code of chapter 13):
 * expected and desired counts for counts and percentages, which pods are
 * healthy, the eviction's decrement and its refusals.
 */
import { describe, expect, it } from "vitest";
import { budgetStatus, decrement, selects } from "@tree/13-deployments/index.ts";
import type { Pod } from "../shared/api/index.ts";
import type { PodDisruptionBudget } from "../shared/api/policy.ts";

const NOW = Date.parse("2026-01-01T00:10:00Z");

function pod(name: string, ready = true, extra: Partial<NonNullable<Pod["metadata"]>> = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", labels: { app: "web" }, ...extra },
    status: { phase: "Running", conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
  } as Pod;
}

function pdb(
  spec: PodDisruptionBudget["spec"],
  status?: Partial<NonNullable<PodDisruptionBudget["status"]>>,
): PodDisruptionBudget {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: "web", namespace: "default", generation: 1 },
    spec: { selector: { matchLabels: { app: "web" } }, ...spec },
    ...(status ? { status: { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, ...status } } : {}),
  };
}

const counts = (b: PodDisruptionBudget, pods: Pod[], replicas?: number) => {
  const { status } = budgetStatus(
    b,
    pods,
    replicas === undefined ? { ok: false, reason: "no controller" } : { ok: true, replicas },
    NOW,
  );
  return [status.expectedPods, status.desiredHealthy, status.currentHealthy, status.disruptionsAllowed];
};

describe("13 chapter > disruption budgets (given)", () => {
  it("counts expected, desired, healthy and allowed for counts and percentages (rounded up), and fails safe", () => {
    const four = [pod("a"), pod("b"), pod("c"), pod("d", false)];
    // minAvailable as a count: the selected pods are the expected ones.
    expect(counts(pdb({ minAvailable: 2 }), four)).toEqual([4, 2, 3, 1]);
    // A percentage needs the controllers' scale: 50% of 5 is 2.5, rounded up to 3.
    expect(counts(pdb({ minAvailable: "50%" }), four, 5)).toEqual([5, 3, 3, 0]);
    // maxUnavailable: desired = expected - ceil(25% of 5 = 1.25) = 3.
    expect(counts(pdb({ maxUnavailable: "25%" }), four, 5)).toEqual([5, 3, 3, 0]);
    expect(counts(pdb({ maxUnavailable: 1 }), four, 4)).toEqual([4, 3, 3, 0]);
    // Without a controller's scale, nothing is allowed, with the reason in a condition.
    const { status } = budgetStatus(
      pdb({ maxUnavailable: 1 }),
      four,
      { ok: false, reason: 'found no controller for pod "a"' },
      NOW,
    );
    expect(status.disruptionsAllowed).toBe(0);
    expect(status.conditions?.[0]).toMatchObject({ type: "DisruptionAllowed", status: "False", reason: "SyncFailed" });
    // Pods being deleted and pods just evicted (disruptedPods, for 2 minutes) are not healthy.
    const going = [pod("a"), pod("b", true, { deletionTimestamp: "2026-01-01T00:09:59Z" }), pod("c")];
    const recent = pdb({ minAvailable: 1 }, { disruptedPods: { c: "2026-01-01T00:09:30Z" } });
    const after = budgetStatus(recent, going, { ok: true, replicas: 0 }, NOW);
    expect([after.status.currentHealthy, after.status.disruptionsAllowed, after.status.disruptedPods]).toEqual([
      1,
      0,
      { c: "2026-01-01T00:09:30Z" },
    ]);
    expect(after.recheckAt).toBe(Date.parse("2026-01-01T00:11:30Z"));
    const old = pdb({ minAvailable: 1 }, { disruptedPods: { c: "2026-01-01T00:07:00Z" } });
    expect(budgetStatus(old, going, { ok: true, replicas: 0 }, NOW).status.currentHealthy).toBe(2);
    // policy/v1: a missing selector selects no pod; an empty one selects every pod of the namespace.
    expect(selects({ ...pdb({}), spec: {} }, pod("a"))).toBe(false);
    expect(selects(pdb({ selector: {} }), pod("a"))).toBe(true);
    expect(selects(pdb({ selector: {} }), { ...pod("a"), metadata: { name: "a", namespace: "other" } })).toBe(false);
  });

  it("an eviction takes one allowed disruption and notes the pod; none left or a stale status is 429", () => {
    const one = pdb(
      { minAvailable: 2 },
      { disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, observedGeneration: 1 },
    );
    const next = decrement(one, "web-a", new Date(NOW)) as PodDisruptionBudget;
    expect(next.status?.disruptionsAllowed).toBe(0);
    expect(next.status?.disruptedPods).toEqual({ "web-a": "2026-01-01T00:10:00Z" });
    const refusal = (b: PodDisruptionBudget) => {
      try {
        decrement(b, "web-b");
      } catch (err) {
        const s = (err as { status: { code: number; message: string; details?: { causes?: { message?: string }[] } } }).status;
        return [s.code, s.message, s.details?.causes?.[0]?.message];
      }
      return "allowed";
    };
    expect(refusal(next)).toEqual([
      429,
      "Cannot evict pod as it would violate the pod's disruption budget.",
      "The disruption budget web needs 2 healthy pods and has 3 currently",
    ]);
    const stale = { ...one, metadata: { ...one.metadata, generation: 2 } };
    expect(refusal(stale)).toEqual([
      429,
      "Cannot evict pod as it would violate the pod's disruption budget.",
      "The disruption budget web is still being processed by the server.",
    ]);
  });
});
