/**
 * SelectorSpread: replicas of one app should not all sit on one node, or
 * one machine going down takes the whole app with it. A node scores higher
 * the fewer "peers" of the pod it already runs:
 *
 *   peers = pods with the same controller (ownerReferences with
 *           controller: true, same uid), or, for a pod without a
 *           controller, pods of the same namespace with the same labels.
 *
 *   score(node)      = number of peers on the node          (0, 2, 1)
 *   normalizeScore   = 100 * (max - score) / max             (100, 0, 50)
 *
 * (Kubernetes had this plugin until 1.26; its successor PodTopologySpread
 * does the same with explicit constraints and zones.)
 */
import type { Pod } from "../../../shared/api/index.ts";
import { podKey } from "../framework/node-info.ts";
import { CycleState, MAX_NODE_SCORE, type Plugin } from "../framework/types.ts";

export const NAME = "SelectorSpread";
const STATE_KEY = "PreScore" + NAME;

/** The uid of the pod's controller (the ReplicationController that made it), if any. */
export function controllerUid(pod: Pod): string | undefined {
  return pod.metadata?.ownerReferences?.find((o) => o.controller)?.uid;
}

/** A test "is `other` a peer of `pod`?", as described above. Undefined: the pod has nothing to spread by. */
export function peerMatcher(pod: Pod): ((other: Pod) => boolean) | undefined {
  const uid = controllerUid(pod);
  if (uid) return (other) => controllerUid(other) === uid;
  const labels = pod.metadata?.labels ?? {};
  const keys = Object.keys(labels);
  if (keys.length === 0) return undefined;
  const namespace = pod.metadata?.namespace;
  // Called for every pod on every scored node: one pass over the other pod's labels, no arrays made.
  return (other) => {
    if (other.metadata?.namespace !== namespace || controllerUid(other)) return false;
    const theirs = other.metadata?.labels ?? {};
    let same = 0;
    for (const k in theirs) {
      if (theirs[k] !== labels[k]) return false;
      same++;
    }
    return same === keys.length;
  };
}

/** Rescales peer counts: the emptiest node 100, the fullest 0. */
export function normalizeSpread(scores: { score: number }[]): void {
  // STEP(09.6): no peers -> MAX_NODE_SCORE, the most peers -> 0, linear in
  // between, scaled by the highest count only ([1, 3] -> [66, 0]).
  //#solution
  const max = Math.max(0, ...scores.map((s) => s.score));
  for (const s of scores) s.score = max === 0 ? MAX_NODE_SCORE : Math.floor((MAX_NODE_SCORE * (max - s.score)) / max);
  //#end
}

/** What preScore prepares once for all the nodes of a cycle. */
interface SpreadState {
  match?: (other: Pod) => boolean;
  /** The pod's own key: the pod is not its own peer. */
  key: string;
}

function spreadState(pod: Pod): SpreadState {
  return { match: peerMatcher(pod), key: podKey(pod) };
}

function matcherOf(state: CycleState, pod: Pod): SpreadState {
  let spread = state.read<SpreadState>(STATE_KEY);
  if (!spread) {
    spread = spreadState(pod);
    state.write(STATE_KEY, spread);
  }
  return spread;
}

export const selectorSpread: Plugin = {
  name: NAME,
  preScore(state, pod) {
    state.write(STATE_KEY, spreadState(pod));
  },
  score(state, pod, nodeInfo) {
    // STEP(09.6): how many of the pod's peers (matcherOf) the node already runs.
    //#solution
    const { match, key } = matcherOf(state, pod);
    if (!match) return 0;
    let count = 0;
    for (const [otherKey, other] of nodeInfo.pods) if (otherKey !== key && match(other)) count++;
    return count;
    //#end
  },
  normalizeScore(_state, _pod, scores) {
    normalizeSpread(scores);
  },
};
