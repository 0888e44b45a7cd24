/**
 * Taints that say what is wrong with a node. The node lifecycle controller
 * writes them from the Ready condition; the scheduler (chapter 09) already
 * keeps pods off tainted nodes, so nothing new is scheduled there:
 *
 *   Ready Unknown (no heartbeat)   node.kubernetes.io/unreachable:NoSchedule + :NoExecute
 *   Ready False (kubelet says so)  node.kubernetes.io/not-ready:NoSchedule   + :NoExecute
 *   Ready True                     neither
 *
 * NoSchedule keeps new pods away; NoExecute also asks the pods already
 * there to leave (eviction.ts), after as long as they tolerate it.
 */
import type { Taint } from "../../../shared/api/index.ts";
import { todo } from "../../../shared/todo.ts";

export const TAINT_UNREACHABLE = "node.kubernetes.io/unreachable";
export const TAINT_NOT_READY = "node.kubernetes.io/not-ready";

/** The taints a node should have, given its Ready status; other taints are kept as they are. */
export function reconcileTaints(existing: Taint[] | undefined, ready: string | undefined, now: string): Taint[] {
  // TODO(12.6): the node's taints for its Ready status: ours (unreachable for
  // Unknown, not-ready for False, NoSchedule and NoExecute) plus every other
  // taint. A taint that stays keeps its timeAdded: eviction counts from it.
  todo("12.6");
}
