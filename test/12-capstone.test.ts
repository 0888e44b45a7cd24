/**
 * Chapter 12, the capstone, on a real Docker engine with the real kubectl:
 * examples/capstone/ (a Secret, a backend RC + Service that checks the
 * password, a frontend RC + NodePort Service that calls the backend by its
 * Service variables) answers on 127.0.0.1:<nodePort>. Then a node dies for
 * real (its kubelet stops and its containers are killed): the cluster moves
 * the lost replicas to the other nodes and the app answers again, every time.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { List, Pod } from "../shared/api/index.ts";
import { REPO_ROOT } from "../shared/chapters.ts";
import type { Cluster } from "../shared/cluster/index.ts";
import { adminHeaders, startCluster } from "./harness/cluster.ts";
import { connectDocker } from "../shared/docker.ts";
import { dockerTest } from "./harness/docker.ts";
import { http } from "./harness/http.ts";
import { kubectlAsAdmin, type AdminKubectl } from "./harness/admin-kubectl.ts";
import { kubectlAvailable } from "./harness/kubectl.ts";
import { waitFor } from "./harness/wait.ts";
import { FAST_KUBELET, FAST_NODE_LIFECYCLE } from "./harness/tuning.ts";

const d = dockerTest();
const docker = connectDocker();
let cluster: Cluster;
let api: ReturnType<typeof http>;
let auth: Record<string, string>;
let kube: AdminKubectl;

const isReady = (p: Pod) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;

const kubectl = (...args: string[]) => kube.run(...args);

async function activePods(app: string): Promise<Pod[]> {
  const list = await api<List<Pod>>("GET", `/api/v1/namespaces/default/pods?labelSelector=app%3D${app}`, undefined, auth);
  return list.body.items.filter((p) => !p.metadata?.deletionTimestamp);
}

/** Both tiers at 2 Ready replicas, none on `avoid`. */
function tiersReady(what: string, avoid?: string): Promise<Pod[]> {
  return waitFor(
    what,
    async () => {
      for (const node of cluster.nodes) if (node.lastError?.name === "NotImplementedError") throw node.lastError;
      const pods = [...(await activePods("backend")), ...(await activePods("frontend"))];
      const ok = pods.filter((p) => isReady(p) && p.spec?.nodeName !== avoid);
      if (ok.length === 4 && pods.length === 4) return pods;
      throw new Error(
        pods.map((p) => `${p.metadata?.name}@${p.spec?.nodeName}${isReady(p) ? " ready" : ""}`).join(", ") || "no pods",
      );
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
}

/** One request to the frontend; the text, or the error. */
async function ask(url: string): Promise<string> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    return `${res.status} ${await res.text()}`;
  } catch (err) {
    return `error ${(err as Error).message}`;
  }
}

const ANSWER = /^200 frontend frontend-[a-z0-9]{5}: 3 orders, served by backend-[a-z0-9]{5}\n$/;

describe.skipIf(!d.available || !kubectlAvailable())("12 chapter > the capstone: a two-tier app survives a dead node", () => {
  beforeAll(async () => {
    cluster = await startCluster({
      chapter: "12",
      nodes: 3,
      kubelet: FAST_KUBELET,
      nodeLifecycle: FAST_NODE_LIFECYCLE,
      docker: d,
    });
    api = http(cluster.url);
    auth = adminHeaders(cluster);
    kube = await kubectlAsAdmin(cluster, { prefix: "k8s-12-capstone-" });
  });
  afterAll(async () => {
    await kube?.cleanup();
    await cluster?.close();
    await d.cleanup();
  });

  it("deploys with the real kubectl, answers, loses a node, and answers again from the other nodes", async () => {
    const applied = await kubectl("apply", "-f", join(REPO_ROOT, "examples", "capstone"));
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain("secret/capstone-db created");
    expect(applied.stdout).toContain("replicationcontroller/frontend created");
    const before = await tiersReady("2 Ready backends and 2 Ready frontends");

    const svc = await kubectl("get", "service", "frontend", "-o", "jsonpath={.spec.ports[0].nodePort}");
    expect(svc.stdout).toMatch(/^\d+$/);
    // A frontend pod answers (it reaches the backend Service), then so does the NodePort on the host.
    const frontendIP = before.find((p) => p.metadata?.labels?.app === "frontend")!.status!.podIP!;
    await waitFor("a frontend pod to answer with the backend's orders", async () => {
      const answer = await ask(`http://${frontendIP}:8080/cgi-bin/orders`);
      if (ANSWER.test(answer)) return answer;
      throw new Error(answer);
    });
    const url = `http://127.0.0.1:${svc.stdout}/cgi-bin/orders`;
    const first = await waitFor("the frontend to answer with the backend's orders", async () => {
      const answer = await ask(url);
      if (ANSWER.test(answer)) return answer;
      throw new Error(answer);
    });
    expect(first).toMatch(ANSWER);
    // Without the password the backend says no: the Secret is what lets the frontend in.
    const backendIP = before.find((p) => p.metadata?.labels?.app === "backend")!.status!.podIP!;
    expect((await ask(`http://${backendIP}:80/`)).slice(0, 3)).toBe("401");

    // The node with a backend and the most pods dies: kubelet gone, containers killed.
    const counts = new Map<string, number>();
    for (const p of before) counts.set(p.spec!.nodeName!, (counts.get(p.spec!.nodeName!) ?? 0) + 1);
    const withBackend = new Set(before.filter((p) => p.metadata?.labels?.app === "backend").map((p) => p.spec!.nodeName!));
    const victim = [...counts].filter(([n]) => withBackend.has(n)).sort((a, b) => b[1] - a[1])[0]![0];
    await cluster.stopNode(victim);
    const dead = await docker.listContainers({
      filters: { label: [`k8s-workshop.cluster=${cluster.id}`, `k8s-workshop.node=${victim}`] },
    });
    await Promise.all(
      dead.map((c) =>
        docker
          .getContainer(c.Id)
          .kill()
          .catch(() => {}),
      ),
    );

    const after = await tiersReady(`both tiers back at 2 Ready replicas, none on ${victim}`, victim);
    expect(after.every((p) => p.spec?.nodeName !== victim)).toBe(true);
    // The app answers again, from the surviving nodes, request after request.
    await waitFor("the frontend to answer again", async () => ANSWER.test(await ask(url)));
    for (let i = 0; i < 10; i++) expect(await ask(url)).toMatch(ANSWER);
    const described = await kubectl("get", "node", victim);
    expect(described.stdout).toMatch(new RegExp(`^${victim}\\s+(NotReady|Unknown)`, "m"));
  });
});
