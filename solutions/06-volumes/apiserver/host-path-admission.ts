/**
 * An admission plugin for hostPath volumes: the apiserver refuses, at
 * create, a pod that mounts a host path outside the allowed prefixes. The
 * user gets a 403 Forbidden at once, instead of a pod that is stored,
 * scheduled and then stuck on its node in ContainerCreating.
 *
 *   POST /api/v1/namespaces/default/pods
 *     authenticate -> authorize -> decode, default, validate -> ADMISSION -> store
 *                                                               ^ this plugin
 *
 * Admission is where Kubernetes puts policy that is not about the shape of
 * an object but about what the cluster allows: Pod Security admission
 * (which forbids hostPath at the "baseline" level), resource quotas, limit
 * ranges, and the webhooks of tools like OPA Gatekeeper or Kyverno.
 */
import { forbidden, type Pod } from "../../../shared/api/index.ts";
import type { AdmissionPlugin, AdmissionRequest } from "../../03-apiserver/chain/types.ts";
import { hostPathViolation, type HostPathPolicy } from "../plugins/host-path-policy.ts";

export const HOST_PATH_ADMISSION = "HostPathPolicy";

/** The admission plugin enforcing `policy` on new pods. */
export function hostPathAdmission(policy: HostPathPolicy): AdmissionPlugin {
  return {
    name: HOST_PATH_ADMISSION,
    validate(request: AdmissionRequest): void {
      // Only new pods: a pod's volumes cannot change after create.
      if (request.operation !== "CREATE" || request.resource.kind !== "Pod" || request.subresource !== "") return;
      const pod = request.object as Pod;
      for (const volume of pod.spec?.volumes ?? []) {
        if (!volume.hostPath) continue;
        // STEP(06.5): a pod that breaks the policy is never stored: 403 Forbidden,
        // naming the volume and why; one that keeps it goes on to its node.
        // Tests: "06.5 the apiserver > ...", "06.5 hostPath > ...".
        //#solution
        const violation = hostPathViolation(volume.hostPath.path, policy);
        if (violation) throw forbidden({ resource: "pods" }, request.name, `volume "${volume.name}": ${violation}`);
        //#end
      }
    },
  };
}
