/**
 * The message of a pod that fits nowhere, in kube-scheduler's words. Every
 * node said why it refused: its filter Status, with one reason or several
 * ("Insufficient cpu" and "Insufficient memory"). Three nodes that said
 *
 *   a: Insufficient memory
 *   b: node(s) didn't match Pod's node affinity/selector
 *   c: Insufficient memory
 *
 * give the message
 *
 *   0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 Insufficient memory.
 */
import type { Status } from "./framework/types.ts";
import { todo } from "../../shared/todo.ts";

/** What kube-scheduler says when the cluster has no node at all. */
export const NO_NODES_AVAILABLE = "no nodes available to schedule pods";

export function fitErrorMessage(numAllNodes: number, nodeStatuses: Map<string, Status>): string {
  // TODO(09.5): kube-scheduler's sentence (above), to the full stop: users
  // search the web for it. The example above shows the shape. One rule you
  // could not guess: kube-scheduler sorts the finished parts as plain text,
  // count included (see the lesson). Tests: "09.5 the failure message".
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
