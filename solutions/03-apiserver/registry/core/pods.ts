/**
 * Pods: the unit the whole cluster exists to run. A pod is created Pending
 * and unbound; the scheduler binds it to a node (binding subresource); that
 * node's kubelet runs it and reports through /status.
 */
import type { Pod } from "../../../../shared/api/index.ts";
import * as schemas from "../../../../shared/api/schema/core.ts";
import type { ApiObject, ResourceDefinition } from "../types.ts";
import { podTable } from "./pod-table.ts";
import { defaultPod, validatePod, validatePodUpdate } from "./pod-validation.ts";

/** The QoS class Kubernetes derives from requests and limits. */
function qosClass(pod: Pod): "Guaranteed" | "Burstable" | "BestEffort" {
  const containers = pod.spec?.containers ?? [];
  const any = containers.some(
    (c) => Object.keys(c.resources?.requests ?? {}).length + Object.keys(c.resources?.limits ?? {}).length > 0,
  );
  if (!any) return "BestEffort";
  const guaranteed = containers.every((c) => {
    const limits = c.resources?.limits ?? {};
    const requests = c.resources?.requests ?? {};
    return ["cpu", "memory"].every(
      (r) => limits[r] !== undefined && (requests[r] === undefined || String(requests[r]) === String(limits[r])),
    );
  });
  return guaranteed ? "Guaranteed" : "Burstable";
}

export const pods: ResourceDefinition = {
  group: "",
  version: "v1",
  kind: "Pod",
  plural: "pods",
  singular: "pod",
  shortNames: ["po"],
  categories: ["all"],
  scope: "Namespaced",
  schema: schemas.pod,
  statusSubresource: true,
  description: "Pod is a collection of containers that can run on a host.",
  strategy: {
    prepareForCreate(obj: ApiObject) {
      // A new pod has not run anywhere yet: whatever status the client sent is dropped.
      const pod = obj as Pod;
      pod.status = { phase: "Pending", qosClass: qosClass(pod) };
    },
    defaults: (obj) => defaultPod(obj as Pod),
    validate: (obj) => validatePod(obj as Pod),
    validateUpdate: (obj, old) => validatePodUpdate(obj as Pod, old as Pod),
    gracePeriodSeconds(obj, options) {
      const pod = obj as Pod;
      // Not on a node yet, or already finished: nothing to stop, delete at once.
      if (!pod.spec?.nodeName) return 0;
      if (pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") return 0;
      const grace = options.gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
      return Math.max(0, grace);
    },
  },
  table: podTable,
};
