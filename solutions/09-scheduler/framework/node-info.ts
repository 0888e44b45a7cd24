/**
 * NodeInfo: one node as the scheduler sees it. The Node object says what the
 * node HAS (allocatable, labels, taints); the pods bound to it (and the pods
 * the scheduler has just assumed onto it) say what is already TAKEN.
 * Filters compare the pod with both; keeping the sums here makes every
 * filter O(1) per node instead of walking the node's pods.
 *
 *   NodeInfo "node-2"
 *     node:        { allocatable: cpu 4, memory 8Gi, pods 110; taints; labels }
 *     pods:        web-1, web-2, db-0
 *     requested:   cpu 1500m, memory 3Gi          (sum of the pods' requests)
 *     nonZeroRequested: the same, counting 100m/200Mi for pods that ask nothing
 *     usedPorts:   TCP 0.0.0.0:8080
 */
import type { Node, Pod } from "../../../shared/api/index.ts";
import { nodeAllocatable, podRequests, type Resources } from "./requests.ts";

export interface HostPort {
  protocol: string;
  /** "0.0.0.0" means every address of the node. */
  hostIP: string;
  port: number;
}

/** The host ports a pod asks for (containerPorts with a hostPort). */
export function podHostPorts(pod: Pod): HostPort[] {
  const ports: HostPort[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.hostPort && p.hostPort > 0)
        ports.push({ protocol: p.protocol ?? "TCP", hostIP: p.hostIP || "0.0.0.0", port: p.hostPort });
    }
  }
  return ports;
}

/** "namespace/name" of a pod. */
export function podKey(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ""}/${pod.metadata?.name ?? ""}`;
}

function add(into: Resources, r: Resources, sign: 1 | -1): void {
  for (const [name, v] of Object.entries(r)) into[name] = (into[name] ?? 0) + sign * v;
}

export class NodeInfo {
  /** Undefined while the cache has pods bound to a node it has not seen yet. */
  node: Node | undefined;
  /** The pods on this node, by "namespace/name". */
  readonly pods = new Map<string, Pod>();
  /** Sum of the pods' requests ("pods" counts the pods). */
  readonly requested: Resources = { cpu: 0, memory: 0, pods: 0 };
  /** The same, with the non-zero defaults: what scoring uses. */
  readonly nonZeroRequested: Resources = { cpu: 0, memory: 0, pods: 0 };
  readonly usedPorts: HostPort[] = [];
  /** The node's allocatable as numbers (updated with the node). */
  allocatable: Resources = { pods: 110 };

  constructor(node?: Node) {
    if (node) this.setNode(node);
  }

  /** The node's name, read once per node update: filters and scores ask for it on every node of every cycle. */
  private nodeName = "";

  get name(): string {
    return this.node ? this.nodeName : "";
  }

  setNode(node: Node): void {
    this.node = node;
    this.nodeName = node.metadata?.name ?? "";
    try {
      this.allocatable = nodeAllocatable(node.status?.allocatable ?? node.status?.capacity);
    } catch {
      this.allocatable = { cpu: 0, memory: 0, pods: 0 }; // a node with a malformed allocatable takes nothing
    }
  }

  addPod(pod: Pod): void {
    const key = podKey(pod);
    if (this.pods.has(key)) this.removePod(this.pods.get(key)!);
    this.pods.set(key, pod);
    this.account(pod, 1);
  }

  removePod(pod: Pod): void {
    const key = podKey(pod);
    const stored = this.pods.get(key);
    if (!stored) return;
    this.pods.delete(key);
    this.account(stored, -1);
  }

  private account(pod: Pod, sign: 1 | -1): void {
    let requests: Resources;
    let nonZero: Resources;
    try {
      requests = podRequests(pod);
      nonZero = podRequests(pod, { nonZero: true });
    } catch {
      requests = {}; // the apiserver accepted a malformed quantity: count the pod, not its requests
      nonZero = {};
    }
    add(this.requested, { ...requests, pods: 1 }, sign);
    add(this.nonZeroRequested, { ...nonZero, pods: 1 }, sign);
    for (const port of podHostPorts(pod)) {
      if (sign === 1) this.usedPorts.push(port);
      else {
        const i = this.usedPorts.findIndex(
          (p) => p.protocol === port.protocol && p.hostIP === port.hostIP && p.port === port.port,
        );
        if (i >= 0) this.usedPorts.splice(i, 1);
      }
    }
  }
}
