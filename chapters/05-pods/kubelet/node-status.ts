/**
 * The kubelet's Node: how a machine joins the cluster.
 *
 * A kubelet that starts creates its Node object (POST /api/v1/nodes) with
 * what it offers: capacity (cpu, memory, how many pods), allocatable (what
 * is left for pods), its addresses, the port of its own HTTP server (where
 * the apiserver fetches logs), facts about the machine, and the condition
 * that matters most: Ready. Then it keeps reporting (a "heartbeat") by
 * updating the status every few seconds. A node whose heartbeat stops is
 * declared NotReady by the node lifecycle controller (chapter 12).
 *
 * (Kubernetes 1.17+ sends the frequent heartbeat as a small Lease object in
 * kube-node-lease and updates the Node less often; the idea is the same.)
 */
import { arch, release } from "node:os";
import { isApiError, timestamp, type Node, type NodeCondition, type NodeStatus } from "../../../shared/api/index.ts";
import type { ResourceClient } from "../../04-kubectl/client/rest.ts";
import { todo } from "../../../shared/todo.ts";

export const KUBELET_VERSION = "v1.32.0-workshop";

export interface NodeFacts {
  nodeName: string;
  /** The node's address (the apiserver reaches the kubelet there). */
  address: string;
  /** The port of the kubelet's HTTP server (logs). */
  kubeletPort: number;
  capacity: { cpu: string; memory: string; pods: string };
  /** "docker://20.10.24" */
  containerRuntimeVersion: string;
  labels?: Record<string, string>;
}

/** The Ready condition, keeping lastTransitionTime while the status stays the same. */
function readyCondition(old: NodeCondition[] | undefined, now: string): NodeCondition {
  const before = old?.find((c) => c.type === "Ready");
  return {
    type: "Ready",
    status: "True",
    lastHeartbeatTime: now,
    lastTransitionTime: before?.status === "True" && before.lastTransitionTime ? before.lastTransitionTime : now,
    reason: "KubeletReady",
    message: "kubelet is posting ready status",
  };
}

/** The status the kubelet reports: fresh heartbeat times on every call. */
export function nodeStatus(facts: NodeFacts, old: NodeStatus | undefined, now: string = timestamp()): NodeStatus {
  // Given: capacity and allocatable (nothing reserved), the Ready condition,
  // the addresses, the port of the kubelet's server and facts about the machine.
  return {
    capacity: { ...facts.capacity },
    allocatable: { ...facts.capacity },
    conditions: [readyCondition(old?.conditions, now)],
    addresses: [
      { type: "InternalIP", address: facts.address },
      { type: "Hostname", address: facts.nodeName },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: facts.kubeletPort } },
    nodeInfo: {
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: KUBELET_VERSION,
      containerRuntimeVersion: facts.containerRuntimeVersion,
      operatingSystem: "linux",
      architecture: arch() === "x64" ? "amd64" : arch(),
      kernelVersion: release(),
      osImage: "k8s-workshop",
      machineID: facts.nodeName,
      systemUUID: facts.nodeName,
      bootID: facts.nodeName,
    },
  };
}

/** Creates the Node, or takes over the existing one (a restarted kubelet), with a fresh status. */
export async function registerNode(nodes: ResourceClient<Node>, facts: NodeFacts): Promise<Node> {
  // TODO(05.1): join the cluster. Afterwards a Node named facts.nodeName
  // exists, labelled kubernetes.io/hostname=<node name> and
  // kubernetes.io/os=linux (plus facts.labels), and its status is
  // nodeStatus(). A POST of a Node keeps the .status it carries (Nodes
  // allow it, pods do not), but an existing Node's status changes only
  // through /status. A kubelet that restarts finds its Node already there:
  // that is not an error. Return the Node as written.
  // Tests: "05.1 kubelet > registers each node ...".
  todo("05.1");
}

/** One heartbeat: the status again, with new heartbeat times. */
export async function heartbeat(nodes: ResourceClient<Node>, facts: NodeFacts): Promise<Node> {
  const node = await nodes.get(facts.nodeName);
  return nodes.updateStatus({
    ...node,
    metadata: { ...node.metadata, resourceVersion: undefined },
    status: nodeStatus(facts, node.status),
  });
}
