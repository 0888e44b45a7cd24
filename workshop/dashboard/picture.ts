/**
 * The cluster picture: what the dashboard page and `npm run top` draw, made
 * from the objects an informer keeps (nodes, pods, services, endpoints,
 * controllers, events). Pure functions: objects in, a picture out, so the
 * browser page, the terminal view and the tests all see the same thing.
 *
 *   node-1 (Ready)        node-2 (Unknown)      unscheduled
 *   ┌───────────┐         ┌───────────┐         ┌──────────────────────────┐
 *   │ web-x7k2p │         │ web-9fq3d │         │ big-0: 0/3 nodes are     │
 *   │ Running   │         │ Running   │         │ available: Insufficient  │
 *   └───────────┘         └───────────┘         └──────────────────────────┘
 */
import type { Event, Node, Pod } from "../../shared/api/core.ts";
import type { KubeObject } from "../../shared/api/meta.ts";
import { cpuMillis, memoryBytes } from "../../shared/api/quantity.ts";
import type { Endpoints, Service } from "../../shared/api/service.ts";

/** Ready, NotReady (the kubelet says so) or Unknown (the kubelet stopped reporting). */
export type NodeState = "Ready" | "NotReady" | "Unknown";

export interface PodCard {
  namespace: string;
  name: string;
  phase: string;
  /** "1/1": ready containers of all containers. */
  ready: string;
  restarts: number;
  ip: string | undefined;
  /** "ReplicationController/web", from the controller owner reference. */
  owner: string | undefined;
  /** Why it is not running well: a waiting reason (CrashLoopBackOff...) or the scheduler's message. */
  reason: string | undefined;
  deleting: boolean;
}

export interface Usage {
  requested: number;
  allocatable: number;
}

export interface NodeColumn {
  name: string;
  state: NodeState;
  unschedulable: boolean;
  taints: string[];
  cpu: Usage;
  memory: Usage;
  pods: PodCard[];
}

export interface ServiceRow {
  namespace: string;
  name: string;
  type: string;
  clusterIP: string | undefined;
  ports: string;
  /** Ready endpoint addresses, "10.0.0.5:80". */
  endpoints: string[];
}

export interface WorkloadRow {
  kind: string;
  namespace: string;
  name: string;
  desired: number;
  ready: number;
}

export interface EventRow {
  time: string;
  type: string;
  reason: string;
  object: string;
  message: string;
}

export interface ClusterPicture {
  nodes: NodeColumn[];
  unscheduled: PodCard[];
  services: ServiceRow[];
  workloads: WorkloadRow[];
  events: EventRow[];
  /** The chapters whose code runs this cluster, and the kinds its apiserver serves. */
  cluster: { tree: string; chapters: string[]; kinds: string[] };
}

/** An object with replicas in spec and readyReplicas in status: an RC, a ReplicaSet, a Deployment. */
export interface Workload extends KubeObject {
  spec?: { replicas?: number };
  status?: { readyReplicas?: number };
}

export interface PictureInput {
  nodes: Node[];
  pods: Pod[];
  services: Service[];
  endpoints: Endpoints[];
  workloads: Workload[];
  events: Event[];
  cluster: ClusterPicture["cluster"];
}

/** How many events the picture keeps, newest last. */
export const EVENT_LIMIT = 15;

export function buildPicture(input: PictureInput): ClusterPicture {
  const byNode = new Map<string, Pod[]>();
  const unscheduled: PodCard[] = [];
  for (const pod of input.pods) {
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) unscheduled.push(podCard(pod));
    else byNode.set(nodeName, [...(byNode.get(nodeName) ?? []), pod]);
  }
  const nodes = input.nodes.map((node) => nodeColumn(node, byNode.get(node.metadata?.name ?? "") ?? []));
  return {
    nodes,
    unscheduled,
    services: input.services.map((svc) => serviceRow(svc, input.endpoints)),
    workloads: input.workloads.map(workloadRow),
    events: input.events
      .map(eventRow)
      .sort((a, b) => a.time.localeCompare(b.time))
      .slice(-EVENT_LIMIT),
    cluster: input.cluster,
  };
}

