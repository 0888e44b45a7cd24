/** `kubectl describe svc web`: type, cluster IP, ports with their targets and node ports. */
import type { KubeObject } from "../../../shared/api/meta.ts";
import type { Endpoints, Service } from "../../../shared/api/service.ts";
import { field, metadataLines } from "../../04-kubectl/kubectl/describe.ts";
import { formatEndpoints } from "../apiserver/endpoints.ts";
import { formatSelector } from "../apiserver/services.ts";

export function describeService(obj: KubeObject): string[] {
  const service = obj as Service;
  const spec = service.spec ?? {};
  const lines = [
    ...metadataLines(service),
    ...field("Selector", formatSelector(spec.selector)),
    ...field("Type", spec.type ?? "ClusterIP"),
    ...field("IP", spec.clusterIP || "<none>"),
  ];
  for (const port of spec.ports ?? []) {
    const name = port.name || "<unset>";
    lines.push(...field("Port", `${name}  ${port.port}/${port.protocol ?? "TCP"}`));
    lines.push(...field("TargetPort", `${port.targetPort ?? port.port}/${port.protocol ?? "TCP"}`));
    if (port.nodePort) lines.push(...field("NodePort", `${name}  ${port.nodePort}/${port.protocol ?? "TCP"}`));
  }
  lines.push(...field("Session Affinity", spec.sessionAffinity ?? "None"));
  return lines;
}

export function describeEndpoints(obj: KubeObject): string[] {
  const endpoints = obj as Endpoints;
  const lines = [...metadataLines(endpoints), "Subsets:"];
  for (const subset of endpoints.subsets ?? []) {
    lines.push(...field("Addresses", (subset.addresses ?? []).map((a) => a.ip).join(",") || "<none>", 2));
    lines.push(...field("NotReadyAddresses", (subset.notReadyAddresses ?? []).map((a) => a.ip).join(",") || "<none>", 2));
    lines.push("  Ports:", ...(subset.ports ?? []).map((p) => `    ${p.name || "<unset>"}  ${p.port}/${p.protocol ?? "TCP"}`));
  }
  if ((endpoints.subsets ?? []).length === 0) lines.push("  <none>");
  lines.push(...field("Endpoints", formatEndpoints(endpoints)));
  return lines;
}
