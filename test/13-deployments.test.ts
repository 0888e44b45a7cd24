/**
 * Chapter 13 on a real Docker engine, driven by the real kubectl: a
 * Deployment rolls out, changes image (a new ReplicaSet, a new revision),
 * shows its history, rolls back, scales, pauses and resumes; a rollout that
 * cannot make progress fails `kubectl rollout status` after its deadline;
 * Recreate never runs old and new pods together.
 *
 * Each test has its own Deployment and they run at once (describe.concurrent):
 * most of a rollout is waiting for pods to start and stop, on two nodes.
 */
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Deployment, DeploymentStrategy, ReplicaSet } from "../shared/api/apps.ts";
import type { List, Pod } from "../shared/api/index.ts";
import { REPO_ROOT } from "../shared/chapters.ts";
import { startClusterFromTree, type Cluster } from "../shared/cluster/index.ts";
import { dockerTest } from "./harness/docker.ts";
import { http } from "./harness/http.ts";
import { kubectlAsAdmin, type AdminKubectl } from "./harness/admin-kubectl.ts";
import { kubectlAvailable } from "./harness/kubectl.ts";
import { waitFor } from "./harness/wait.ts";
import { FAST_KUBELET } from "./harness/tuning.ts";

const d = dockerTest();
let cluster: Cluster;
let api: ReturnType<typeof http>;
let auth: Record<string, string>;
let kube: AdminKubectl;
const FIXTURE = join(REPO_ROOT, "examples", "deployment.yaml");
const APPS = "/apis/apps/v1/namespaces/default";

const kubectl = (...args: string[]) => kube.run(...args);
const ok = (...args: string[]) => kube.ok(...args);

async function replicaSets(app: string): Promise<ReplicaSet[]> {
  const list = await api<List<ReplicaSet>>("GET", `${APPS}/replicasets?labelSelector=app%3D${app}`, undefined, auth);
  return list.body.items;
}

async function deployment(name: string): Promise<Deployment> {
  return (await api<Deployment>("GET", `${APPS}/deployments/${name}`, undefined, auth)).body;
}

async function pods(app: string): Promise<Pod[]> {
  const list = await api<List<Pod>>("GET", `/api/v1/namespaces/default/pods?labelSelector=app%3D${app}`, undefined, auth);
  return list.body.items;
}

const isReady = (p: Pod) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;
const images = (ps: Pod[]) => [...new Set(ps.map((p) => p.spec?.containers[0]?.image))].sort();
const revision = (rs: ReplicaSet) => rs.metadata?.annotations?.["deployment.kubernetes.io/revision"];

/**
 * Waits until the Deployment controller has seen the Deployment's latest spec.
 * Fail fast when no controller looks at Deployments: on a starter its sync
 * runs into a todo() (caught and retried), and this wait ends at once
 * (test/harness/wait.ts), where `rollout status` would wait out its --timeout.
 */
async function observed(name: string): Promise<void> {
  await waitFor(
    `the Deployment controller to observe deployment ${name} (status.observedGeneration: the sync loop of step 13.4 writes the status of step 13.5)`,
    async () => {
      const d = await deployment(name);
      return (d.status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1);
    },
    { timeoutMs: 20_000 },
  );
}

/** `kubectl rollout status` with a bound; the output must say the rollout is done. */
async function rolloutDone(name: string): Promise<void> {
  await observed(name);
  const out = await ok("rollout", "status", `deployment/${name}`, "--timeout=90s");
  expect(out).toContain(`deployment "${name}" successfully rolled out`);
}

/** Exactly `n` running pods, all Ready, all with `image`, none terminating. */
function settled(app: string, n: number, image: string): Promise<Pod[]> {
  return waitFor(
    `${n} Ready pods of ${app} with image ${image}, and no others`,
    async () => {
      const all = await pods(app);
      if (
        all.length === n &&
        all.every((p) => isReady(p) && p.spec?.containers[0]?.image === image && !p.metadata?.deletionTimestamp)
      )
        return all;
      throw new Error(
        all
          .map(
            (p) =>
              `${p.metadata?.name} ${p.spec?.containers[0]?.image}${isReady(p) ? " ready" : ""}${p.metadata?.deletionTimestamp ? " terminating" : ""}`,
          )
          .join(", ") || "no pods",
      );
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
}

/** A Deployment of `replicas` pods whose one container "c" exits at once on SIGTERM (no wait for a grace period). */
function sleepers(name: string, replicas: number, image: string, strategy?: DeploymentStrategy) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      replicas,
      ...(strategy ? { strategy } : {}),
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [{ name: "c", image, command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"] }],
        },
      },
    },
  };
}

