/**
 * Chapter 08 on the apiserver, no Docker: the ReplicationController resource
 * (defaults, validation, Table columns, discovery), its scale subresource
 * (GET, PUT, PATCH, conflicts), DELETE with the Orphan policy, and both
 * kubectls' `scale`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "@tree/04-kubectl/kubectl/main.ts";
import { installReplication } from "@tree/08-replication/index.ts";
import { kubectlPlugin } from "@tree/08-replication/kubectl/index.ts";
import type { ReplicationController, Scale } from "../shared/api/replication.ts";
import { startCluster, type TestCluster } from "./harness/cluster.ts";
import { http } from "./harness/http.ts";
import { kubectlAvailable, kubectlFor, type Kubectl, runOurKubectl, type KubectlResult } from "./harness/kubectl.ts";

let cluster: TestCluster;
let api: ReturnType<typeof http>;
const RCS = "/api/v1/namespaces/default/replicationcontrollers";

function webRc(name: string, replicas?: number): ReplicationController {
  return {
    apiVersion: "v1",
    kind: "ReplicationController",
    metadata: { name },
    spec: {
      ...(replicas === undefined ? {} : { replicas }),
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "httpd", image: "busybox", command: ["httpd", "-f"] }] } },
    },
  };
}

function ourKubectl(args: string[]): Promise<KubectlResult> {
  return runOurKubectl(run, cluster.url, args, { plugins: [kubectlPlugin] });
}

beforeAll(async () => {
  cluster = await startCluster();
  installReplication(cluster.apiserver);
  api = http(cluster.url);
});
afterAll(async () => {
  await cluster?.close();
});

describe("08 chapter > the ReplicationController resource (given)", () => {
  it("is created with defaults (selector and labels from the template, replicas 1) and an empty status", async () => {
    const res = await api<ReplicationController>("POST", RCS, { ...webRc("defaults"), status: { replicas: 9 } });
    expect(res.status, res.text).toBe(201);
    expect(res.body.spec?.selector).toEqual({ app: "defaults" });
    expect(res.body.metadata?.labels).toEqual({ app: "defaults" });
    expect(res.body.spec?.replicas).toBe(1);
    expect(res.body.spec?.template?.spec?.restartPolicy).toBe("Always");
    expect(res.body.status).toEqual({ replicas: 0 });
    // The status subresource: a status write keeps the spec, a spec write keeps the status.
    const status = await api<ReplicationController>("PUT", `${RCS}/defaults/status`, { ...res.body, spec: { ...res.body.spec, replicas: 7 }, status: { replicas: 1, readyReplicas: 1 } });
    expect(status.status, status.text).toBe(200);
    expect(status.body.spec?.replicas).toBe(1);
    expect(status.body.status).toEqual({ replicas: 1, readyReplicas: 1 });
  });

  it("refuses an RC whose selector does not match its template, with Kubernetes' message", async () => {
    const bad = webRc("mismatch", 2);
    bad.spec!.selector = { app: "other" };
    const res = await api("POST", RCS, bad);
    expect(res.status).toBe(422);
    expect(res.body.reason).toBe("Invalid");
    expect(res.body.message).toBe(
      'ReplicationController "mismatch" is invalid: spec.template.metadata.labels: Invalid value: {"app":"mismatch"}: `selector` does not match template `labels`',
    );
    const negative = await api("POST", RCS, webRc("negative", -2));
    expect(negative.status).toBe(422);
    expect(negative.body.message).toContain("spec.replicas: Invalid value: -2: must be greater than or equal to 0");
  });

  it("serves a Table with DESIRED CURRENT READY (and CONTAINERS IMAGES SELECTOR for -o wide), and the short name rc in discovery", async () => {
    await api("POST", RCS, webRc("table", 3));
    const table = await api("GET", `${RCS}?fieldSelector=metadata.name%3Dtable`, undefined, { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" });
    expect(table.status).toBe(200);
    expect(table.body.columnDefinitions.map((c: { name: string; priority: number }) => `${c.name}/${c.priority}`)).toEqual([
      "Name/0", "Desired/0", "Current/0", "Ready/0", "Age/0", "Containers/1", "Images/1", "Selector/1",
    ]);
    const row = table.body.rows.find((r: { cells: unknown[] }) => r.cells[0] === "table");
    expect(row.cells.slice(1, 4)).toEqual([3, 0, 0]);
    expect(row.cells.slice(5)).toEqual(["httpd", "busybox", "app=table"]);
    const discovery = await api("GET", "/api/v1");
    const resources = discovery.body.resources as Array<{ name: string; shortNames?: string[]; kind: string; group?: string; version?: string; verbs: string[] }>;
    expect(resources.find((r) => r.name === "replicationcontrollers")).toMatchObject({ kind: "ReplicationController", shortNames: ["rc"] });
    expect(resources.find((r) => r.name === "replicationcontrollers/scale")).toMatchObject({ kind: "Scale", group: "autoscaling", version: "v1" });
  });
});

describe("08.5 the scale subresource", () => {
  it("GETs a Scale, and PUT and PATCH change only spec.replicas", async () => {
    await api("POST", RCS, webRc("scaled", 2));
    const got = await api<Scale>("GET", `${RCS}/scaled/scale`);
    expect(got.status, got.text).toBe(200);
    expect(got.body).toMatchObject({ apiVersion: "autoscaling/v1", kind: "Scale", metadata: { name: "scaled", namespace: "default" }, spec: { replicas: 2 }, status: { replicas: 0, selector: "app=scaled" } });

    const put = await api<Scale>("PUT", `${RCS}/scaled/scale`, { ...got.body, spec: { replicas: 5 } });
    expect(put.status, put.text).toBe(200);
    expect(put.body.spec?.replicas).toBe(5);
    const patched = await api<Scale>("PATCH", `${RCS}/scaled/scale`, { spec: { replicas: 4 } }, { "content-type": "application/merge-patch+json" });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.spec?.replicas).toBe(4);
    const rc = await api<ReplicationController>("GET", `${RCS}/scaled`);
    expect(rc.body.spec?.replicas).toBe(4);
    expect(rc.body.spec?.template?.spec?.containers[0]?.image).toBe("busybox");
    expect(rc.body.metadata?.generation).toBe(3);
  });

  it("refuses a stale resourceVersion (409), a negative count (422) and a missing RC (404)", async () => {
    const stale = await api<Scale>("GET", `${RCS}/scaled/scale`);
    await api("PATCH", `${RCS}/scaled/scale`, { spec: { replicas: 1 } }, { "content-type": "application/merge-patch+json" });
    const conflict = await api("PUT", `${RCS}/scaled/scale`, { ...stale.body, spec: { replicas: 9 } });
    expect(conflict.status).toBe(409);
    expect(conflict.body.reason).toBe("Conflict");
    const negative = await api("PUT", `${RCS}/scaled/scale`, { kind: "Scale", apiVersion: "autoscaling/v1", spec: { replicas: -1 } });
    expect(negative.status).toBe(422);
    expect(negative.body.message).toContain("spec.replicas: Invalid value: -1: must be greater than or equal to 0");
    const missing = await api("GET", `${RCS}/nope/scale`);
    expect(missing.status).toBe(404);
  });

  it("our kubectl scales through it, with an optional --current-replicas precondition", async () => {
    await api("POST", RCS, webRc("ours", 1));
    const scaled = await ourKubectl(["scale", "rc", "ours", "--replicas=3"]);
    expect(scaled, scaled.stderr).toMatchObject({ code: 0, stdout: "replicationcontroller/ours scaled\n" });
    expect((await api<Scale>("GET", `${RCS}/ours/scale`)).body.spec?.replicas).toBe(3);
    const refused = await ourKubectl(["scale", "rc/ours", "--replicas", "1", "--current-replicas", "2"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe("error: Expected replicas to be 2, was 3\n");
    expect((await ourKubectl(["scale", "rc", "ours"])).stderr).toContain('required flag(s) "replicas" not set');
    expect((await ourKubectl(["scale", "rc", "ours", "--replicas=-1"])).stderr).toContain("--replicas must be a whole number >= 0");
    const get = await ourKubectl(["get", "rc", "ours"]);
    expect(get.stdout).toMatch(/NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\nours\s+3\s+0\s+0\s+/);
  });
});

describe("08 chapter > DELETE with propagationPolicy=Orphan (given)", () => {
  it("keeps the RC, marked, with the orphan finalizer (for the garbage collector); Background deletes it at once", async () => {
    await api("POST", RCS, webRc("orphaned", 0));
    const res = await api<ReplicationController>("DELETE", `${RCS}/orphaned`, { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Orphan" });
    expect(res.status, res.text).toBe(200);
    const marked = await api<ReplicationController>("GET", `${RCS}/orphaned`);
    expect(marked.status).toBe(200);
    expect(marked.body.metadata?.deletionTimestamp).toBeTruthy();
    expect(marked.body.metadata?.finalizers).toEqual(["orphan"]);
    // Removing the finalizer (what the garbage collector does) lets it go.
    await api("PATCH", `${RCS}/orphaned`, { metadata: { finalizers: null } }, { "content-type": "application/merge-patch+json" });
    expect((await api("GET", `${RCS}/orphaned`)).status).toBe(404);

    await api("POST", RCS, webRc("background", 0));
    expect((await api("DELETE", `${RCS}/background?propagationPolicy=Background`)).status).toBe(200);
    expect((await api("GET", `${RCS}/background`)).status).toBe(404);
  });
});

describe.skipIf(!kubectlAvailable())("08 chapter > the real kubectl", () => {
  let kubectl: Kubectl;
  beforeAll(async () => {
    kubectl = await kubectlFor(cluster.url);
  });
  afterAll(async () => {
    await kubectl?.cleanup();
  });

  it("creates an RC, lists it with its columns, and scales it (PATCH of the scale subresource)", async () => {
    const manifest = JSON.stringify(webRc("real", 2));
    expect(await kubectl.ok(["create", "-f", "-"], manifest)).toBe("replicationcontroller/real created\n");
    const table = await kubectl.ok(["get", "rc", "real"]);
    expect(table).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\nreal\s+2\s+0\s+0\s+\S+\n$/);
    const wide = await kubectl.ok(["get", "rc", "real", "-o", "wide"]);
    expect(wide).toMatch(/CONTAINERS\s+IMAGES\s+SELECTOR\n.*httpd\s+busybox\s+app=real\n$/);
    expect(await kubectl.ok(["scale", "rc", "real", "--replicas=3"])).toBe("replicationcontroller/real scaled\n");
    expect((await api<Scale>("GET", `${RCS}/real/scale`)).body.spec?.replicas).toBe(3);
    expect(await kubectl.ok(["scale", "--current-replicas=3", "--replicas=1", "rc/real"])).toBe("replicationcontroller/real scaled\n");
    expect((await api<Scale>("GET", `${RCS}/real/scale`)).body.spec?.replicas).toBe(1);
  });
});
