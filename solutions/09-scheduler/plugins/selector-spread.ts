/**
 * SelectorSpread: replicas of one app should not all sit on one node, or
 * one machine going down takes the whole app with it. A node scores higher
 * the fewer "peers" of the pod it already runs:
 *
 *   peers = pods with the same controller (ownerReferences with
 *           controller: true, same uid), in the same namespace, and not
 *           being deleted.
 *
 *   score(node)      = number of peers on the node          (0, 2, 1)
 *   normalizeScore   = 100 * (max - score) / max             (100, 0, 50)
 *
 * A pod without a controller has nothing to spread by: preScore answers
 * "Skip" and the framework does not score it with this plugin at all.
 *
 * (Kubernetes had this plugin until 1.26; its successor PodTopologySpread
 * does the same with explicit constraints and zones. Kubernetes finds the
 * peers with the label selectors of the Services, ReplicationControllers,
 * ReplicaSets and StatefulSets that select the pod; with none, it spreads
 * nothing. This scheduler does not watch those objects: the controller's
 * uid stands for its selector, which selects exactly the pods it owns.)
 */
import type { Pod } from "../../../shared/api/index.ts";
import { controllerUid, podKey, type PodInfo } from "../framework/node-info.ts";
import { CycleState, MAX_NODE_SCORE, SKIP, type Plugin } from "../framework/types.ts";

export const NAME = "SelectorSpread";
const STATE_KEY = "PreScore" + NAME;

/** Who the pod's peers are, as described above. */
export interface Peers {
  controllerUid: string;
  namespace: string | undefined;
}

/** The pod's peers; undefined when the pod has nothing to spread by. */
export function peersOf(pod: Pod): Peers | undefined {
  const uid = controllerUid(pod);
  return uid ? { controllerUid: uid, namespace: pod.metadata?.namespace } : undefined;
}

/**
 * Is `other` one of `peers`? A pod being deleted is on its way out: it does
 * not count (as in Kubernetes). Called for every pod on every scored node,
 * so it reads the controller's uid that NodeInfo parsed when the pod joined.
 */
export function isPeer(other: PodInfo, peers: Peers): boolean {
  return (
    other.controllerUid === peers.controllerUid &&
    other.pod.metadata?.namespace === peers.namespace &&
    !other.pod.metadata?.deletionTimestamp
  );
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
  peers: Peers | undefined;
  /** The pod's own key: the pod is not its own peer. */
  key: string;
}

function spreadState(pod: Pod): SpreadState {
  return { peers: peersOf(pod), key: podKey(pod) };
}

function spreadOf(state: CycleState, pod: Pod): SpreadState {
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
    const spread = spreadState(pod);
    state.write(STATE_KEY, spread);
    // Nothing to spread by: every node would score the same, so do not score.
    return spread.peers ? undefined : SKIP;
  },
  score(state, pod, nodeInfo) {
    // STEP(09.6): how many of the pod's peers (spreadOf, isPeer) the node
    // already runs; the pod itself, if the cache has it there, is not its own peer.
    //#solution
    const { peers, key } = spreadOf(state, pod);
    if (!peers) return 0;
    let count = 0;
    for (const [otherKey, other] of nodeInfo.podInfos) if (otherKey !== key && isPeer(other, peers)) count++;
    return count;
    //#end
  },
  normalizeScore(_state, _pod, scores) {
    normalizeSpread(scores);
  },
};
