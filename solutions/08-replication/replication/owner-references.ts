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

// STEP(08.2): the pod an RC creates, from its template: a copy of the
// template's labels, annotations and spec (deep copies: the RC in the cache
// must not change), metadata.generateName "<rc name>-" (the apiserver adds
// five random characters), the RC's namespace, and ownerReferences with the
// one controllerRefFor(rc). apiVersion "v1", kind "Pod".
export function newPodFromTemplate(rc: ReplicationController): Pod {
  //#solution
  const template = structuredClone(rc.spec?.template ?? {});
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      generateName: `${rc.metadata?.name}-`,
      namespace: rc.metadata?.namespace,
      labels: template.metadata?.labels ?? {},
      ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
      ownerReferences: [controllerRefFor(rc)],
    },
    spec: template.spec,
  };
  //#end
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

// STEP(08.2): sort the (active) pods of the RC's namespace:
// - a pod whose controller reference has the RC's uid is the RC's: `owned`
//   if the selector matches its labels, else `release`;
// - a pod with another controller is someone else's: leave it out;
// - an orphan (no controller reference) that the selector matches is
//   adopted (`adopt`), unless the RC is being deleted (deletionTimestamp):
//   a dying controller takes nothing new.
export function classifyPods(rc: ReplicationController, selector: LabelSelector, pods: Pod[]): PodClaims {
  //#solution
  const claims: PodClaims = { owned: [], adopt: [], release: [] };
  const uid = rc.metadata?.uid;
  for (const pod of pods) {
    const ref = controllerRefOf(pod);
    const matches = !selector.empty && selector.matches(pod.metadata?.labels);
    if (ref) {
      if (ref.uid !== uid) continue;
      (matches ? claims.owned : claims.release).push(pod);
    } else if (matches && !rc.metadata?.deletionTimestamp) {
      claims.adopt.push(pod);
    }
  }
  return claims;
  //#end
}
