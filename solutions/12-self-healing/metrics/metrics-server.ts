/**
 * A small metrics-server: it scrapes every node's summary (summary.ts) and
 * turns the figures into NodeMetrics and PodMetrics.
 *
 *   apiserver: GET /apis/metrics.k8s.io/v1beta1/nodes        --> nodeMetrics()
 *              GET /apis/metrics.k8s.io/v1beta1/namespaces/default/pods --> podMetrics("default")
 *                          |
 *                          v  at most one scrape per resolution (10 s)
 *   for each Node:  nodeSummary(node)  -->  the engine's stats of that node's containers
 *
 * Node figures are the sum of the node's containers, pause containers
 * included. A real node also counts its kernel, kubelet and runtime; these
 * nodes are simulated on one host and have no such figures of their own.
 * A pod's figures list its containers (not the pause container), as
 * metrics-server does.
 */
import type Docker from "dockerode";
import type { Node, Pod } from "../../../shared/api/index.ts";
import { POD_INFRA_CONTAINER } from "../../05-pods/kubelet/containers.ts";
import { nodeSummary } from "./summary.ts";
import { usage, type ContainerStats, type NodeMetrics, type PodMetrics } from "./types.ts";

export interface MetricsServerOptions {
  docker: Docker;
  /** This cluster's labels: only its containers are counted (other clusters may share the engine). */
  labels: Record<string, string>;
  /** The nodes and pods as the apiserver has them. */
  nodes(): Promise<Node[]>;
  pods(): Promise<Pod[]>;
  /** A scrape is reused for this long. Default 10 s (metrics-server: --metric-resolution, 15 s by default). */
  resolutionMs?: number;
}

interface Scrape {
  at: number;
  nodes: Node[];
  pods: Pod[];
  stats: Map<string, ContainerStats[]>;
}

const API_VERSION = "metrics.k8s.io/v1beta1";

/** A window in Go's duration form, "1.047s". */
const duration = (ms: number) => `${Number((ms / 1000).toFixed(3))}s`;
const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

export class MetricsServer {
  private last: Scrape | undefined;
  private running: Promise<Scrape> | undefined;

  constructor(private readonly options: MetricsServerOptions) {}

  /** The newest scrape, or a new one when it is older than the resolution. Callers at the same time share one. */
  private async scrape(): Promise<Scrape> {
    if (this.last && Date.now() - this.last.at < (this.options.resolutionMs ?? 10_000)) return this.last;
    this.running ??= (async () => {
      try {
        const [nodes, pods] = await Promise.all([this.options.nodes(), this.options.pods()]);
        const stats = new Map<string, ContainerStats[]>();
        await Promise.all(
          nodes.map(async (n) => {
            const name = n.metadata?.name ?? "";
            stats.set(name, await nodeSummary(this.options.docker, name, this.options.labels));
          }),
        );
        this.last = { at: Date.now(), nodes, pods, stats };
        return this.last;
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  async nodeMetrics(): Promise<NodeMetrics[]> {
    const { nodes, stats } = await this.scrape();
    const out: NodeMetrics[] = [];
    for (const node of nodes) {
      const name = node.metadata?.name ?? "";
      const containers = stats.get(name) ?? [];
      // A node without a running container has nothing measured: no metrics (kubectl top shows <unknown>).
      if (containers.length === 0) continue;
      out.push({
        apiVersion: API_VERSION,
        kind: "NodeMetrics",
        metadata: { name, labels: node.metadata?.labels ?? {}, creationTimestamp: rfc3339(Date.now()) },
        timestamp: rfc3339(Math.max(...containers.map((c) => c.time))),
        window: duration(Math.max(...containers.map((c) => c.windowMs))),
        usage: usage(
          containers.reduce((sum, c) => sum + c.usageNanoCores, 0),
          containers.reduce((sum, c) => sum + c.workingSetBytes, 0),
        ),
      });
    }
    return out;
  }

  /** The metrics of the pods of a namespace (all namespaces when undefined). */
  async podMetrics(namespace?: string): Promise<PodMetrics[]> {
    const { pods, stats } = await this.scrape();
    const byUid = new Map<string, ContainerStats[]>();
    for (const c of [...stats.values()].flat()) {
      if (c.container === POD_INFRA_CONTAINER) continue;
      byUid.set(c.podUid, [...(byUid.get(c.podUid) ?? []), c]);
    }
    const out: PodMetrics[] = [];
    for (const pod of pods) {
      const meta = pod.metadata ?? {};
      if (namespace !== undefined && meta.namespace !== namespace) continue;
      const containers = byUid.get(meta.uid ?? "");
      if (!containers?.length) continue;
      out.push({
        apiVersion: API_VERSION,
        kind: "PodMetrics",
        metadata: {
          name: meta.name,
          namespace: meta.namespace,
          labels: meta.labels ?? {},
          creationTimestamp: rfc3339(Date.now()),
        },
        timestamp: rfc3339(Math.max(...containers.map((c) => c.time))),
        window: duration(Math.max(...containers.map((c) => c.windowMs))),
        containers: containers
          .sort((a, b) => a.container.localeCompare(b.container))
          .map((c) => ({ name: c.container, usage: usage(c.usageNanoCores, c.workingSetBytes) })),
      });
    }
    return out;
  }
}
