/** `kubectl describe rc web`: the selector, the counts, and the pod template. */
import type { KubeObject } from "../../../shared/api/meta.ts";
import type { ReplicationController } from "../../../shared/api/replication.ts";
import { field, metadataLines } from "../../04-kubectl/kubectl/describe.ts";
import { formatSelector } from "../apiserver/replicationcontrollers.ts";

export function describeReplicationController(obj: KubeObject): string[] {
  const rc = obj as ReplicationController;
  const status = rc.status;
  const template = rc.spec?.template;
  const lines = [
    ...metadataLines(rc),
    ...field("Selector", formatSelector(rc.spec?.selector)),
    ...field("Replicas", `${status?.replicas ?? 0} current / ${rc.spec?.replicas ?? 0} desired`),
    ...field(
      "Pods Status",
      `${status?.readyReplicas ?? 0} Ready / ${status?.availableReplicas ?? 0} Available / ${status?.fullyLabeledReplicas ?? 0} Fully labeled`,
    ),
    "Pod Template:",
    ...field("Labels", formatSelector(template?.metadata?.labels), 2),
    "  Containers:",
  ];
  for (const c of template?.spec?.containers ?? []) {
    lines.push(`   ${c.name}:`);
    lines.push(...field("Image", c.image ?? "", 4));
    if (c.command) lines.push(...field("Command", c.command, 4));
    if (c.ports?.length)
      lines.push(...field("Ports", c.ports.map((p) => `${p.containerPort}/${p.protocol ?? "TCP"}`).join(", "), 4));
  }
  for (const c of status?.conditions ?? [])
    lines.push(...field("Condition", `${c.type}=${c.status} ${c.reason ?? ""}: ${c.message ?? ""}`));
  return lines;
}
