/**
 * TaintToleration: a node repels pods with taints, a pod accepts some with
 * tolerations.
 *
 *   node.spec.taints:      [{ key: gpu, value: "true", effect: NoSchedule }]
 *   pod.spec.tolerations:  [{ key: gpu, operator: Equal, value: "true", effect: NoSchedule }]
 *
 * Effects: NoSchedule (no new pods), NoExecute (no new pods, and running
 * ones are evicted), PreferNoSchedule (only a preference: ignored by this
 * filter). A toleration with operator Exists matches any value; an empty key
 * with Exists matches every taint; an empty effect matches every effect.
 * Reason: "node(s) had untolerated taint {key: value}" for the first taint
 * no toleration matches.
 */
import type { Taint, Toleration } from "../../../shared/api/index.ts";
import { SUCCESS, unschedulable, type Plugin } from "../framework/types.ts";
import { todo } from "../../../shared/todo.ts";

export const NAME = "TaintToleration";

/** Does one toleration tolerate one taint? */
export function tolerates(toleration: Toleration, taint: Pick<Taint, "key" | "value" | "effect">): boolean {
  // TODO(09.3): does this toleration tolerate this taint? Effect, key and
  // value must all agree; an empty effect or an empty key with Exists is a
  // wildcard. Tests: "09.3 TaintToleration and NodeUnschedulable".
  todo("09.3");
}

/** The first NoSchedule/NoExecute taint of the list that no toleration tolerates. */
export function firstUntoleratedTaint(taints: Taint[], tolerations: Toleration[]): Taint | undefined {
  // TODO(09.3): the first taint that blocks the pod (PreferNoSchedule never does).
  todo("09.3");
}

export const taintToleration: Plugin = {
  name: NAME,
  filter(_state, pod, nodeInfo) {
    const taint = firstUntoleratedTaint(nodeInfo.node?.spec?.taints ?? [], pod.spec?.tolerations ?? []);
    if (!taint) return SUCCESS;
    return unschedulable(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ""}}`);
  },
};
