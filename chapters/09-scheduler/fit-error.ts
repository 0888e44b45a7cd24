/**
 * The message of a pod that fits nowhere, in kube-scheduler's words:
 *
 *   0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 Insufficient memory.
 *
 * Every node said why it refused (its filter Status, possibly with several
 * reasons: "Insufficient cpu" and "Insufficient memory"). The message counts
 * nodes per reason, writes each as "<count> <reason>", sorts those strings
 * (as text, so "1 node(s)..." comes before "2 Insufficient...") and joins
 * them with ", ". It ends with a full stop.
 */
import type { Status } from "./framework/types.ts";
import { todo } from "../../shared/todo.ts";

/** What kube-scheduler says when the cluster has no node at all. */
export const NO_NODES_AVAILABLE = "no nodes available to schedule pods";

export function fitErrorMessage(numAllNodes: number, nodeStatuses: Map<string, Status>): string {
  // TODO(09.5): kube-scheduler's exact sentence, e.g. "0/3 nodes are
  // available: 1 node(s) didn't match ..., 2 Insufficient memory." Users search
  // the web for it. Tests: "09.5 the failure message".
  todo("09.5");
}

/** The scheduling of a pod failed because no node passed the filters. */
export class FitError extends Error {
  override readonly name = "FitError";
  constructor(
    readonly numAllNodes: number,
    /** Why each node was refused, by node name. */
    readonly nodeStatuses: Map<string, Status>,
  ) {
    super(numAllNodes === 0 ? NO_NODES_AVAILABLE : fitErrorMessage(numAllNodes, nodeStatuses));
  }
}
