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
import { todo } from "../../../shared/todo.ts";

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

// TODO(10.3): the subsets of a Service: matching pods with an IP, not being
// deleted, grouped by the ports they serve; ready ones in addresses, the
// others in notReadyAddresses. The result must not depend on the order of
// the pods (sort). No selector: undefined.
export function computeSubsets(service: Service, pods: readonly Pod[]): EndpointSubset[] | undefined {
  todo("10.3");
}
