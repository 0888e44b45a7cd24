/**
 * LimitRange admission: defaults and bounds for each container of a pod.
 *
 *   kind: LimitRange
 *   spec:
 *     limits:
 *     - type: Container
 *       defaultRequest: { cpu: 100m, memory: 64Mi }   # a container without requests gets these
 *       default:        { cpu: 500m, memory: 128Mi }  # a container without limits gets these
 *       min:            { cpu: 50m }                  # a request below is refused
 *       max:            { cpu: "1" }                  # a limit above is refused
 *
 * It is a mutating plugin: it runs before ResourceQuota, so a pod created
 * without resources is charged the defaults, not nothing.
 */
import { forbidden, type Container } from "../../../shared/api/index.ts";
import type { LimitRange, LimitRangeItem } from "../../../shared/api/tenancy.ts";
import type { AdmissionPlugin } from "../../03-apiserver/chain/types.ts";
import type { ResourceRegistry } from "../../03-apiserver/registry/registry.ts";
import type { ObjectStorage } from "../../03-apiserver/storage/object-storage.ts";
import { quantityValue } from "./usage.ts";
import { todo } from "../../../shared/todo.ts";

// TODO(15.6): apply one LimitRange item of type Container to a container.
// First the defaults: a resource missing from limits gets `default`; one
// missing from requests gets `defaultRequest`, else the (new) limit. Then
// the bounds, as Kubernetes words them (return every violation, the min
// ones first):
//   "minimum cpu usage per Container is 50m, but request is 10m"
//   "maximum cpu usage per Container is 1, but limit is 2"
// A min with no request, or a max with no limit, is a violation too (two
// spaces after the period, as in Kubernetes' LimitRanger):
//   "minimum cpu usage per Container is 50m.  No request is specified"
//   "maximum cpu usage per Container is 1.  No limit is specified"
// Tests: the "15.6" tests.
export function applyContainerLimits(container: Container, item: LimitRangeItem): string[] {
  todo("15.6");
}

/** The LimitRanger admission plugin: every LimitRange of the namespace, on every container of a new pod. */
export function limitRangeAdmission(storage: ObjectStorage, registry: ResourceRegistry): AdmissionPlugin {
  return {
    name: "LimitRanger",
    async admit(request) {
      if (request.operation !== "CREATE" || request.subresource || request.resource.plural !== "pods" || request.resource.group)
        return;
      const ranges = registry.lookup("", "v1", "limitranges");
      if (!ranges || !request.namespace || !request.object) return;
      const { items } = await storage.list(ranges, request.namespace);
      const containers = (request.object.spec as { containers?: Container[] } | undefined)?.containers ?? [];
      const violations: string[] = [];
      for (const range of items as LimitRange[])
        for (const item of range.spec?.limits ?? [])
          if (item.type === "Container") for (const c of containers) violations.push(...applyContainerLimits(c, item));
      if (violations.length === 1) throw forbidden({ resource: "pods" }, request.name, violations[0]!);
      if (violations.length > 1) throw forbidden({ resource: "pods" }, request.name, `[${violations.join(", ")}]`);
    },
  };
}
