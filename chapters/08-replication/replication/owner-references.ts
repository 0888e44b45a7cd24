/**
 * Owner references: how a pod says who made it.
 *
 *   metadata:
 *     name: web-x7k2p
 *     labels: { app: web }
 *     ownerReferences:
 *       - apiVersion: v1
 *         kind: ReplicationController
 *         name: web
 *         uid: 6f1c...        the owner's uid: a new RC named "web" is another owner
 *         controller: true    this owner is THE controller of the pod (at most one is)
 *         blockOwnerDeletion: true
 *
 * Labels say which pods an RC *selects*; the controller reference says
 * which RC *owns* a pod. Two RCs with overlapping selectors never fight over
 * a pod: each counts only the pods it owns. And the garbage collector uses
 * the same references to delete the pods of a deleted RC.
 */
import type { KubeObject, OwnerReference, Pod } from "../../../shared/api/index.ts";
import type { ReplicationController } from "../../../shared/api/replication.ts";
import type { LabelSelector } from "../../07-labels/labels/selector.ts";
import { todo } from "../../../shared/todo.ts";

/** The owner reference with controller: true, if any. */
export function controllerRefOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((ref) => ref.controller === true);
}

/** The reference an RC puts on the pods it owns. */
export function controllerRefFor(rc: ReplicationController): OwnerReference {
  return {
    apiVersion: "v1",
    kind: "ReplicationController",
    name: rc.metadata?.name ?? "",
    uid: rc.metadata?.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

// TODO(08.1): a new pod from the RC's template, in its namespace, with a
// generated name "<rc>-xxxxx", and owned by the RC (its controller
// reference). Changing the pod later must not change the RC in the cache.
// Tests: "08.1 owner references and adoption > makes a pod from the template ...".
export function newPodFromTemplate(rc: ReplicationController): Pod {
  todo("08.1");
}

/** What an RC does with each pod of its namespace (see classifyPods). */
export interface PodClaims {
  /** Pods it owns and that match its selector: the ones it counts. */
  owned: Pod[];
  /** Orphans (no controller) that match: it takes them (adds its controller reference). */
  adopt: Pod[];
  /** Pods it owns that no longer match (someone changed their labels): it lets them go. */
  release: Pod[];
}

// TODO(08.1): which pods are this RC's? The selector finds candidates,
// but the owner reference decides: never take another controller's pod,
// let go of an own pod that stopped matching, adopt a matching orphan
// (unless the RC is being deleted). Tests: "08.1 owner references and adoption > owns its matching pods ...".
export function classifyPods(rc: ReplicationController, selector: LabelSelector, pods: Pod[]): PodClaims {
  todo("08.1");
}
