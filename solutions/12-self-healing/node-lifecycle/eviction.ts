/**
 * Eviction: which pods must leave a node with NoExecute taints, and when.
 *
 * A pod may tolerate a NoExecute taint for a while (tolerationSeconds) or
 * for ever (a toleration without tolerationSeconds). A pod that does not
 * tolerate it goes at once... except for the two taints of a sick node:
 * Kubernetes' DefaultTolerationSeconds admission gives every pod a 300 s
 * toleration of not-ready and unreachable, so that a short network blip
 * does not reshuffle the whole cluster. Here that default is an option of
 * the controller (podEvictionTimeoutMs), so the tests can make it short.
 *
 *   taint unreachable:NoExecute added at 12:00:00, default 300 s
 *     pod without tolerations                      -> evicted at 12:05:00
 *     pod tolerating it for 30 s                   -> evicted at 12:00:30
 *     pod tolerating it (no tolerationSeconds)     -> stays
 */
import type { Pod, Taint } from "../../../shared/api/index.ts";
import { tolerates } from "../../09-scheduler/plugins/taint-toleration.ts";
import { TAINT_NOT_READY, TAINT_UNREACHABLE } from "./taints.ts";

/** When (ms since the epoch) the pod must leave a node with these taints; undefined: it may stay. */
export function evictionTime(pod: Pod, taints: Taint[], defaultTimeoutMs: number, now: number): number | undefined {
  // STEP(12.7): when the pod must leave (undefined: never). Each NoExecute
  // taint gives a time, from its timeAdded; the earliest wins. Tolerations
  // can delay it or stop it. Tests: the "12.7" tests.
  //#solution
  let deadline: number | undefined;
  for (const taint of taints) {
    if (taint.effect !== "NoExecute") continue;
    const added = taint.timeAdded ? Date.parse(taint.timeAdded) : now;
    const toleration = (pod.spec?.tolerations ?? []).find((t) => tolerates(t, taint));
    let after: number;
    if (toleration) {
      if (toleration.tolerationSeconds === undefined) continue;
      after = Math.max(0, toleration.tolerationSeconds) * 1000;
    } else {
      after = taint.key === TAINT_UNREACHABLE || taint.key === TAINT_NOT_READY ? defaultTimeoutMs : 0;
    }
    deadline = Math.min(deadline ?? Infinity, added + after);
  }
  return deadline;
  //#end
}

/** The pods of this node that must be evicted now (not already being deleted). */
export function podsToEvict(nodeName: string, taints: Taint[], pods: Pod[], defaultTimeoutMs: number, now: number): Pod[] {
  return pods.filter((pod) => {
    if (pod.spec?.nodeName !== nodeName || pod.metadata?.deletionTimestamp) return false;
    const at = evictionTime(pod, taints, defaultTimeoutMs, now);
    return at !== undefined && at <= now;
  });
}
