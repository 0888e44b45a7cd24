/**
 * Chapter 12 on a real Docker engine, three nodes: faults the cluster heals.
 *
 * - Runtime faults: containers of an RC's pods (app or pause) are killed at
 *   random (a seeded PRNG, a few rounds); every time, the kubelet restarts
 *   them or the RC replaces the pod, and the RC is back to its count.
 * - A node dies (its kubelet stops): the node lifecycle controller marks it
 *   Ready=Unknown, taints it unreachable, evicts its pods; the RC makes new
 *   ones and the scheduler puts them on the other nodes. When the kubelet
 *   comes back, the taints go and it finishes the evicted pods.
 *
 * The grace period and the eviction timeout are seconds here (40 s and
 * 300 s in Kubernetes); no assertion is about time.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { List, Node, Pod } from "../shared/api/index.ts";
import type { ReplicationController } from "../shared/api/replication.ts";
import type { Cluster } from "../shared/cluster/index.ts";
import { adminHeaders, startCluster } from "./harness/cluster.ts";
import { connectDocker } from "../shared/docker.ts";
import { dockerTest } from "./harness/docker.ts";
import { http } from "./harness/http.ts";
import { seededRandom } from "./harness/random.ts";
import { waitFor } from "./harness/wait.ts";
import { FAST_KUBELET, FAST_NODE_LIFECYCLE } from "./harness/tuning.ts";

const d = dockerTest();
const docker = connectDocker();
let cluster: Cluster;
let api: ReturnType<typeof http>;
let auth: Record<string, string>;

const RCS = "/api/v1/namespaces/default/replicationcontrollers";
const UNREACHABLE = "node.kubernetes.io/unreachable";
const isReady = (p: Pod) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;
const appId = (p: Pod) => p.status?.containerStatuses?.find((s) => s.name === "app")?.containerID;

function rc(name: string, replicas: number): ReplicationController {
  return {
    apiVersion: "v1",
    kind: "ReplicationController",
    metadata: { name },
    spec: {
      replicas,
      selector: { app: name },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [{ name: "app", image: "busybox:latest", command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"] }],
        },
      },
    },
  };
}

async function podsOf(app: string): Promise<Pod[]> {
  const res = await api<List<Pod>>("GET", `/api/v1/namespaces/default/pods?labelSelector=app%3D${app}`, undefined, auth);
  return res.body.items;
}

const active = (list: Pod[]) => list.filter((p) => !p.metadata?.deletionTimestamp);

/** Waits until the RC's app has exactly `count` active pods, all Ready, that also pass `ok`. */
function settled(app: string, count: number, what: string, ok: (pods: Pod[]) => boolean = () => true): Promise<Pod[]> {
  return waitFor(
    what,
    async () => {
      for (const node of cluster.nodes) if (node.lastError?.name === "NotImplementedError") throw node.lastError;
      const now = active(await podsOf(app));
      if (now.length === count && now.every(isReady) && ok(now)) return now;
      throw new Error(
        now.map((p) => `${p.metadata?.name}@${p.spec?.nodeName}: ${p.status?.phase}${isReady(p) ? " ready" : ""}`).join(", ") ||
          "no pods",
      );
    },
    { timeoutMs: 45_000, intervalMs: 200 },
  );
}

async function node(name: string): Promise<Node> {
  return (await api<Node>("GET", `/api/v1/nodes/${name}`, undefined, auth)).body;
}

beforeAll(async () => {
  cluster = await startCluster({ chapter: "12", nodes: 3, kubelet: FAST_KUBELET, nodeLifecycle: FAST_NODE_LIFECYCLE, docker: d });
  api = http(cluster.url);
  auth = adminHeaders(cluster);
});
afterAll(async () => {
  await cluster?.close();
  await d.cleanup();
});

