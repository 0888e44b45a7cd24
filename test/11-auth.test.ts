/**
 * Chapter 11, access control: bearer tokens (401 without a valid one) and
 * RBAC (403 unless a role allows it), on a cluster whose every component
 * (kubelet, binder) authenticates with its own token. Hollow nodes: no Docker.
 */
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeKubeconfig } from "@tree/04-kubectl/kubectl/kubeconfig.ts";
import { startCluster, type TestCluster } from "./harness/cluster.ts";
import { http, openWatch } from "./harness/http.ts";
import { KUBECTL_PATH, kubectlAvailable } from "./harness/kubectl.ts";
import { waitFor } from "./harness/wait.ts";
import { execFile } from "node:child_process";

const BOB = "bob-token-1b7e0c2a9d";
const NOBODY = "nobody-token-5c1f44e0";

let cluster: TestCluster;
let dataDir: string;
let api: ReturnType<typeof http>;
const as = (token: string) => ({ authorization: `Bearer ${token}` });
let admin: Record<string, string>;

beforeAll(async () => {
  // The admin writes the token file before the apiserver starts (kube-apiserver --token-auth-file).
  dataDir = await mkdtemp(join(tmpdir(), "k8s-11-auth-"));
  await mkdir(join(dataDir, "control-plane"));
  await writeFile(join(dataDir, "control-plane", "tokens.csv"), `${BOB},bob,1001,"developers"\n${NOBODY},nobody,1002\n`, {
    mode: 0o600,
  });
  cluster = await startCluster({ chapter: "11", runtime: "fake", dataDir });
  api = http(cluster.url);
  admin = as(cluster.adminToken ?? "no-admin-token");
  // What the tests below need: a namespace, and bob's role that allows pods only.
  // (The Secret and the pod are made by the tests that read them: givenSecret(), givenPod().)
  expect(
    (await api("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } }, admin)).status,
  ).toBe(201);
  const role = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata: { name: "pod-reader" },
    rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] }],
  };
  expect((await api("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/shop/roles", role, admin)).status).toBe(201);
  const binding = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: { name: "bob-reads-pods" },
    subjects: [{ kind: "User", name: "bob", apiGroup: "rbac.authorization.k8s.io" }],
    roleRef: { kind: "Role", name: "pod-reader", apiGroup: "rbac.authorization.k8s.io" },
  };
  expect((await api("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/shop/rolebindings", binding, admin)).status).toBe(201);
});

afterAll(async () => {
  await cluster?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/*
 * `npm run check 11.k` runs only the tests of step k, so a test first makes
 * what it reads, unless an earlier test of the file already did.
 */

/** The Secret shop/db (password hunter2). Storing a Secret needs 11.3 (stringData) and 11.4 (encryption). */
async function givenSecret(): Promise<void> {
  if ((await api("GET", "/api/v1/namespaces/shop/secrets/db", undefined, admin)).status === 200) return;
  const secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "db" }, stringData: { password: "hunter2" } };
  expect((await api("POST", "/api/v1/namespaces/shop/secrets", secret, admin)).status).toBe(201);
}

/** The pod shop/web, stored (whether it runs yet does not matter to RBAC). */
async function givenPod(): Promise<void> {
  if ((await api("GET", "/api/v1/namespaces/shop/pods/web", undefined, admin)).status === 200) return;
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web" },
    spec: { containers: [{ name: "app", image: "busybox:latest" }] },
  };
  expect((await api("POST", "/api/v1/namespaces/shop/pods", pod, admin)).status).toBe(201);
}

describe("11.1 authentication: bearer tokens", () => {
  it("answers 401 Unauthorized, as a Status, without a token or with an unknown one", async () => {
    for (const headers of [{}, as("not-a-token"), { authorization: "Bearer " }, { authorization: "Basic Ym9iOnB3" }]) {
      for (const path of ["/api/v1/namespaces/shop/secrets/db", "/api/v1/namespaces/shop/pods", "/version"]) {
        const res = await api("GET", path, undefined, headers);
        expect(res.status, `${path} with ${JSON.stringify(headers)}`).toBe(401);
        expect(res.body).toMatchObject({ kind: "Status", status: "Failure", reason: "Unauthorized", code: 401 });
      }
    }
    expect(
      (await api("POST", "/api/v1/namespaces/shop/secrets", { apiVersion: "v1", kind: "Secret", metadata: { name: "x" } }))
        .status,
    ).toBe(401);
  });

  it("lets the components in with their token: the node registered and a pod was bound", async () => {
    expect(cluster.adminToken).toMatch(/^[0-9a-f]{32,}$/);
    const node = await api("GET", "/api/v1/nodes/node-1", undefined, admin);
    expect(node.status).toBe(200);
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web" },
      spec: { containers: [{ name: "app", image: "busybox:latest" }] },
    };
    expect((await api("POST", "/api/v1/namespaces/shop/pods", pod, admin)).status).toBe(201);
    await waitFor("the pod to be bound to the hollow node", async () => {
      const res = await api("GET", "/api/v1/namespaces/shop/pods/web", undefined, admin);
      return res.body?.spec?.nodeName === "node-1";
    });
  });
});

