/**
 * The scheduler's cache: every node as a NodeInfo, with the pods on it.
 * The informers (event-handlers.ts) fold the cluster into it; the scheduler
 * also ASSUMES a pod onto a node the moment it decides, before the binding
 * has even been sent:
 *
 *   decide "web-7 -> node-2"  ->  assumePod: node-2 counts web-7 now
 *   POST binding ...                          (takes a while; meanwhile the next
 *                                              pods are scheduled and already see
 *                                              node-2 with web-7 on it)
 *   watch: web-7 MODIFIED, nodeName node-2 -> addPod: the assumption is confirmed
 *   (binding failed)                       -> forgetPod: node-2 no longer counts it
 *
 * Without assuming, the next pod would be placed on a cache that does not
 * know about web-7 yet, and both could land on a node with room for one.
 */
import type { Node, Pod } from "../../../shared/api/index.ts";
import { NodeInfo, podKey } from "../framework/node-info.ts";

interface PodState {
  pod: Pod;
  nodeName: string;
  /** Placed by this scheduler, binding not yet seen through the watch. */
  assumed: boolean;
}

export class SchedulerCache {
  private readonly nodeInfos = new Map<string, NodeInfo>();
  private readonly podStates = new Map<string, PodState>();
  private sortedNodes: NodeInfo[] | undefined;

  // ---- nodes ----

  addNode(node: Node): void {
    const name = node.metadata?.name ?? "";
    const info = this.nodeInfos.get(name);
    // The sorted list changes only when a node joins. A kubelet's status
    // update (every few seconds per node) must not re-sort 5,000 nodes:
    // kube-scheduler's snapshot, too, rebuilds its node list only when
    // nodes are added or removed.
    if (!info?.node) this.sortedNodes = undefined;
    if (info) info.setNode(node);
    else this.nodeInfos.set(name, new NodeInfo(node));
  }

  updateNode(node: Node): void {
    this.addNode(node);
  }

  removeNode(node: Node): void {
    const name = node.metadata?.name ?? "";
    const info = this.nodeInfos.get(name);
    if (!info) return;
    // Pods still bound to a deleted node keep their NodeInfo (without a node)
    // until they are gone too; a node of the same name coming back finds them.
    if (info.pods.size === 0) this.nodeInfos.delete(name);
    else info.node = undefined;
    this.sortedNodes = undefined;
  }

  /** The nodes a pod can be scheduled to (those the cache has a Node for), by name. */
  nodes(): NodeInfo[] {
    this.sortedNodes ??= [...this.nodeInfos.values()]
      .filter((n) => n.node)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return this.sortedNodes;
  }

  nodeInfo(name: string): NodeInfo | undefined {
    return this.nodeInfos.get(name);
  }

  // ---- pods ----

  /** A pod the scheduler just placed: count it on `pod.spec.nodeName` now. */
  assumePod(pod: Pod): void {
    const key = podKey(pod);
    if (this.podStates.has(key)) throw new Error(`pod ${key} is already in the scheduler cache`);
    this.place({ pod, nodeName: pod.spec?.nodeName ?? "", assumed: true });
  }

  /** The binding failed: take the assumed pod off its node again. */
  forgetPod(pod: Pod): void {
    const state = this.podStates.get(podKey(pod));
    if (state?.assumed) this.unplace(state);
  }

  isAssumed(pod: Pod): boolean {
    return this.podStates.get(podKey(pod))?.assumed === true;
  }

  /** Is this pod (assumed or bound) in the cache? */
  has(pod: Pod): boolean {
    return this.podStates.has(podKey(pod));
  }

  /** A bound pod seen by the informer; confirms an assumed one. */
  addPod(pod: Pod): void {
    const state = this.podStates.get(podKey(pod));
    if (state) this.unplace(state);
    this.place({ pod, nodeName: pod.spec?.nodeName ?? "", assumed: false });
  }

  updatePod(pod: Pod): void {
    this.addPod(pod);
  }

  /** A pod that is gone (deleted, or finished): its node has the room back. */
  removePod(pod: Pod): void {
    const state = this.podStates.get(podKey(pod));
    if (state) this.unplace(state);
  }

  private place(state: PodState): void {
    let info = this.nodeInfos.get(state.nodeName);
    if (!info) {
      info = new NodeInfo();
      this.nodeInfos.set(state.nodeName, info);
    }
    info.addPod(state.pod);
    this.podStates.set(podKey(state.pod), state);
  }

  private unplace(state: PodState): void {
    this.podStates.delete(podKey(state.pod));
    const info = this.nodeInfos.get(state.nodeName);
    if (!info) return;
    info.removePod(state.pod);
    if (!info.node && info.pods.size === 0) this.nodeInfos.delete(state.nodeName);
  }
}