it.skipIf(!d.available)(
  "12 chapter > on Docker > brings the count back after containers are killed at random, every round",
  async () => {
    expect((await api("POST", RCS, rc("chaos", 3), auth)).status).toBe(201);
    await settled("chaos", 3, "3 Ready chaos pods");
    const random = seededRandom(12);
    for (let round = 1; round <= 4; round++) {
      const before = active(await podsOf("chaos"));
      const uids = new Set(before.map((p) => p.metadata?.uid));
      // Every running container of the RC's pods, app or pause, is a candidate.
      const running = (await docker.listContainers({ filters: { label: [`io.kubernetes.pod.name`] } })).filter(
        (c) => uids.has(c.Labels["io.kubernetes.pod.uid"]) && c.Labels["k8s-workshop.cluster"] === cluster.id,
      );
      const victims = new Set<(typeof running)[number]>();
      const howMany = 1 + Math.floor(random() * 2);
      while (victims.size < Math.min(howMany, running.length)) victims.add(running[Math.floor(random() * running.length)]!);
      // What each hit pod ran before: healed means a new app instance, or a new pod.
      const hit = new Map(
        [...victims].map((c) => [
          c.Labels["io.kubernetes.pod.uid"]!,
          appId(before.find((p) => p.metadata?.uid === c.Labels["io.kubernetes.pod.uid"])!),
        ]),
      );
      await Promise.all(
        [...victims].map((c) =>
          docker
            .getContainer(c.Id)
            .kill()
            .catch(() => {}),
        ),
      );
      await settled(
        "chaos",
        3,
        `round ${round}: 3 Ready chaos pods again after killing ${[...victims].map((c) => c.Labels["io.kubernetes.container.name"]).join(", ")}`,
        (now) =>
          [...hit].every(([uid, oldApp]) => {
            const pod = now.find((p) => p.metadata?.uid === uid);
            return !pod || (appId(pod) !== undefined && appId(pod) !== oldApp);
          }),
      );
    }
    // The kubelets did the healing: the same pods, restarted in place (or replaced).
    const after = active(await podsOf("chaos"));
    const restarts = after.reduce((n, p) => n + (p.status?.containerStatuses?.[0]?.restartCount ?? 0), 0);
    expect(restarts).toBeGreaterThan(0);
    expect((await api("DELETE", `${RCS}/chaos`, undefined, auth)).status).toBe(200);
    await waitFor("the chaos pods to be gone", async () => (await podsOf("chaos")).length === 0, { timeoutMs: 30_000 });
  },
);

it.skipIf(!d.available)(
  "12.7 on Docker > evicts the pods of a node that stops heartbeating and runs them on the other nodes",
  async () => {
    expect((await api("POST", RCS, rc("spread", 4), auth)).status).toBe(201);
    const first = await settled("spread", 4, "4 Ready spread pods");
    // The node with the most of them dies (its kubelet stops; its containers run on, unwatched).
    const byNode = new Map<string, Pod[]>();
    for (const p of first) byNode.set(p.spec!.nodeName!, [...(byNode.get(p.spec!.nodeName!) ?? []), p]);
    const [victim, lost] = [...byNode].sort((a, b) => b[1].length - a[1].length)[0]!;
    await cluster.stopNode(victim);

    const dead = await waitFor(`node ${victim} to become Unknown and tainted`, async () => {
      const n = await node(victim);
      const ready = n.status?.conditions?.find((c) => c.type === "Ready");
      const keys = (n.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`);
      return ready?.status === "Unknown" &&
        keys.includes(`${UNREACHABLE}:NoSchedule`) &&
        keys.includes(`${UNREACHABLE}:NoExecute`)
        ? n
        : undefined;
    });
    expect(dead.status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({
      reason: "NodeStatusUnknown",
      message: "Kubelet stopped posting node status.",
    });

    // Its pods are evicted (Terminating: no kubelet is there to finish them) and replaced elsewhere.
    const replaced = await settled("spread", 4, `4 Ready spread pods, none on ${victim}`, (now) =>
      now.every((p) => p.spec?.nodeName !== victim),
    );
    const lostUids = new Set(lost.map((p) => p.metadata?.uid));
    expect(replaced.filter((p) => lostUids.has(p.metadata?.uid))).toEqual([]);
    const terminating = (await podsOf("spread")).filter((p) => lostUids.has(p.metadata?.uid));
    expect(terminating.every((p) => p.metadata?.deletionTimestamp)).toBe(true);

    // The node comes back: Ready, untainted, and its kubelet finishes the evicted pods.
    await cluster.startNode(victim);
    await waitFor(`node ${victim} to be Ready without our taints`, async () => {
      const n = await node(victim);
      const ready = n.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
      return ready && !(n.spec?.taints ?? []).some((t) => t.key === UNREACHABLE);
    });
    await waitFor(
      `the evicted pods of ${victim} to be gone, with their containers`,
      async () => {
        const left = (await podsOf("spread")).filter((p) => lostUids.has(p.metadata?.uid));
        if (left.length > 0) return false;
        const containers = await docker.listContainers({ all: true, filters: { label: [`k8s-workshop.cluster=${cluster.id}`] } });
        return !containers.some((c) => lostUids.has(c.Labels["io.kubernetes.pod.uid"]));
      },
      { timeoutMs: 30_000 },
    );
    // Nothing was duplicated: still exactly 4.
    expect(active(await podsOf("spread"))).toHaveLength(4);
  },
);
