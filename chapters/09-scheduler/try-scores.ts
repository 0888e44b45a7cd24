/**
 * Try it: one scheduling decision, with every node's score per plugin.
 *
 *   npx tsx chapters/09-scheduler/try-scores.ts
 *
 * Three nodes and one new replica of an app (made by the ReplicationController
 * "web") that already runs one replica on node-1. No server: the nodes are NodeInfo objects, the way the unit tests
 * build them. Your filters say which nodes may run the pod, your score
 * plugins rate the others, and your selectHost picks one. Change the nodes
 * or the pod below and run it again.
 */
import { pathToFileURL } from "node:url";
import type { Node, Pod } from "../../shared/api/index.ts";
import type { RestClient } from "../04-kubectl/client/rest.ts";
import { Framework } from "./framework/framework.ts";
import { NodeInfo } from "./framework/node-info.ts";
import { DEFAULT_WEIGHTS, defaultPlugins } from "./framework/default-profile.ts";
import { CycleState, type NodeScore } from "./framework/types.ts";
import { findNodesThatFit, seededRandom, selectHost } from "./schedule-one.ts";

function node(name: string, cpu: string, memory: string, labels: Record<string, string> = {}): Node {
  return {
    metadata: { name, labels: { "kubernetes.io/hostname": name, ...labels } },
    status: { allocatable: { cpu, memory, pods: 110 } },
  };
}

/** A pod made by the ReplicationController `rc` (its controller: SelectorSpread spreads by it). */
function pod(name: string, cpu: string, memory: string, labels: Record<string, string>, rc: string): Pod {
  const ownerReferences = [{ apiVersion: "v1", kind: "ReplicationController", name: rc, uid: `uid-${rc}`, controller: true }];
  return {
    metadata: { name, namespace: "default", uid: `uid-${name}`, labels, ownerReferences },
    spec: { containers: [{ name: "main", image: "busybox", resources: { requests: { cpu, memory } } }] },
  };
}

/** Prints the filter verdict and the score table of one decision. */
export function explainDecision(nodes: NodeInfo[], newPod: Pod): string {
  const lines: string[] = [];
  // The binder is never called here, so it gets no client.
  const fwk = new Framework({
    schedulerName: "default-scheduler",
    plugins: defaultPlugins({} as RestClient),
    weights: DEFAULT_WEIGHTS,
  });
  const state = new CycleState();
  const pre = fwk.runPreFilterPlugins(state, newPod);
  if (pre.code !== "Success") return `preFilter said no: ${pre.reasons.join(", ")}`;
  const { feasible, statuses } = findNodesThatFit(fwk, state, newPod, nodes);
  for (const [name, status] of statuses) lines.push(`${name}: refused by ${status.plugin}: ${status.reasons.join(", ")}`);
  if (feasible.length === 0) return [...lines, "no node fits: the pod stays Pending"].join("\n");

  // The same work as runScorePlugins, one plugin at a time, to show each column
  // (a plugin whose preScore answers "Skip" has no column).
  const scorers = fwk.scorersFor(state, newPod, feasible);
  const columns = scorers.map((plugin) => {
    const scores: NodeScore[] = feasible.map((n) => ({ name: n.name, score: plugin.score!(state, newPod, n) }));
    plugin.normalizeScore?.(state, newPod, scores);
    return { plugin: plugin.name, weight: fwk.profile.weights[plugin.name] ?? 1, scores };
  });
  const totals = fwk.runScorePlugins(new CycleState(), newPod, feasible);
  lines.push(["node".padEnd(8), ...columns.map((c) => `${c.plugin} (x${c.weight})`.padEnd(24)), "total"].join(" "));
  feasible.forEach((n, i) => {
    lines.push(
      [n.name.padEnd(8), ...columns.map((c) => String(c.scores[i]!.score).padEnd(24)), String(totals[i]!.score)].join(" "),
    );
  });
  lines.push(`chosen: ${selectHost(totals, seededRandom(1))}`);
  return lines.join("\n");
}

function main(): void {
  const app = { app: "web" };
  const node1 = new NodeInfo(node("node-1", "4", "8Gi"));
  node1.addPod({
    ...pod("web-1", "500m", "512Mi", app, "web"),
    spec: { ...pod("web-1", "500m", "512Mi", app, "web").spec!, nodeName: "node-1" },
  });
  const node2 = new NodeInfo(node("node-2", "2", "4Gi"));
  node2.addPod({
    ...pod("db", "1500m", "3Gi", { app: "db" }, "db"),
    spec: { ...pod("db", "1500m", "3Gi", { app: "db" }, "db").spec!, nodeName: "node-2" },
  });
  const node3 = new NodeInfo(node("node-3", "1", "1Gi"));
  console.log(explainDecision([node1, node2, node3], pod("web-2", "500m", "512Mi", app, "web")));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
