/**
 * What the proxy should serve, worked out from the Services and Endpoints in
 * its informers' caches: one entry per TCP port of every Service that has a
 * cluster IP, with the ready endpoints of that port.
 *
 *   Service web (10.96.0.12), port { name: "", port: 8000 }
 *   Endpoints web: subsets [{ addresses: [172.21.0.3, 172.21.0.4], ports: [{ name: "", port: 80 }] }]
 *   -> { key: "default/web:", clusterIP: "10.96.0.12", port: 8000,
 *        endpoints: [172.21.0.3:80, 172.21.0.4:80] }
 */
import type { Endpoints, Service } from "../../../shared/api/service.ts";
import type { Endpoint } from "./round-robin.ts";

export interface ServicePortInfo {
  /** "namespace/name:portName" (the port name may be empty). */
  key: string;
  clusterIP: string;
  port: number;
  /** Also listen on 127.0.0.1:nodePort (type NodePort). */
  nodePort?: number;
  /** The ready endpoints of this port, in the Endpoints object's order. */
  endpoints: Endpoint[];
}

// STEP(10.2): what the proxy must serve: each TCP port of each Service with
// a cluster IP (headless ones are not proxied), with only the READY
// addresses of the Endpoints port of the same name, and the node port of a
// NodePort Service. Tests: the "10.2" tests.
export function servicePorts(services: readonly Service[], endpoints: readonly Endpoints[]): ServicePortInfo[] {
  //#solution
  const out: ServicePortInfo[] = [];
  for (const service of services) {
    const { namespace = "default", name = "" } = service.metadata ?? {};
    const clusterIP = service.spec?.clusterIP;
    if (!clusterIP || clusterIP === "None") continue;
    const eps = endpoints.find((e) => e.metadata?.namespace === namespace && e.metadata?.name === name);
    for (const port of service.spec?.ports ?? []) {
      if ((port.protocol ?? "TCP") !== "TCP") continue;
      const portName = port.name ?? "";
      const backends: Endpoint[] = [];
      for (const subset of eps?.subsets ?? []) {
        const target = subset.ports?.find((p) => (p.name ?? "") === portName);
        if (!target) continue;
        for (const address of subset.addresses ?? []) backends.push({ ip: address.ip, port: target.port });
      }
      const nodePort = service.spec?.type === "NodePort" ? port.nodePort : undefined;
      out.push({ key: `${namespace}/${name}:${portName}`, clusterIP, port: port.port, ...(nodePort ? { nodePort } : {}), endpoints: backends });
    }
  }
  return out;
  //#end
}
