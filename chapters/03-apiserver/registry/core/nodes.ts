/**
 * Nodes: the machines (here: kubelets) that run pods. A kubelet creates its
 * Node when it starts and keeps its status fresh (conditions, addresses,
 * capacity); `kubectl get nodes` shows whether it is Ready.
 */
import { age, type Node } from "../../../../shared/api/index.ts";
import * as schemas from "../../../../shared/api/schema/core.ts";
import { ageColumn, column, nameColumn } from "../../table/table.ts";
import type { ResourceDefinition } from "../types.ts";

/** Ready / NotReady / Unknown, plus SchedulingDisabled for a cordoned node. */
export function nodeStatusText(node: Node): string {
  const ready = node.status?.conditions?.find((c) => c.type === "Ready");
  const parts = [ready?.status === "True" ? "Ready" : ready?.status === "False" ? "NotReady" : "Unknown"];
  if (node.spec?.unschedulable) parts.push("SchedulingDisabled");
  return parts.join(",");
}

/** Roles come from labels node-role.kubernetes.io/<role>. */
function roles(node: Node): string {
  const found = Object.keys(node.metadata?.labels ?? {})
    .filter((k) => k.startsWith("node-role.kubernetes.io/"))
    .map((k) => k.slice("node-role.kubernetes.io/".length))
    .filter((r) => r !== "");
  return found.length > 0 ? found.sort().join(",") : "<none>";
}

function address(node: Node, type: string): string {
  return node.status?.addresses?.find((a) => a.type === type)?.address ?? "<none>";
}

export const nodes: ResourceDefinition = {
  group: "",
  version: "v1",
  kind: "Node",
  plural: "nodes",
  singular: "node",
  shortNames: ["no"],
  scope: "Cluster",
  schema: schemas.node,
  statusSubresource: true,
  description: "Node is a worker that runs pods.",
  table: {
    columns: [
      nameColumn(),
      column("Status", "The status of the node (Ready, NotReady, Unknown)."),
      column("Roles", "The roles of the node."),
      ageColumn(),
      column("Version", "The kubelet version of the node."),
      column("Internal-IP", "The internal IP of the node.", 1),
      column("External-IP", "The external IP of the node.", 1),
      column("OS-Image", "The OS image of the node.", 1),
      column("Kernel-Version", "The kernel version of the node.", 1),
      column("Container-Runtime", "The container runtime of the node.", 1),
    ],
    cells(obj, now) {
      const node = obj as Node;
      const info = node.status?.nodeInfo ?? {};
      return [
        node.metadata?.name ?? "",
        nodeStatusText(node),
        roles(node),
        age(node.metadata?.creationTimestamp, now),
        info.kubeletVersion ?? "",
        address(node, "InternalIP"),
        address(node, "ExternalIP"),
        info.osImage ?? "<unknown>",
        info.kernelVersion ?? "<unknown>",
        info.containerRuntimeVersion ?? "<unknown>",
      ];
    },
  },
};
