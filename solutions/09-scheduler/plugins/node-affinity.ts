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
 * both must satisfy both. A required block whose list of terms is empty (or
 * missing) matches no node, and so does an empty term: Kubernetes' apiserver
 * refuses an empty list, and its scheduler matches nothing with one. Our
 * apiserver does not validate affinity, so the pod stays Pending instead.
 * Failure reason: "node(s) didn't match Pod's node affinity/selector".
 * (Kubernetes names this plugin NodeAffinity; it is also the one that
 * checks nodeSelector.)
 */
import type { Node, Pod } from "../../../shared/api/index.ts";
import { SKIP, SUCCESS, unschedulable, type Plugin } from "../framework/types.ts";

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

/** The int64 in `s`, or undefined when it holds none (Gt and Lt compare int64s). */
export function parseInt64(s: string | undefined): bigint | undefined {
  // STEP(09.2): read `s` the way Kubernetes does (strconv.ParseInt(s, 10, 64);
  // the lesson lists its rules); undefined when it breaks one. Decide how to
  // check them where a JavaScript number is not enough.
  // Tests: "09.2 NodeAffinity: ... > Gt and Lt: strict, exact integers, ...".
  //#solution
  if (s === undefined || !/^[+-]?\d+$/.test(s)) return undefined;
  const n = BigInt(s); // a Number loses digits past 2^53
  return n >= -(2n ** 63n) && n < 2n ** 63n ? n : undefined;
  //#end
}

/** Does one requirement hold for a value (undefined: the node has no such label)? */
export function requirementMatches(req: NodeSelectorRequirement, value: string | undefined): boolean {
  // STEP(09.2): the six operators; `value` undefined = the node lacks the
  // label. Gt and Lt compare int64s exactly (parseInt64), and need exactly one
  // value; a label or a value that is not an int64, and anything unknown,
  // match nothing. Tests: "09.2 NodeAffinity: ...".
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
      const label = parseInt64(value);
      const limit = values.length === 1 ? parseInt64(values[0]) : undefined;
      if (label === undefined || limit === undefined) return false;
      return req.operator === "Gt" ? label > limit : label < limit;
    }
    default:
      return false;
  }
  //#end
}

/** True when the node satisfies the pod's nodeSelector and its required node affinity. */
export function matchesNode(pod: Pod, node: Node): boolean {
  const labels = node.metadata?.labels ?? {};
  // STEP(09.2): nodeSelector AND required node affinity. Once the pod has a
  // required block, its terms are ORed, and an empty list of terms or an empty
  // term matches no node (as in Kubernetes). Tests: "09.2 NodeAffinity".
  //#solution
  for (const [key, value] of Object.entries(pod.spec?.nodeSelector ?? {})) {
    if (labels[key] !== value) return false;
  }
  const affinity = pod.spec?.affinity as NodeAffinity | undefined;
  const required = affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  const fields: Record<string, string | undefined> = { "metadata.name": node.metadata?.name };
  return (required.nodeSelectorTerms ?? []).some((term) => {
    const expressions = term.matchExpressions ?? [];
    const matchFields = term.matchFields ?? [];
    if (expressions.length + matchFields.length === 0) return false;
    return (
      expressions.every((r) => requirementMatches(r, labels[r.key])) &&
      matchFields.every((r) => requirementMatches(r, fields[r.key]))
    );
  });
  //#end
}

export const nodeAffinity: Plugin = {
  name: NAME,
  preFilter(_state, pod) {
    // Most pods name no node at all: then every node matches, and the filter need not run.
    const selector = pod.spec?.nodeSelector;
    const affinity = pod.spec?.affinity as NodeAffinity | undefined;
    const required = affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    return !required && (!selector || Object.keys(selector).length === 0) ? SKIP : undefined;
  },
  filter(_state, pod, nodeInfo) {
    return nodeInfo.node && matchesNode(pod, nodeInfo.node) ? SUCCESS : unschedulable(REASON);
  },
};
