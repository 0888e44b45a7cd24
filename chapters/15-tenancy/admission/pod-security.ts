/**
 * Pod Security admission: each namespace says, in a label, how much power
 * its pods may ask for.
 *
 *   pod-security.kubernetes.io/enforce: privileged   anything goes (the default here)
 *                                       baseline     no known way out of the container
 *                                       restricted   baseline, and the hardening best practices
 *
 * A pod that breaks its namespace's level is refused with every reason:
 *   pods "tool" is forbidden: violates PodSecurity "baseline:latest":
 *   privileged (container "tool" must not set securityContext.privileged=true)
 * The checks and their wording follow Kubernetes' pod-security-admission
 * library; each check names a field and the containers that set it.
 */
import { forbidden, type Container, type Pod } from "../../../shared/api/index.ts";
import type { AdmissionPlugin } from "../../03-apiserver/chain/types.ts";
import type { ResourceRegistry } from "../../03-apiserver/registry/registry.ts";
import type { ObjectStorage } from "../../03-apiserver/storage/object-storage.ts";
import { todo } from "../../../shared/todo.ts";

export const ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";
export type Level = "privileged" | "baseline" | "restricted";

/** The capabilities a baseline pod may add (a container runtime's default set). */
export const BASELINE_CAPABILITIES = [
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
];

/** All containers of a pod, init containers first. */
export function allContainers(pod: Pod): Container[] {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
}

/** `container "a"` or `containers "a", "b"`. */
export function containerList(names: string[]): string {
  return `${names.length === 1 ? "container" : "containers"} ${names.map((n) => `"${n}"`).join(", ")}`;
}

const quote = (values: string[]) => values.map((v) => `"${v}"`).join(", ");

// TODO(15.7): the baseline checks. Return one reason per broken check, in
// Kubernetes' order (by check id) and with these words. Containers and
// volumes are named in pod order (init containers first), capabilities
// sorted by name; no name twice:
//   non-default capabilities (container "a" must not include "NET_ADMIN" in securityContext.capabilities.add)
//   host namespaces (hostNetwork=true, hostPID=true, hostIPC=true)     only those set
//   hostPath volumes (volume "data")                (volumes "a", "b" for several)
//   privileged (container "a" must not set securityContext.privileged=true)
// containerList() and quote() format the lists. A capability in
// BASELINE_CAPABILITIES is allowed. Tests: the "15.7" tests.
export function baselineViolations(pod: Pod): string[] {
  todo("15.7");
}

/** The restricted checks beyond baseline (given: the same idea, more fields). */
export function restrictedViolations(pod: Pod): string[] {
  const containers = allContainers(pod);
  const reasons: string[] = [];
  const escalation = containers.filter((c) => c.securityContext?.allowPrivilegeEscalation !== false).map((c) => c.name);
  if (escalation.length)
    reasons.push(
      `allowPrivilegeEscalation != false (${containerList(escalation)} must set securityContext.allowPrivilegeEscalation=false)`,
    );
  const dropAll = containers.filter((c) => !(c.securityContext?.capabilities?.drop ?? []).includes("ALL")).map((c) => c.name);
  if (dropAll.length)
    reasons.push(`unrestricted capabilities (${containerList(dropAll)} must set securityContext.capabilities.drop=["ALL"])`);
  const podNonRoot = pod.spec?.securityContext?.runAsNonRoot === true;
  const root = containers.filter((c) => !(c.securityContext?.runAsNonRoot ?? podNonRoot)).map((c) => c.name);
  if (root.length)
    reasons.push(`runAsNonRoot != true (pod or ${containerList(root)} must set securityContext.runAsNonRoot=true)`);
  return reasons;
}

export function levelOf(labels: Record<string, string> | undefined): Level {
  const value = labels?.[ENFORCE_LABEL];
  return value === "baseline" || value === "restricted" ? value : "privileged";
}

/** The PodSecurity admission plugin: reads the namespace's level, checks new pods against it. */
export function podSecurityAdmission(storage: ObjectStorage, registry: ResourceRegistry): AdmissionPlugin {
  return {
    name: "PodSecurity",
    async validate(request) {
      if (request.operation !== "CREATE" || request.subresource || request.resource.plural !== "pods" || request.resource.group)
        return;
      const namespaces = registry.lookup("", "v1", "namespaces");
      if (!namespaces || !request.namespace || !request.object) return;
      const ns = await storage.get(namespaces, undefined, request.namespace);
      const level = levelOf(ns.metadata?.labels);
      if (level === "privileged") return;
      const pod = request.object as Pod;
      const reasons = [...baselineViolations(pod), ...(level === "restricted" ? restrictedViolations(pod) : [])];
      if (reasons.length)
        throw forbidden({ resource: "pods" }, request.name, `violates PodSecurity "${level}:latest": ${reasons.join(", ")}`);
    },
  };
}
