/**
 * NodeUnschedulable: a cordoned node (`kubectl cordon`, spec.unschedulable:
 * true) takes no new pods; the pods already there keep running. A pod that
 * tolerates the taint node.kubernetes.io/unschedulable:NoSchedule may still
 * go there (DaemonSet pods do). Reason: "node(s) were unschedulable".
 */
import { SUCCESS, unschedulable, type Plugin } from "../framework/types.ts";
import { tolerates } from "./taint-toleration.ts";

export const NAME = "NodeUnschedulable";
export const REASON = "node(s) were unschedulable";
export const UNSCHEDULABLE_TAINT = { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" } as const;

export const nodeUnschedulable: Plugin = {
  name: NAME,
  filter(_state, pod, nodeInfo) {
    // STEP(09.3): a cordoned node refuses pods that do not tolerate it.
    //#solution
    if (!nodeInfo.node?.spec?.unschedulable) return SUCCESS;
    const tolerated = (pod.spec?.tolerations ?? []).some((t) => tolerates(t, UNSCHEDULABLE_TAINT));
    return tolerated ? SUCCESS : unschedulable(REASON);
    //#end
  },
};
