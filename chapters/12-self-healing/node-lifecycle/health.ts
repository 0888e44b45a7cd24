/**
 * Is a node still alive? The node lifecycle controller cannot ask the
 * machine (it may be gone, or cut off from the network); it can only watch
 * the kubelet's heartbeat, the Ready condition's lastHeartbeatTime that the
 * kubelet refreshes every few seconds (chapter 05's node-status.ts).
 *
 *   heartbeat changes  ->  "seen alive at <now, by OUR clock>"
 *   no change for longer than the grace period  ->  the node is unreachable
 *
 * It compares heartbeats with the previous heartbeat, never with its own
 * clock: the node's clock may be off by minutes, what matters is whether the
 * value MOVES. (Kubernetes calls our time of the last change the
 * probeTimestamp; the grace period is --node-monitor-grace-period, 50 s since
 * Kubernetes 1.32, 40 s before.)
 */
import type { Node, NodeCondition } from "../../../shared/api/index.ts";
import { todo } from "../../../shared/todo.ts";

export interface NodeHealthRecord {
  /** The last heartbeat value we saw. */
  heartbeat: string | undefined;
  /** When (our clock, ms) we saw it change last; a node seen for the first time gets "now". */
  probedAt: number;
}

export function readyConditionOf(node: Node): NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === "Ready");
}

/** Heartbeat bookkeeping for every node the controller knows. */
export class NodeHealth {
  private readonly records = new Map<string, NodeHealthRecord>();

  /**
   * @param leaseHeartbeat a second heartbeat per node (chapter 16: the
   * renewTime of the node's Lease); a move of either one counts.
   */
  constructor(private readonly leaseHeartbeat?: (nodeName: string) => string | undefined) {}

  /**
   * Records what the node shows now; returns true when its heartbeat has
   * not moved for longer than gracePeriodMs.
   */
  isStale(node: Node, now: number, gracePeriodMs: number): boolean {
    const name = node.metadata?.name ?? "";
    const ready = readyConditionOf(node)?.lastHeartbeatTime;
    const heartbeat = this.leaseHeartbeat ? `${ready} ${this.leaseHeartbeat(name)}` : ready;
    // TODO(12.5): stale = the heartbeat has not moved for gracePeriodMs, on OUR
    // clock (the node's clock may be wrong). A new node is alive now. Tests: the
    // "12.5" tests.
    todo("12.5");
  }

  /** Forgets nodes that no longer exist. */
  retain(names: Set<string>): void {
    for (const name of [...this.records.keys()]) if (!names.has(name)) this.records.delete(name);
  }
}

/**
 * The node's conditions once we give up on it: Ready (and any other
 * condition the kubelet reported) becomes Unknown, because nobody knows
 * any more. lastHeartbeatTime stays: it is the kubelet's, not ours.
 */
export function markUnknown(conditions: NodeCondition[] | undefined, now: string): NodeCondition[] {
  // TODO(12.5): every condition Unknown, with Kubernetes' reason and message.
  todo("12.5");
}
