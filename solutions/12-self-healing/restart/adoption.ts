/**
 * Restart recovery in the kubelet: what a kubelet that just started does with
 * the containers it finds already running.
 *
 * The kubelet of chapter 05 keeps no database. Each container carries its
 * story in labels (chapter 05, kubelet/containers.ts): the pod's uid, the
 * container's name ("POD" for the pause container), its restart count and a
 * hash of its spec. After a restart, the kubelet lists its containers, lists
 * its pods from the apiserver, and matches the two:
 *
 *   container label                  the apiserver says           decision
 *   -------------------------------  ---------------------------  ---------------------------------
 *   pod uid unknown                  the pod was deleted meanwhile remove
 *   "POD", pod known                 -                             adopt the newest sandbox
 *   name in spec, same hash          -                             adopt (keep its restart count)
 *   name in spec, other hash         the spec changed              replace (stop it; the sync starts the new one)
 *   name not in the spec             -                             remove
 *   two instances of one container   -                             adopt the newest, remove the rest
 *
 * Chapter 05's kubelet does this in two places (housekeeping() and the pod
 * worker's sync). This file states the same decision as one pure function,
 * so it can be read, and tested, in one piece. Adoption is what makes a
 * kubelet restart invisible: no container is started twice, none is lost.
 */
import type { Pod } from "../../../shared/api/index.ts";
import type { ContainerSummary } from "../../../shared/runtime/types.ts";
import {
  containerHash,
  LABEL_CONTAINER_HASH,
  LABEL_CONTAINER_NAME,
  LABEL_POD_UID,
  LABEL_RESTART_COUNT,
  POD_INFRA_CONTAINER,
} from "../../05-pods/kubelet/containers.ts";

export interface AdoptionPlan {
  /** Containers to keep, by id, with the restart count read from their label. */
  adopt: Map<string, { podUid: string; container: string; restartCount: number }>;
  /** Containers whose spec changed: stop them; the pod's sync starts the new version. */
  replace: string[];
  /** Containers of no known pod, or of no container in the pod's spec, or older duplicates. */
  remove: string[];
}

/**
 * The adoption decision. `pods` are the pods bound to this node, by uid;
 * `containers` are the containers of this node on the engine, in the order
 * they were created (oldest first). Every container ends up in exactly one
 * of the three lists.
 */
export function planAdoption(pods: Map<string, Pod>, containers: ContainerSummary[]): AdoptionPlan {
  // STEP(12.8): after a kubelet restart, nothing may start twice and nothing
  // may be lost. Decide each container from its labels and the pod it
  // belongs to (the table above). Of several instances of one container of
  // one pod, only the newest is kept. Tests: "12.8 adoption after a kubelet restart".
  //#solution
  const plan: AdoptionPlan = { adopt: new Map(), replace: [], remove: [] };
  /** The newest instance of each (pod, container), found walking oldest to newest. */
  const newest = new Map<string, ContainerSummary>();
  for (const c of containers) {
    const uid = c.labels[LABEL_POD_UID] ?? "";
    const name = c.labels[LABEL_CONTAINER_NAME] ?? "";
    const pod = pods.get(uid);
    const spec = pod?.spec?.containers.find((k) => k.name === name);
    if (!pod || (name !== POD_INFRA_CONTAINER && !spec)) {
      plan.remove.push(c.id);
      continue;
    }
    if (spec && c.labels[LABEL_CONTAINER_HASH] !== containerHash(spec)) {
      plan.replace.push(c.id);
      continue;
    }
    const key = `${uid}/${name}`;
    const older = newest.get(key);
    if (older) plan.remove.push(older.id);
    newest.set(key, c);
  }
  for (const [key, c] of newest) {
    const [podUid = "", container = ""] = key.split("/");
    plan.adopt.set(c.id, { podUid, container, restartCount: Number(c.labels[LABEL_RESTART_COUNT] ?? 0) || 0 });
  }
  return plan;
  //#end
}
