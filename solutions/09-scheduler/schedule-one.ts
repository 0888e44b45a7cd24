/**
 * One scheduling decision, for one pod, on the cache as it is right now:
 *
 *   preFilter ──> filter every node ──> feasible nodes ──> score + normalise + weigh ──> best node
 *                        │                                                                 (ties: random)
 *                        └── none feasible: FitError("0/3 nodes are available: ...")
 *
 * Everything here is synchronous: JavaScript runs it to the end before any
 * watch event is handled, so the cache cannot change under our feet and no
 * snapshot is needed (kube-scheduler copies its cache into a snapshot at
 * the start of each cycle for the same reason).
 */
import type { Pod } from "../../shared/api/index.ts";
import { FitError } from "./fit-error.ts";
import type { Framework } from "./framework/framework.ts";
import type { NodeInfo } from "./framework/node-info.ts";
import type { CycleState, NodeScore, Status } from "./framework/types.ts";

export interface ScheduleResult {
  /** The chosen node. */
  suggestedHost: string;
  /** How many nodes were filtered, and how many passed. */
  evaluatedNodes: number;
  feasibleNodes: number;
}

/**
 * Filters the nodes in order, from nodes[start] round to nodes[start - 1];
 * returns the ones that passed, and why the others did not. It stops once
 * `enough` nodes passed (see numFeasibleNodesToFind).
 */
export function findNodesThatFit(
  fwk: Framework,
  state: CycleState,
  pod: Pod,
  nodes: NodeInfo[],
  enough: number = nodes.length,
  start = 0,
): { feasible: NodeInfo[]; statuses: Map<string, Status> } {
  // STEP(09.7): sort the nodes into feasible and refused (with why), going
  // once round the list from `start`, and stop once `enough` are feasible.
  // The list is the cache's own (5,000 nodes): do not copy it for every pod.
  // Tests: "09.7 the filter phase".
  //#solution
  const feasible: NodeInfo[] = [];
  const statuses = new Map<string, Status>();
  for (let i = 0; i < nodes.length && feasible.length < enough; i++) {
    const node = nodes[(start + i) % nodes.length]!;
    const status = fwk.runFilterPlugins(state, pod, node);
    if (status.code === "Success") feasible.push(node);
    else statuses.set(node.name, status);
  }
  return { feasible, statuses };
  //#end
}

/** Below this many nodes every node is filtered and scored. */
export const MIN_FEASIBLE_NODES_TO_FIND = 100;

/**
 * How many feasible nodes are enough to choose from, as kube-scheduler's
 * percentageOfNodesToScore: every node of a small cluster; in a big one a
 * share that shrinks as the cluster grows (50% less 1% per 125 nodes, at
 * least 5%), never fewer than 100. Filtering 5,000 nodes for every pod is
 * what makes a naive scheduler slow; the best of a fair sample is nearly as good.
 */
export function numFeasibleNodesToFind(allNodes: number): number {
  if (allNodes < MIN_FEASIBLE_NODES_TO_FIND) return allNodes;
  const percentage = Math.max(5, 50 - Math.floor(allNodes / 125));
  return Math.max(MIN_FEASIBLE_NODES_TO_FIND, Math.floor((allNodes * percentage) / 100));
}

/**
 * Where the next cycle starts filtering. With a sample, always starting at
 * the first node would favour the nodes whose names sort first; each cycle
 * starts where the previous one stopped instead (kube-scheduler's
 * nextStartNodeIndex: its filter loop reads nodes[(start + i) % n], so no
 * list is copied).
 */
export class NodeSampler {
  private next = 0;

  /** The index of the first node to filter this cycle, in a list of `total` nodes. */
  start(total: number): number {
    return total === 0 ? 0 : this.next % total;
  }

  /** After a cycle that filtered `evaluated` of `total` nodes. */
  advance(evaluated: number, total: number): void {
    if (total > 0) this.next = (this.next + evaluated) % total;
  }
}

/**
 * The node with the highest total score. Among several with the same best
 * score, each is equally likely (`random()` in [0, 1) decides): always
 * taking the first would pile pods onto the node whose name sorts first.
 */
export function selectHost(scores: NodeScore[], random: () => number): string {
  if (scores.length === 0) throw new Error("selectHost: no node to select from");
  // STEP(09.8): the best total; ties broken at random, each tied node with
  // the same chance, in one pass. Tests: "09.8 ... spreads ties evenly".
  //#solution
  let best = scores[0]!;
  let ties = 1;
  for (const candidate of scores.slice(1)) {
    if (candidate.score > best.score) {
      best = candidate;
      ties = 1;
    } else if (candidate.score === best.score) {
      ties++;
      if (random() * ties < 1) best = candidate;
    }
  }
  return best.name;
  //#end
}

/**
 * The whole decision for one pod. Throws FitError when no node fits. With a
 * sampler, a big cluster is filtered only until enough nodes fit.
 */
export function schedulePod(
  fwk: Framework,
  state: CycleState,
  pod: Pod,
  nodes: NodeInfo[],
  random: () => number,
  sampler?: NodeSampler,
): ScheduleResult {
  if (nodes.length === 0) throw new FitError(0, new Map());
  const pre = fwk.runPreFilterPlugins(state, pod);
  if (pre.code !== "Success") {
    // A preFilter "no" holds for every node.
    throw new FitError(nodes.length, new Map(nodes.map((n) => [n.name, pre])));
  }
  const enough = sampler ? numFeasibleNodesToFind(nodes.length) : nodes.length;
  const start = sampler ? sampler.start(nodes.length) : 0;
  const { feasible, statuses } = findNodesThatFit(fwk, state, pod, nodes, enough, start);
  const evaluatedNodes = feasible.length + statuses.size;
  sampler?.advance(evaluatedNodes, nodes.length);
  if (feasible.length === 0) throw new FitError(nodes.length, statuses);
  const result = { evaluatedNodes, feasibleNodes: feasible.length };
  // One node left: nothing to compare.
  if (feasible.length === 1) return { suggestedHost: feasible[0]!.name, ...result };
  return { suggestedHost: selectHost(fwk.runScorePlugins(state, pod, feasible), random), ...result };
}

/** A small seeded random generator (mulberry32), so a test can make tie-breaking repeatable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
