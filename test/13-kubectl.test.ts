/**
 * Chapter 13: the workshop's own kubectl (chapter 04) with chapter 13's
 * plugin: rollout status | history | undo | pause | resume, set image and
 * scale for Deployments. The commands are given code; what they show is the
 * controller's work, so these tests fail until the chapter is written.
 * Hollow nodes (the fake runtime): no Docker needed.
 */
import { resolve } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { run } from "@tree/04-kubectl/kubectl/main.ts";
import { kubectlPlugin as replication } from "@tree/08-replication/kubectl/index.ts";
import { kubectlPlugin as apps } from "@tree/13-deployments/kubectl/index.ts";
import type { Deployment, ReplicaSet } from "../shared/api/apps.ts";
import type { List, Pod } from "../shared/api/index.ts";
import { startClusterFromTree, type Cluster } from "../shared/cluster/index.ts";
import { http } from "./harness/http.ts";
import { runOurKubectl, type KubectlResult } from "./harness/kubectl.ts";
import { FAST_KUBELET } from "./harness/tuning.ts";
import { waitFor } from "./harness/wait.ts";

let cluster: Cluster;
let api: ReturnType<typeof http>;
let auth: Record<string, string>;
const APPS = "/apis/apps/v1/namespaces/default";

beforeAll(async () => {
  cluster = await startClusterFromTree({
    tree: resolve(process.env.WORKSHOP_TREE ?? "solutions"),
    upTo: "13",
    nodes: 1,
    runtime: "fake",
    fakeImages: ["busybox:latest", "busybox:1.36"],
    kubelet: FAST_KUBELET,
  });
  api = http(cluster.url);
  auth = { authorization: `Bearer ${cluster.adminToken}` };
}, 60_000);
afterAll(async () => {
  await cluster?.close();
});

const kubectl = (...args: string[]): Promise<KubectlResult> =>
  runOurKubectl(run, cluster.url, args, { token: cluster.adminToken, plugins: [replication, apps] });
async function ok(...args: string[]): Promise<string> {
  const r = await kubectl(...args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}

async function createDeployment(name: string, image: string, replicas = 2): Promise<void> {
  const body: Deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "main", image }] } },
    },
  };
  const res = await api("POST", `${APPS}/deployments`, body, auth);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

async function images(app: string): Promise<string[]> {
  const pods = await api<List<Pod>>("GET", `/api/v1/namespaces/default/pods?labelSelector=app%3D${app}`, undefined, auth);
  return [
    ...new Set(pods.body.items.filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.spec?.containers[0]?.image ?? "")),
  ];
}

/**
 * Waits until the Deployment controller has seen the Deployment's latest
 * spec. On a starter its sync runs into a todo() (caught and retried), and
 * this wait ends at once (test/harness/wait.ts), where `rollout status
 * --timeout=60s` would wait 60 s.
 */
async function observed(name: string): Promise<void> {
  await waitFor(
    `the Deployment controller to observe deployment ${name} (status.observedGeneration: the sync loop of step 13.4 writes the status of step 13.5)`,
    async () => {
      const d = (await api<Deployment>("GET", `${APPS}/deployments/${name}`, undefined, auth)).body;
      return (d.status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1);
    },
  );
}

/** The revision numbers `rollout history` prints, in order. */
function revisions(history: string): string[] {
  return history
    .split("\n")
    .filter((l) => /^\d/.test(l))
    .map((l) => l.split(/\s+/)[0]!);
}

it("13 chapter > our kubectl's rollout status waits for the rollout, then set image, history and undo move between revisions", async () => {
  await createDeployment("web", "busybox:latest");
  await observed("web");
  const status = await ok("rollout", "status", "deployment/web", "--timeout=60s");
  expect(status).toContain('deployment "web" successfully rolled out');

  expect(await ok("set", "image", "deployment/web", "main=busybox:1.36")).toBe("deployment.apps/web image updated\n");
  expect(await ok("rollout", "status", "deploy", "web", "--timeout=60s")).toMatch(/deployment "web" successfully rolled out\n$/);
  expect(await images("web")).toEqual(["busybox:1.36"]);
  const history = await ok("rollout", "history", "deployment/web");
  expect(history).toMatch(/^deployment\.apps\/web \nREVISION\s+CHANGE-CAUSE\n/);
  expect(revisions(history)).toEqual(["1", "2"]);
  expect(await ok("rollout", "history", "deployment/web", "--revision=1")).toContain("Image:\tbusybox:latest");

  expect(await ok("rollout", "undo", "deployment/web")).toBe("deployment.apps/web rolled back\n");
  await ok("rollout", "status", "deployment/web", "--timeout=60s");
  expect(await images("web")).toEqual(["busybox:latest"]);
  expect(revisions(await ok("rollout", "history", "deployment/web")), "the undo made revision 1 into revision 3").toEqual([
    "2",
    "3",
  ]);

  expect(await ok("rollout", "undo", "deployment/web", "--to-revision=2")).toBe("deployment.apps/web rolled back\n");
  await ok("rollout", "status", "deployment/web", "--timeout=60s");
  expect(await images("web")).toEqual(["busybox:1.36"]);
  const missing = await kubectl("rollout", "undo", "deployment/web", "--to-revision=9");
  expect(missing).toMatchObject({ code: 1, stderr: "error: unable to find specified revision 9 in history\n" });
}, 120_000);

it("13 chapter > our kubectl pauses and resumes a rollout, and scales a Deployment through its scale subresource", async () => {
  await createDeployment("paused", "busybox:latest", 1);
  await observed("paused");
  await ok("rollout", "status", "deployment/paused", "--timeout=60s");
  expect(await ok("rollout", "pause", "deployment/paused")).toBe("deployment.apps/paused paused\n");
  const again = await kubectl("rollout", "pause", "deployment/paused");
  expect(again).toMatchObject({ code: 1, stderr: 'error: deployments.apps "paused" is already paused\n' });
  await ok("set", "image", "deployment/paused", "main=busybox:1.36");
  await waitFor("the controller to observe the paused change", async () => {
    const d = (await api<Deployment>("GET", `${APPS}/deployments/paused`, undefined, auth)).body;
    if ((d.status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1)) return d;
    throw new Error(`observedGeneration ${d.status?.observedGeneration}, generation ${d.metadata?.generation}`);
  });
  const sets = await api<List<ReplicaSet>>("GET", `${APPS}/replicasets?labelSelector=app%3Dpaused`, undefined, auth);
  expect(sets.body.items.length, "no new ReplicaSet while paused").toBe(1);
  expect(await ok("rollout", "resume", "deployment/paused")).toBe("deployment.apps/paused resumed\n");
  await ok("rollout", "status", "deployment/paused", "--timeout=60s");
  expect(await images("paused")).toEqual(["busybox:1.36"]);

  expect(await ok("scale", "deployment", "paused", "--replicas=3")).toBe("deployment.apps/paused scaled\n");
  const scaled = await ok("rollout", "status", "deployment/paused", "--timeout=60s");
  expect(scaled).toContain('deployment "paused" successfully rolled out');
  const d = (await api<Deployment>("GET", `${APPS}/deployments/paused`, undefined, auth)).body;
  expect(d.status).toMatchObject({ replicas: 3, availableReplicas: 3 });
  // Not a deployment: one readable line.
  const wrong = await kubectl("rollout", "status", "pod/x");
  expect(wrong.code).toBe(1);
  expect(wrong.stderr).toMatch(/^error: no rollout for a pod/);
}, 120_000);
