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

/** Adds (sign 1) or takes away (sign -1) one pod's requests; the pod itself counts as one of "pods". */
function add(into: Resources, r: Resources, sign: 1 | -1): void {
  for (const name in r) if (name !== "pods") into[name] = (into[name] ?? 0) + sign * r[name]!;
  into.pods = (into.pods ?? 0) + sign;
}

/** The uid of the pod's controller (ownerReferences with controller: true), if any. */
export function controllerUid(pod: Pod): string | undefined {
  for (const owner of pod.metadata?.ownerReferences ?? []) if (owner.controller) return owner.uid;
  return undefined;
}

/**
 * One pod on the node, read once when it joins (kube-scheduler's PodInfo):
 * what it added to the sums, so removing it takes away exactly that, and
 * what plugins compare on every node of every cycle, so they need not parse
 * the pod again.
 */
export interface PodInfo {
  pod: Pod;
  requests: Resources;
  nonZero: Resources;
  ports: HostPort[];
  controllerUid: string | undefined;
}

export class NodeInfo {
  /** Undefined while the cache has pods bound to a node it has not seen yet. */
  node: Node | undefined;
  /** The pods on this node, by "namespace/name". */
  readonly pods = new Map<string, Pod>();
  /** The same pods, as read once when they joined (a pod is parsed once, not again when it leaves). */
  readonly podInfos = new Map<string, PodInfo>();
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
    let requests: Resources;
    let nonZero: Resources;
    try {
      requests = podRequests(pod);
      nonZero = podRequests(pod, { nonZero: true });
    } catch {
      requests = {}; // the apiserver accepted a malformed quantity: count the pod, not its requests
      nonZero = {};
    }
    const counted: PodInfo = { pod, requests, nonZero, ports: podHostPorts(pod), controllerUid: controllerUid(pod) };
    this.pods.set(key, pod);
    this.podInfos.set(key, counted);
    add(this.requested, requests, 1);
    add(this.nonZeroRequested, nonZero, 1);
    this.usedPorts.push(...counted.ports);
  }

  removePod(pod: Pod): void {
    const key = podKey(pod);
    const counted = this.podInfos.get(key);
    if (!counted) return;
    this.pods.delete(key);
    this.podInfos.delete(key);
    add(this.requested, counted.requests, -1);
    add(this.nonZeroRequested, counted.nonZero, -1);
    for (const port of counted.ports) {
      const i = this.usedPorts.findIndex((p) => p.protocol === port.protocol && p.hostIP === port.hostIP && p.port === port.port);
      if (i >= 0) this.usedPorts.splice(i, 1);
    }
  }
}
