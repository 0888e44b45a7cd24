/**
 * Try it: kill a node's kubelet and watch the cluster heal.
 *
 *   npx tsx chapters/12-self-healing/try-dead-node.ts
 *
 * Starts a cluster of three nodes from your chapters/ (with short timings: a
 * grace period of 5 s instead of 50 s, eviction after 5 s instead of 300 s),
 * runs a replication controller of 4 pods, then stops the kubelet of the
 * node with the most pods. Every second it prints the nodes (Ready status,
 * taints) and the pods (node, phase, Terminating). Watch the dead node turn
 * Ready=Unknown, get the unreachable taints, and its pods move. Then the
 * kubelet comes back and finishes the evicted pods. Ctrl-C stops everything
 * and removes the containers.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { List, Node, Pod } from "../../shared/api/index.ts";
import { startClusterFromTree, type Cluster } from "../../shared/cluster/index.ts";

const SECOND = 1000;

async function main(): Promise<void> {
  const cluster: Cluster = await startClusterFromTree({
    tree: resolve(process.env.WORKSHOP_TREE ?? "chapters"),
    upTo: "12",
    nodes: 3,
    labels: { "k8s-workshop.try-it": "dead-node" },
    kubelet: { heartbeatIntervalMs: SECOND, relistIntervalMs: SECOND },
    nodeLifecycle: { nodeMonitorPeriodMs: SECOND, nodeMonitorGracePeriodMs: 5 * SECOND, podEvictionTimeoutMs: 5 * SECOND },
  });
  let closing = false;
  const close = async () => {
    if (closing) return;
    closing = true;
    await cluster.close();
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void close().then(() => process.exit(130)));

  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${cluster.url}${path}`, {
      method,
      headers: { "content-type": "application/json", ...(cluster.adminToken ? { authorization: `Bearer ${cluster.adminToken}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await res.json()) as T;
  };
  const show = async (title: string) => {
    const nodes = (await api<List<Node>>("GET", "/api/v1/nodes")).items;
    const pods = (await api<List<Pod>>("GET", "/api/v1/namespaces/default/pods?labelSelector=app%3Dtry")).items;
    console.log(`--- ${title}`);
    for (const n of nodes) {
      const ready = n.status?.conditions?.find((c) => c.type === "Ready");
      const taints = (n.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`).join(" ");
      console.log(`node ${n.metadata?.name}  Ready=${ready?.status ?? "?"}  ${ready?.reason ?? ""}  ${taints}`);
    }
    for (const p of pods) {
      const state = p.metadata?.deletionTimestamp ? "Terminating" : (p.status?.phase ?? "Pending");
      console.log(`  pod ${p.metadata?.name}  on ${p.spec?.nodeName ?? "-"}  ${state}`);
    }
    return pods;
  };
  const watchFor = async (seconds: number, title: string) => {
    for (let i = 0; i < seconds && !closing; i++) {
      await show(`${title}, t+${i}s`);
      await new Promise((r) => setTimeout(r, SECOND));
    }
  };

  try {
    await api("POST", "/api/v1/namespaces/default/replicationcontrollers", {
      apiVersion: "v1",
      kind: "ReplicationController",
      metadata: { name: "try" },
      spec: {
        replicas: 4,
        selector: { app: "try" },
        template: {
          metadata: { labels: { app: "try" } },
          spec: { terminationGracePeriodSeconds: 1, containers: [{ name: "app", image: "busybox:latest", command: ["sleep", "3600"] }] },
        },
      },
    });
    await watchFor(8, "4 pods start");
    const pods = await show("before");
    const count = new Map<string, number>();
    for (const p of pods) if (p.spec?.nodeName) count.set(p.spec.nodeName, (count.get(p.spec.nodeName) ?? 0) + 1);
    const victim = [...count].sort((a, b) => b[1] - a[1])[0]?.[0] ?? cluster.nodes[0]!.nodeName;
    console.log(`\n*** stopping the kubelet of ${victim}: its heartbeats stop, its containers run on, unwatched\n`);
    await cluster.stopNode(victim);
    await watchFor(20, `${victim} is silent`);
    console.log(`\n*** starting the kubelet of ${victim} again\n`);
    await cluster.startNode(victim);
    await watchFor(10, `${victim} is back`);
  } finally {
    await close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: Error) => {
    console.error(`try-dead-node: ${err.message}`);
    process.exitCode = 1;
  });
}