describe.skipIf(!d.available || !kubectlAvailable()).concurrent("13 chapter", () => {
  beforeAll(async () => {
    cluster = await startClusterFromTree({
      tree: resolve(process.env.WORKSHOP_TREE ?? "solutions"),
      upTo: "13",
      nodes: 2,
      labels: d.labels(),
      kubelet: FAST_KUBELET,
      log: process.env.WORKSHOP_DEBUG ? (line) => console.log(line) : undefined,
    });
    api = http(cluster.url);
    auth = { authorization: `Bearer ${cluster.adminToken}` };
    kube = await kubectlAsAdmin(cluster, { prefix: "k8s-13-deployments-", timeoutMs: 120_000 });
  }, 120_000);
  afterAll(async () => {
    await kube?.cleanup();
    await cluster?.close();
    await d.cleanup();
  });

  it("the real kubectl applies, rolls out a new image, lists two revisions, undoes, and scales", async () => {
    expect(await ok("apply", "-f", FIXTURE)).toContain("deployment.apps/web created");
    await rolloutDone("web");
    const first = await settled("web", 3, "busybox:latest");
    const [rs1] = await replicaSets("web");
    expect(revision(rs1!)).toBe("1");
    const hash = rs1!.metadata?.labels?.["pod-template-hash"];
    expect(hash, "the ReplicaSet carries pod-template-hash").toMatch(/^[a-z0-9]+$/);
    expect(rs1!.metadata?.name).toBe(`web-${hash}`);
    expect(first.every((p) => p.metadata?.labels?.["pod-template-hash"] === hash)).toBe(true);

    const table = await ok("get", "deployment", "web");
    expect(table).toMatch(/NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE/);
    expect(table).toMatch(/web\s+3\/3\s+3\s+3\s/);

    await ok("set", "image", "deployment/web", "web=busybox");
    await rolloutDone("web");
    await settled("web", 3, "busybox");
    const sets = await replicaSets("web");
    expect(sets.map((rs) => `${revision(rs)}:${rs.spec?.replicas}`).sort()).toEqual(["1:0", "2:3"]);

    const history = await ok("rollout", "history", "deployment/web");
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE/);
    expect(
      history
        .split("\n")
        .filter((l) => /^\d/.test(l))
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual(["1", "2"]);

    expect(await ok("rollout", "undo", "deployment/web")).toContain("deployment.apps/web rolled back");
    await rolloutDone("web");
    await settled("web", 3, "busybox:latest");
    const back = (await replicaSets("web")).find((rs) => rs.metadata?.name === rs1!.metadata?.name);
    expect(revision(back!), "the undo brings the first ReplicaSet back as revision 3").toBe("3");
    expect(back!.metadata?.annotations?.["deployment.kubernetes.io/revision-history"]).toBe("1");

    expect(await ok("scale", "deployment", "web", "--replicas=4")).toContain("deployment.apps/web scaled");
    await rolloutDone("web");
    await settled("web", 4, "busybox:latest");
    const status = (await deployment("web")).status;
    expect(status).toMatchObject({ replicas: 4, updatedReplicas: 4, readyReplicas: 4, availableReplicas: 4 });
    const conditions = Object.fromEntries((status?.conditions ?? []).map((c) => [c.type, `${c.status} ${c.reason}`]));
    expect(conditions).toEqual({ Available: "True MinimumReplicasAvailable", Progressing: "True NewReplicaSetAvailable" });
  }, 300_000);

  it("a paused Deployment does not roll out until it is resumed", async () => {
    expect((await api("POST", `${APPS}/deployments`, sleepers("held", 2, "busybox:latest"), auth)).status).toBe(201);
    await rolloutDone("held");
    await settled("held", 2, "busybox:latest");
    await ok("rollout", "pause", "deployment/held");
    await ok("set", "image", "deployment/held", "c=busybox");
    const paused = await waitFor("the controller to see the paused change", async () => {
      const dep = await deployment("held");
      if ((dep.status?.observedGeneration ?? 0) >= (dep.metadata?.generation ?? 1)) return dep;
      throw new Error(`observedGeneration ${dep.status?.observedGeneration}, generation ${dep.metadata?.generation}`);
    });
    expect(paused.status?.conditions?.find((c) => c.type === "Progressing")).toMatchObject({
      status: "Unknown",
      reason: "DeploymentPaused",
    });
    expect((await replicaSets("held")).length, "no new ReplicaSet while paused").toBe(1);
    expect(images(await pods("held"))).toEqual(["busybox:latest"]);

    await ok("rollout", "resume", "deployment/held");
    await rolloutDone("held");
    await settled("held", 2, "busybox");
  }, 300_000);

  it("a rollout that makes no progress fails `kubectl rollout status` once its deadline passes", async () => {
    const stuck = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "stuck" },
      spec: {
        replicas: 1,
        progressDeadlineSeconds: 3,
        selector: { matchLabels: { app: "stuck" } },
        template: {
          metadata: { labels: { app: "stuck" } },
          // Never ready (a readiness probe that always fails), so never available. A container that
          // only exits can look Running and Ready for a moment, and rollout status then succeeds.
          spec: {
            containers: [
              {
                name: "c",
                image: "busybox:latest",
                command: ["sleep", "3600"],
                readinessProbe: { exec: { command: ["false"] }, periodSeconds: 1 },
              },
            ],
          },
        },
      },
    };
    const created = await api("POST", `${APPS}/deployments`, stuck, auth);
    expect(created.status).toBe(201);
    await observed("stuck");
    const r = await kubectl("rollout", "status", "deployment/stuck", "--timeout=60s");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('deployment "stuck" exceeded its progress deadline');
    const progressing = (await deployment("stuck")).status?.conditions?.find((c) => c.type === "Progressing");
    expect(progressing).toMatchObject({ status: "False", reason: "ProgressDeadlineExceeded" });
  }, 120_000);

  it("Recreate removes every old pod before the first new one exists", async () => {
    expect(
      (await api("POST", `${APPS}/deployments`, sleepers("batch", 2, "busybox:latest", { type: "Recreate" }), auth)).status,
    ).toBe(201);
    await rolloutDone("batch");
    // Watch every pod of the Deployment from now on: the store's order of events is the truth.
    const abort = new AbortController();
    const live = new Map<string, string>();
    const overlaps: string[] = [];
    const list = await api<List<Pod>>("GET", "/api/v1/namespaces/default/pods?labelSelector=app%3Dbatch", undefined, auth);
    for (const p of list.body.items) live.set(p.metadata!.name!, p.spec!.containers[0]!.image!);
    const res = await fetch(
      `${cluster.url}/api/v1/namespaces/default/pods?watch=1&labelSelector=app%3Dbatch&resourceVersion=${list.body.metadata?.resourceVersion}`,
      { headers: auth, signal: abort.signal },
    );
    const watching = (async () => {
      let buffer = "";
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += Buffer.from(chunk).toString();
        let nl: number;
        while ((nl = buffer.indexOf("\n")) >= 0) {
          const event = JSON.parse(buffer.slice(0, nl)) as { type: string; object: Pod };
          buffer = buffer.slice(nl + 1);
          if (event.type === "DELETED") live.delete(event.object.metadata!.name!);
          else live.set(event.object.metadata!.name!, event.object.spec!.containers[0]!.image!);
          if (new Set(live.values()).size > 1) overlaps.push([...live].map(([n, i]) => `${n}:${i}`).join(" "));
        }
      }
    })().catch(() => {});
    try {
      await ok("set", "image", "deployment/batch", "c=busybox");
      await rolloutDone("batch");
      await settled("batch", 2, "busybox");
    } finally {
      abort.abort();
      await watching;
    }
    expect(overlaps, "old and new pods existed at the same time").toEqual([]);
    expect([...live.values()]).toEqual(["busybox", "busybox"]);
  }, 180_000);
});
