/**
 * How the cluster reaches the scheduler: two informers (chapter 04), one on
 * pods and one on nodes, whose handlers keep the cache and the queue right.
 *
 *   pods  unbound, ours  ──add/update/delete──> queue
 *         bound          ──add/update/delete──> cache (a deleted or finished pod frees room:
 *                                                       waiting pods are retried)
 *   nodes               ──add/update/delete──> cache (a new or changed node may fit
 *                                                       waiting pods: they are retried)
 */
import { deepEqual, type Node, type Pod } from "../../shared/api/index.ts";
import type { Informer } from "../04-kubectl/client/informer.ts";
import type { SchedulerCache } from "./cache/cache.ts";
import type { SchedulingQueue } from "./queue/scheduling-queue.ts";
import { todo } from "../../shared/todo.ts";

export const DEFAULT_SCHEDULER_NAME = "default-scheduler";

function assigned(pod: Pod): boolean {
  return !!pod.spec?.nodeName;
}

/** Succeeded and Failed pods use nothing any more. */
function terminated(pod: Pod): boolean {
  return pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
}

/**
 * Can this change of a node make a pod fit that did not fit before? Only
 * what the filters look at counts; a kubelet's heartbeat (a new
 * lastHeartbeatTime every few seconds) must not wake every waiting pod.
 */
export function nodeChangeMayHelp(oldNode: Node, newNode: Node): boolean {
  // TODO(09.11): only a change to what a filter reads can help.
  todo("09.11");
}

export function addEventHandlers(options: {
  schedulerName: string;
  cache: SchedulerCache;
  queue: SchedulingQueue;
  pods: Informer<Pod>;
  nodes: Informer<Node>;
}): void {
  const { schedulerName, cache, queue, pods, nodes } = options;
  /** A pod this scheduler must place: unbound, not being deleted, and naming us. */
  const ours = (pod: Pod) => !assigned(pod) && !pod.metadata?.deletionTimestamp && (pod.spec?.schedulerName ?? DEFAULT_SCHEDULER_NAME) === schedulerName;

  pods
    .onAdd((pod) => {
      if (assigned(pod)) {
        if (!terminated(pod)) cache.addPod(pod);
      } else if (ours(pod)) queue.add(pod);
    })
    .onUpdate((oldPod, pod) => {
      if (assigned(pod)) {
        if (!assigned(oldPod)) queue.delete(pod); // just bound (by us, or by someone else)
        if (terminated(pod)) {
          if (cache.has(pod)) {
            cache.removePod(pod);
            queue.moveAllToActiveOrBackoff("AssignedPodTerminated");
          }
        } else cache.updatePod(pod);
      } else if (ours(pod)) queue.update(pod);
      else queue.delete(pod); // being deleted
    })
    .onDelete((pod) => {
      queue.delete(pod);
      if (cache.has(pod)) {
        const wasBound = !cache.isAssumed(pod);
        cache.removePod(pod);
        if (wasBound) queue.moveAllToActiveOrBackoff("AssignedPodDelete");
      }
    });

  nodes
    .onAdd((node) => {
      cache.addNode(node);
      queue.moveAllToActiveOrBackoff("NodeAdd");
    })
    .onUpdate((oldNode, node) => {
      cache.updateNode(node);
      if (nodeChangeMayHelp(oldNode, node)) queue.moveAllToActiveOrBackoff("NodeUpdate");
    })
    .onDelete((node) => cache.removeNode(node));
}
