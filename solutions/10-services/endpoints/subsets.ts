/**
 * From a Service and the pods of its namespace to the Endpoints subsets:
 * which pod addresses, on which ports, are behind the Service.
 *
 *   Service web: selector app=web, ports [{ name: "", port: 8000, targetPort: 80 }]
 *   pods: web-a (app=web, 172.21.0.3, Ready), web-b (app=web, 172.21.0.4, not Ready)
 *   ->  subsets: [{ addresses: [172.21.0.3], notReadyAddresses: [172.21.0.4],
 *                   ports: [{ name: "", port: 80, protocol: TCP }] }]
 *
 * A named targetPort ("http") is looked up in each pod's container ports, so
 * two pods may serve the Service on different port numbers: pods with the
 * same resolved ports share a subset.
 */
import type { Pod } from "../../../shared/api/index.ts";
import type { EndpointAddress, EndpointPort, EndpointSubset, Service, ServicePort } from "../../../shared/api/service.ts";
import { selectorFromSet } from "../../07-labels/labels/selector.ts";
import { isPodReady } from "../../08-replication/replication/reconcile.ts";

/** The pod's port for a Service port: a number as is, a name through the pod's container ports. */
export function resolveTargetPort(port: ServicePort, pod: Pod): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === "number") return target;
  for (const container of pod.spec?.containers ?? []) {
    const match = container.ports?.find((p) => p.name === target && (p.protocol ?? "TCP") === (port.protocol ?? "TCP"));
    if (match) return match.containerPort;
  }
  return undefined;
}

/** The address of a pod in an Endpoints object: its IP, its node, and a reference to it. */
export function addressOf(pod: Pod): EndpointAddress {
  const meta = pod.metadata ?? {};
  return {
    ip: pod.status?.podIP ?? "",
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    targetRef: { kind: "Pod", namespace: meta.namespace, name: meta.name, uid: meta.uid },
  };
}

const byIp = (a: EndpointAddress, b: EndpointAddress) => a.ip.localeCompare(b.ip, undefined, { numeric: true });

// STEP(10.3): the subsets of a Service: matching pods with an IP, not being
// deleted, grouped by the ports they serve; ready ones in addresses, the
// others in notReadyAddresses. The result must not depend on the order of
// the pods (sort). No selector: undefined.
export function computeSubsets(service: Service, pods: readonly Pod[]): EndpointSubset[] | undefined {
  //#solution
  const selector = service.spec?.selector ?? {};
  if (Object.keys(selector).length === 0) return undefined;
  const matcher = selectorFromSet(selector);
  const groups = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  for (const pod of pods) {
    if (pod.metadata?.namespace !== service.metadata?.namespace) continue;
    if (!matcher.matches(pod.metadata?.labels ?? {}) || !pod.status?.podIP || pod.metadata?.deletionTimestamp) continue;
    const ports: EndpointPort[] = [];
    for (const sp of service.spec?.ports ?? []) {
      const port = resolveTargetPort(sp, pod);
      if (port !== undefined) ports.push({ name: sp.name ?? "", port, protocol: sp.protocol ?? "TCP" });
    }
    if (ports.length !== (service.spec?.ports ?? []).length) continue;
    const key = JSON.stringify(ports);
    const group = groups.get(key) ?? { ports, ready: [], notReady: [] };
    groups.set(key, group);
    (isPodReady(pod) ? group.ready : group.notReady).push(addressOf(pod));
  }
  const subsets = [...groups.values()].map((g) => ({
    ...(g.ready.length > 0 ? { addresses: g.ready.sort(byIp) } : {}),
    ...(g.notReady.length > 0 ? { notReadyAddresses: g.notReady.sort(byIp) } : {}),
    ports: g.ports,
  }));
  const first = (s: EndpointSubset) => (s.addresses ?? s.notReadyAddresses ?? [])[0]!;
  return subsets.sort((a, b) => byIp(first(a), first(b)));
  //#end
}
