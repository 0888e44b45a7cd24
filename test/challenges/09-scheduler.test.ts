/**
 * Chapter 09 challenges: optional extensions. They fail until you build
 * them; run them with `npm run check 09 -- --challenges`.
 */
import { describe, expect, it } from "vitest";
import { Framework } from "@tree/09-scheduler/framework/framework.ts";
import { NodeInfo } from "@tree/09-scheduler/framework/node-info.ts";
import { CycleState, type NodeScore, type Plugin } from "@tree/09-scheduler/framework/types.ts";
import type { Node, Pod } from "../../shared/api/index.ts";

function node(name: string, cpu: string, memory: string, labels: Record<string, string> = {}): Node {
  return { metadata: { name, labels }, status: { allocatable: { cpu, memory, pods: 110 } } };
}

function pod(name: string, cpu: string, memory: string, spec: Partial<Pod["spec"]> = {}): Pod {
  return {
    metadata: { name, namespace: "default", uid: `uid-${name}` },
    spec: { containers: [{ name: "main", image: "busybox", resources: { requests: { cpu, memory } } }], ...spec },
  };
}

/** Runs one plugin's preScore, score and normalizeScore over the nodes. */
function scoresOf(plugin: Plugin, p: Pod, nodes: NodeInfo[]): Record<string, number> {
  const state = new CycleState();
  plugin.preFilter?.(state, p);
  plugin.preScore?.(state, p, nodes);
  const scores: NodeScore[] = nodes.map((n) => ({ name: n.name, score: plugin.score!(state, p, n) }));
  plugin.normalizeScore?.(state, p, scores);
  return Object.fromEntries(scores.map((s) => [s.name, s.score]));
}

describe("09 challenge", () => {
  it("NodeResourcesBalancedAllocation prefers the node whose CPU and memory fill evenly", async () => {
    // Build plugins/balanced-allocation.ts exporting `balancedAllocation: Plugin`
    // named "NodeResourcesBalancedAllocation" (kube-scheduler's name).
    const path = "@tree/09-scheduler/plugins/balanced-allocation.ts";
    const { balancedAllocation } = (await import(/* @vite-ignore */ path)) as { balancedAllocation: Plugin };
    expect(balancedAllocation.name).toBe("NodeResourcesBalancedAllocation");
    const even = new NodeInfo(node("even", "4", "4Gi"));
    even.addPod({ ...pod("a", "2", "2Gi"), spec: { ...pod("a", "2", "2Gi").spec!, nodeName: "even" } });
    const lopsided = new NodeInfo(node("lopsided", "4", "4Gi"));
    lopsided.addPod({ ...pod("b", "3500m", "256Mi"), spec: { ...pod("b", "3500m", "256Mi").spec!, nodeName: "lopsided" } });
    const scores = scoresOf(balancedAllocation, pod("new", "500m", "512Mi"), [even, lopsided]);
    expect(scores.even).toBeGreaterThan(scores.lopsided!);
    for (const s of Object.values(scores)) expect(s).toBeGreaterThanOrEqual(0), expect(s).toBeLessThanOrEqual(100);
    // It fits the framework: the default weights and the range check accept it.
    const fwk = new Framework({ schedulerName: "x", plugins: [balancedAllocation], weights: {} });
    expect(fwk.runScorePlugins(new CycleState(), pod("new", "500m", "512Mi"), [even, lopsided])[0]!.name).toBe("even");
  });

  it("NodeAffinity scores preferred terms by their weight", async () => {
    // Give the NodeAffinity plugin a score (and normalizeScore): the sum of
    // the weights of the preferredDuringSchedulingIgnoredDuringExecution
    // terms a node matches, scaled so the best node gets 100.
    const { nodeAffinity } = await import("@tree/09-scheduler/plugins/node-affinity.ts");
    expect(typeof nodeAffinity.score).toBe("function");
    const p = pod("p", "100m", "64Mi", {
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 80, preference: { matchExpressions: [{ key: "disktype", operator: "In", values: ["ssd"] }] } },
            { weight: 20, preference: { matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] } },
          ],
        },
      },
    });
    const nodes = [
      new NodeInfo(node("ssd-a", "4", "8Gi", { disktype: "ssd", zone: "a" })),
      new NodeInfo(node("ssd-b", "4", "8Gi", { disktype: "ssd", zone: "b" })),
      new NodeInfo(node("hdd-a", "4", "8Gi", { disktype: "hdd", zone: "a" })),
      new NodeInfo(node("hdd-b", "4", "8Gi", { disktype: "hdd", zone: "b" })),
    ];
    expect(scoresOf(nodeAffinity, p, nodes)).toEqual({ "ssd-a": 100, "ssd-b": 80, "hdd-a": 20, "hdd-b": 0 });
  });
});