// The kubelet builds every container's environment with chapter 11's envFrom
// source, so no pod starts on this cluster before step 11.6.
describe("11.6 a pod runs on a cluster with access control", () => {
  it("the kubelet, with its token, runs the pod and reports it Running on the hollow node", async () => {
    await givenPod();
    await waitFor("the pod to be bound and run on the hollow node", async () => {
      const res = await api("GET", "/api/v1/namespaces/shop/pods/web", undefined, admin);
      return res.body?.status?.phase === "Running" && res.body.spec?.nodeName === "node-1";
    });
  });
});

describe("11.2 authorization: RBAC", () => {
  it("allows what bob's Role allows, in its namespace only", async () => {
    await givenPod();
    expect((await api("GET", "/api/v1/namespaces/shop/pods", undefined, as(BOB))).status).toBe(200);
    expect((await api("GET", "/api/v1/namespaces/shop/pods/web", undefined, as(BOB))).status).toBe(200);
    const elsewhere = await api("GET", "/api/v1/namespaces/default/pods", undefined, as(BOB));
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.message).toBe(
      'pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "default"',
    );
    // Writing is not reading.
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "bobs" },
      spec: { containers: [{ name: "app", image: "busybox" }] },
    };
    expect((await api("POST", "/api/v1/namespaces/shop/pods", pod, as(BOB))).status).toBe(403);
    // Every authenticated user may read discovery; a user with no role gets nothing else.
    expect((await api("GET", "/api/v1", undefined, as(NOBODY))).status).toBe(200);
    expect((await api("GET", "/api/v1/namespaces/shop/pods", undefined, as(NOBODY))).status).toBe(403);
  });

  it("ships the default roles, and view does not read Secrets", async () => {
    const view = await api("GET", "/apis/rbac.authorization.k8s.io/v1/clusterroles/view", undefined, admin);
    expect(view.status).toBe(200);
    expect(JSON.stringify(view.body.rules)).toContain("pods");
    expect(JSON.stringify(view.body.rules)).not.toContain("secrets");
    const binding = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "nobody-views" },
      subjects: [{ kind: "User", name: "nobody", apiGroup: "rbac.authorization.k8s.io" }],
      roleRef: { kind: "ClusterRole", name: "view", apiGroup: "rbac.authorization.k8s.io" },
    };
    expect((await api("POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", binding, admin)).status).toBe(201);
    expect((await api("GET", "/api/v1/pods", undefined, as(NOBODY))).status).toBe(200);
    expect((await api("GET", "/api/v1/secrets", undefined, as(NOBODY))).status).toBe(403);
  });

  it.skipIf(!kubectlAvailable())("tells the real kubectl, on the secure port, who is forbidden what", async () => {
    await givenPod();
    expect(cluster.secureUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const dir = await mkdtemp(join(tmpdir(), "k8s-11-kubectl-"));
    try {
      const run = async (token: string, args: string[]) => {
        const config = join(dir, `config-${token}`);
        // The real kubectl sends a token only over TLS: the secure port.
        await writeKubeconfig(config, { server: cluster.secureUrl ?? cluster.url, token, namespace: "shop" });
        return new Promise<{ code: number; stderr: string; stdout: string }>((resolve) => {
          const child = execFile(
            KUBECTL_PATH,
            ["--kubeconfig", config, "--cache-dir", join(dir, "cache"), ...args],
            { env: { PATH: process.env.PATH ?? "", HOME: dir }, timeout: 30_000 },
            (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }),
          );
          child.stdin?.end(); // kubectl asks for a password on stdin when it has no credentials
        });
      };
      const denied = await run(BOB, ["get", "secrets"]);
      expect(denied.code).toBe(1);
      expect(denied.stderr).toContain(
        'secrets is forbidden: User "bob" cannot list resource "secrets" in API group "" in the namespace "shop"',
      );
      const allowed = await run(BOB, ["get", "pods"]);
      expect(allowed.stdout).toMatch(/^web\s/m);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// RBAC on a Secret that exists: storing and reading one needs 11.3 (stringData) and 11.4 (encryption at rest).
describe("11.4 authorization: RBAC on a stored Secret", () => {
  it("gives a token without rights 403 on every route to a Secret: get, list, watch, one namespace and all", async () => {
    await givenSecret();
    const get = await api("GET", "/api/v1/namespaces/shop/secrets/db", undefined, as(BOB));
    expect(get.status).toBe(403);
    expect(get.body).toMatchObject({ kind: "Status", reason: "Forbidden", code: 403 });
    expect(get.body.message).toBe(
      'secrets "db" is forbidden: User "bob" cannot get resource "secrets" in API group "" in the namespace "shop"',
    );
    expect(get.text).not.toContain("hunter2");
    const routes = [
      "/api/v1/namespaces/shop/secrets",
      "/api/v1/namespaces/shop/secrets?watch=1",
      "/api/v1/namespaces/shop/secrets?watch=true&fieldSelector=metadata.name%3Ddb",
      "/api/v1/watch/namespaces/shop/secrets",
      "/api/v1/watch/namespaces/shop/secrets/db",
      "/api/v1/secrets",
      "/api/v1/secrets?watch=1",
      "/api/v1/watch/secrets",
    ];
    for (const token of [BOB, NOBODY]) {
      for (const path of routes) {
        const res = await api("GET", path, undefined, as(token));
        expect(res.status, `GET ${path}`).toBe(403);
        expect(res.text).not.toContain("hunter2");
      }
    }
    const all = await api("GET", "/api/v1/secrets", undefined, as(BOB));
    expect(all.body.message).toBe(
      'secrets is forbidden: User "bob" cannot list resource "secrets" in API group "" at the cluster scope',
    );
    // The admin reads it; the value comes back (base64 of hunter2).
    const adminGet = await api("GET", "/api/v1/namespaces/shop/secrets/db", undefined, admin);
    expect(adminGet.status).toBe(200);
    expect(Buffer.from(adminGet.body.data.password, "base64").toString()).toBe("hunter2");
    const watch = await openWatch(`${cluster.url}/api/v1/secrets?watch=1`, admin);
    expect(watch.status).toBe(200);
    expect((await watch.next()).object.metadata.name).toBe("db");
    watch.close();
  });

  it("grants get, and only get, once a RoleBinding gives bob a role that allows it", async () => {
    await givenSecret();
    const role = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: "db-secret-getter" },
      rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"], resourceNames: ["db"] }],
    };
    expect((await api("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/shop/roles", role, admin)).status).toBe(201);
    const binding = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "developers-get-db" },
      subjects: [{ kind: "Group", name: "developers", apiGroup: "rbac.authorization.k8s.io" }],
      roleRef: { kind: "Role", name: "db-secret-getter", apiGroup: "rbac.authorization.k8s.io" },
    };
    expect((await api("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/shop/rolebindings", binding, admin)).status).toBe(
      201,
    );

    const get = await api("GET", "/api/v1/namespaces/shop/secrets/db", undefined, as(BOB));
    expect(get.status).toBe(200);
    expect(Buffer.from(get.body.data.password, "base64").toString()).toBe("hunter2");
    expect((await api("GET", "/api/v1/namespaces/shop/secrets", undefined, as(BOB))).status).toBe(403);
    expect((await api("GET", "/api/v1/namespaces/shop/secrets?watch=1", undefined, as(BOB))).status).toBe(403);
    expect((await api("GET", "/api/v1/secrets", undefined, as(BOB))).status).toBe(403);
    // resourceNames: another Secret of the namespace stays closed; nobody is not in the group.
    expect(
      (
        await api(
          "POST",
          "/api/v1/namespaces/shop/secrets",
          { apiVersion: "v1", kind: "Secret", metadata: { name: "other" } },
          admin,
        )
      ).status,
    ).toBe(201);
    expect((await api("GET", "/api/v1/namespaces/shop/secrets/other", undefined, as(BOB))).status).toBe(403);
    expect((await api("GET", "/api/v1/namespaces/shop/secrets/db", undefined, as(NOBODY))).status).toBe(403);
  });
});