/** The node's state from its Ready condition; a node without one has not reported yet. */
export function nodeState(node: Node): NodeState {
  const ready = node.status?.conditions?.find((c) => c.type === "Ready");
  if (ready?.status === "True") return "Ready";
  if (ready?.status === "False") return "NotReady";
  return "Unknown";
}

function nodeColumn(node: Node, pods: Pod[]): NodeColumn {
  const allocatable = node.status?.allocatable ?? {};
  // Requests count while the pod holds its place: every pod bound here that has not finished.
  const holding = pods.filter((p) => p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed");
  const sum = (read: (q: number | string) => number, resource: "cpu" | "memory") =>
    holding.reduce(
      (total, pod) => total + (pod.spec?.containers ?? []).reduce((n, c) => n + safe(read, c.resources?.requests?.[resource]), 0),
      0,
    );
  return {
    name: node.metadata?.name ?? "",
    state: nodeState(node),
    unschedulable: node.spec?.unschedulable === true,
    taints: (node.spec?.taints ?? []).map((t) => `${t.key}${t.value ? `=${t.value}` : ""}:${t.effect}`),
    cpu: { requested: sum(cpuMillis, "cpu"), allocatable: safe(cpuMillis, allocatable.cpu) },
    memory: { requested: sum(memoryBytes, "memory"), allocatable: safe(memoryBytes, allocatable.memory) },
    pods: pods.map(podCard).sort((a, b) => a.name.localeCompare(b.name)),
  };
}

/** A quantity that does not parse counts as 0: the picture must never fail on one odd object. */
function safe(read: (q: number | string) => number, q: number | string | undefined): number {
  if (q === undefined) return 0;
  try {
    return read(q);
  } catch {
    return 0;
  }
}

export function podCard(pod: Pod): PodCard {
  const statuses = pod.status?.containerStatuses ?? [];
  const containers = pod.spec?.containers?.length ?? statuses.length;
  const owner = pod.metadata?.ownerReferences?.find((o) => o.controller) ?? pod.metadata?.ownerReferences?.[0];
  const waiting = statuses.map((s) => s.state?.waiting?.reason).find((r) => r !== undefined);
  const scheduled = pod.status?.conditions?.find((c) => c.type === "PodScheduled");
  const unschedulable = scheduled?.status === "False" ? (scheduled.message ?? scheduled.reason) : undefined;
  return {
    namespace: pod.metadata?.namespace ?? "default",
    name: pod.metadata?.name ?? "",
    phase: pod.status?.phase ?? "Pending",
    ready: `${statuses.filter((s) => s.ready).length}/${containers}`,
    restarts: statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0),
    ip: pod.status?.podIP,
    owner: owner ? `${owner.kind}/${owner.name}` : undefined,
    reason: waiting ?? unschedulable,
    deleting: pod.metadata?.deletionTimestamp !== undefined,
  };
}

function serviceRow(svc: Service, endpoints: Endpoints[]): ServiceRow {
  const mine = endpoints.find(
    (e) => e.metadata?.name === svc.metadata?.name && e.metadata?.namespace === svc.metadata?.namespace,
  );
  const addresses = (mine?.subsets ?? []).flatMap((subset) =>
    (subset.addresses ?? []).flatMap((a) => (subset.ports ?? []).map((p) => `${a.ip}:${p.port}`)),
  );
  return {
    namespace: svc.metadata?.namespace ?? "default",
    name: svc.metadata?.name ?? "",
    type: svc.spec?.type ?? "ClusterIP",
    clusterIP: svc.spec?.clusterIP,
    ports: (svc.spec?.ports ?? []).map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ""}/${p.protocol ?? "TCP"}`).join(","),
    endpoints: addresses.sort(),
  };
}

function workloadRow(w: Workload): WorkloadRow {
  return {
    kind: w.kind ?? "",
    namespace: w.metadata?.namespace ?? "default",
    name: w.metadata?.name ?? "",
    desired: w.spec?.replicas ?? 1,
    ready: w.status?.readyReplicas ?? 0,
  };
}

function eventRow(e: Event): EventRow {
  const time = e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp ?? "";
  const obj = e.involvedObject;
  return {
    time: String(time),
    type: e.type ?? "Normal",
    reason: e.reason ?? "",
    object: obj ? `${obj.kind ?? ""}/${obj.name ?? ""}` : "",
    message: e.message ?? "",
  };
}
