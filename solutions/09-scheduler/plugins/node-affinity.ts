/**
 * NodeAffinity: the pod chooses its nodes by their labels.
 *
 *   spec.nodeSelector: { disktype: ssd }           every pair must be a label of the node
 *
 *   spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution:
 *     nodeSelectorTerms:                            ANY term may match (OR)
 *     - matchExpressions:                           ALL expressions of a term (AND)
 *       - { key: zone, operator: In, values: [a, b] }
 *
 * Operators: In, NotIn, Exists, DoesNotExist, Gt, Lt (numbers). A pod with
 * both must satisfy both. Failure reason: "node(s) didn't match Pod's node
 * affinity/selector". (Kubernetes names this plugin NodeAffinity; it is
 * also the one that checks nodeSelector.)
 */
import type { Node, Pod } from "../../../shared/api/index.ts";
import { SUCCESS, unschedulable, type Plugin } from "../framework/types.ts";

export const NAME = "NodeAffinity";
export const REASON = "node(s) didn't match Pod's node affinity/selector";

export interface NodeSelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt";
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  /** Only the field "metadata.name" is supported, like Kubernetes. */
  matchFields?: NodeSelectorRequirement[];
}

/** The part of spec.affinity this plugin reads. */
interface NodeAffinity {
  nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] } };
}

/** Does one requirement hold for a value (undefined: the node has no such label)? */
export function requirementMatches(req: NodeSelectorRequirement, value: string | undefined): boolean {
  // STEP(09.2): In: the label exists and is one of values; NotIn: it is
  // absent or not one of values; Exists / DoesNotExist; Gt / Lt: the label
  // and values[0] are both integers and label > (or <) values[0]. An
  // unknown operator matches nothing.
  //#solution
  const values = req.values ?? [];
  switch (req.operator) {
    case "In":
      return value !== undefined && values.includes(value);
    case "NotIn":
      return value === undefined || !values.includes(value);
    case "Exists":
      return value !== undefined;
    case "DoesNotExist":
      return value === undefined;
    case "Gt":
    case "Lt": {
      if (value === undefined || values.length !== 1 || !/^-?\d+$/.test(value) || !/^-?\d+$/.test(values[0]!)) return false;
      return req.operator === "Gt" ? Number(value) > Number(values[0]) : Number(value) < Number(values[0]);
    }
    default:
      return false;
  }
  //#end
}

/** True when the node satisfies the pod's nodeSelector and its required node affinity. */
export function matchesNode(pod: Pod, node: Node): boolean {
  const labels = node.metadata?.labels ?? {};
  // STEP(09.2): every nodeSelector pair must be a label of the node. Then, if
  // the pod has required node affinity terms, at least one term must match:
  // a term matches when it has at least one requirement and all of them
  // hold (matchExpressions against the labels, matchFields against
  // { "metadata.name": node name }). Use requirementMatches().
  //#solution
  for (const [key, value] of Object.entries(pod.spec?.nodeSelector ?? {})) {
    if (labels[key] !== value) return false;
  }
  const affinity = pod.spec?.affinity as NodeAffinity | undefined;
  const terms = affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms === undefined) return true;
  const fields: Record<string, string | undefined> = { "metadata.name": node.metadata?.name };
  return terms.some((term) => {
    const expressions = term.matchExpressions ?? [];
    const matchFields = term.matchFields ?? [];
    if (expressions.length + matchFields.length === 0) return false;
    return expressions.every((r) => requirementMatches(r, labels[r.key])) && matchFields.every((r) => requirementMatches(r, fields[r.key]));
  });
  //#end
}

export const nodeAffinity: Plugin = {
  name: NAME,
  filter(_state, pod, nodeInfo) {
    return nodeInfo.node && matchesNode(pod, nodeInfo.node) ? SUCCESS : unschedulable(REASON);
  },
};
