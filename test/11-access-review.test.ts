/**
 * Chapter 11, given code: access reviews answered by RBAC, and the real
 * kubectl's everyday commands that send protobuf bodies (`auth can-i`,
 * `auth whoami`, `create namespace/secret/configmap`). Hollow nodes: no Docker.
 */
import { execFile } from "node:child_process";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeKubeconfig } from "@tree/04-kubectl/kubectl/kubeconfig.ts";
import { startCluster, type TestCluster } from "./harness/cluster.ts";
import { http } from "./harness/http.ts";
import { KUBECTL_PATH, kubectlAvailable } from "./harness/kubectl.ts";

const CAROL = "carol-token-8a3f1d92c4";

let cluster: TestCluster;
let dataDir: string;
let api: ReturnType<typeof http>;
const as = (token: string) => ({ authorization: `Bearer ${token}` });
let admin: Record<string, string>;

/** Runs the real kubectl on the secure port (it sends a token only over TLS). */
async function kubectl(token: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const config = join(dataDir, `config-${token.slice(0, 5)}`);
  await writeKubeconfig(config, { server: cluster.secureUrl ?? cluster.url, token, namespace: "shop" });
  return new Promise((resolve) => {
    const child = execFile(
      KUBECTL_PATH,
      ["--kubeconfig", config, "--cache-dir", join(dataDir, `cache-${token.slice(0, 5)}`), "--request-timeout", "20s", ...args],
      { env: { PATH: process.env.PATH ?? "", HOME: dataDir }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "k8s-11-review-"));
  await mkdir(join(dataDir, "control-plane"));
  await writeFile(join(dataDir, "control-plane", "tokens.csv"), `${CAROL},carol,2001,"testers"\n`, { mode: 0o600 });
  cluster = await startCluster({ chapter: "11", runtime: "fake", dataDir });
  api = http(cluster.url);
  admin = as(cluster.adminToken ?? "no-admin-token");
  expect(
    (await api("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } }, admin)).status,
  ).toBe(201);
});

afterAll(async () => {
  await cluster?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const ssar = (verb: string, resource: string, namespace = "shop") => ({
  apiVersion: "authorization.k8s.io/v1",
  kind: "SelfSubjectAccessReview",
  spec: { resourceAttributes: { namespace, verb, resource } },
});

describe("11 chapter > access reviews", () => {
  it("serves the reviews in discovery, with the create verb only", async () => {
    const authz = await api("GET", "/apis/authorization.k8s.io/v1", undefined, admin);
    expect(authz.status).toBe(200);
    const byName = Object.fromEntries(
      (authz.body.resources as { name: string; verbs: string[] }[]).map((r) => [r.name, r.verbs]),
    );
    expect(byName).toMatchObject({
      selfsubjectaccessreviews: ["create"],
      subjectaccessreviews: ["create"],
      selfsubjectrulesreviews: ["create"],
    });
    const authn = await api("GET", "/apis/authentication.k8s.io/v1", undefined, admin);
    expect((authn.body.resources as { name: string }[]).map((r) => r.name)).toContain("selfsubjectreviews");
    // Answered, never stored: there is nothing to list.
    expect((await api("GET", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", undefined, admin)).status).toBe(405);
  });

  it("a SelfSubjectAccessReview answers from RBAC, as the real request would be answered", async () => {
    const yes = await api("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", ssar("create", "pods"), admin);
    expect(yes.status).toBe(201);
    expect(yes.body).toMatchObject({ kind: "SelfSubjectAccessReview", status: { allowed: true } });
    const no = await api("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", ssar("create", "pods"), as(CAROL));
    expect(no.body.status.allowed).toBe(false);
    // A review asks about exactly one request.
    const empty = await api(
      "POST",
      "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
      { apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectAccessReview", spec: {} },
      admin,
    );
    expect(empty.status).toBe(422);
    // The review agrees with the real request.
    expect((await api("GET", "/api/v1/namespaces/shop/pods", undefined, as(CAROL))).status).toBe(403);
  });

  it("a SubjectAccessReview asks about another user; carol may not ask it", async () => {
    const sar = (user: string) => ({
      apiVersion: "authorization.k8s.io/v1",
      kind: "SubjectAccessReview",
      spec: {
        user,
        groups: ["system:authenticated"],
        resourceAttributes: { namespace: "shop", verb: "delete", resource: "secrets" },
      },
    });
    const asked = await api("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", sar("carol"), admin);
    expect(asked.status).toBe(201);
    expect(asked.body.status.allowed).toBe(false);
    const master = await api(
      "POST",
      "/apis/authorization.k8s.io/v1/subjectaccessreviews",
      { ...sar("root"), spec: { ...sar("root").spec, groups: ["system:masters"] } },
      admin,
    );
    expect(master.body.status.allowed).toBe(true);
    expect((await api("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", sar("carol"), as(CAROL))).status).toBe(403);
    // The namespaced form: the question must be about the URL's namespace.
    const local = { ...sar("root"), kind: "LocalSubjectAccessReview", spec: { ...sar("root").spec, groups: ["system:masters"] } };
    const inShop = await api("POST", "/apis/authorization.k8s.io/v1/namespaces/shop/localsubjectaccessreviews", local, admin);
    expect(inShop.status).toBe(201);
    expect(inShop.body.status.allowed).toBe(true);
    expect(
      (await api("POST", "/apis/authorization.k8s.io/v1/namespaces/default/localsubjectaccessreviews", local, admin)).status,
    ).toBe(400);
  });

  it.skipIf(!kubectlAvailable())(
    "kubectl auth can-i create pods: yes for the admin, no for carol, yes after a RoleBinding",
    async () => {
      const adminAnswer = await kubectl(cluster.adminToken!, ["auth", "can-i", "create", "pods"]);
      expect(adminAnswer.stdout.trim()).toBe("yes");
      const before = await kubectl(CAROL, ["auth", "can-i", "create", "pods"]);
      expect(before.stdout.trim()).toBe("no");
      expect(before.code).toBe(1);
      const role = {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: { name: "pod-maker" },
        rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["create", "get"] }],
      };
      expect((await api("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/shop/roles", role, admin)).status).toBe(201);
      const binding = {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: "carol-makes-pods" },
        subjects: [{ kind: "User", name: "carol", apiGroup: "rbac.authorization.k8s.io" }],
        roleRef: { kind: "Role", name: "pod-maker", apiGroup: "rbac.authorization.k8s.io" },
      };
      expect((await api("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/shop/rolebindings", binding, admin)).status).toBe(
        201,
      );
      const after = await kubectl(CAROL, ["auth", "can-i", "create", "pods"]);
      expect(after.stdout.trim()).toBe("yes");
      // Only in "shop", where the RoleBinding is.
      expect((await kubectl(CAROL, ["auth", "can-i", "create", "pods", "-n", "default"])).stdout.trim()).toBe("no");
      // can-i --list shows the rule of carol's role.
      const list = await kubectl(CAROL, ["auth", "can-i", "--list"]);
      expect(list.code, list.stderr).toBe(0);
      expect(list.stdout).toMatch(/^pods\s+\[\]\s+\[\]\s+\[create get\]/m);
    },
  );

  it.skipIf(!kubectlAvailable())("kubectl auth whoami prints the user and groups", async () => {
    const me = await kubectl(CAROL, ["auth", "whoami"]);
    expect(me.code, me.stderr).toBe(0);
    expect(me.stdout).toMatch(/Username\s+carol/);
    expect(me.stdout).toMatch(/Groups\s+\[testers system:authenticated\]/);
  });
});

describe("11 chapter > protobuf bodies from the real kubectl", () => {
  it.skipIf(!kubectlAvailable())("kubectl create namespace, secret generic and configmap", async () => {
    const token = cluster.adminToken!;
    const ns = await kubectl(token, ["create", "namespace", "orders"]);
    expect(ns.code, ns.stderr).toBe(0);
    expect((await api("GET", "/api/v1/namespaces/orders", undefined, admin)).body.status.phase).toBe("Active");
    const secret = await kubectl(token, [
      "create",
      "secret",
      "generic",
      "db",
      "--from-literal=password=hunter2",
      "--from-literal=user=app",
    ]);
    expect(secret.code, secret.stderr).toBe(0);
    const stored = await api("GET", "/api/v1/namespaces/shop/secrets/db", undefined, admin);
    expect(stored.body).toMatchObject({
      type: "Opaque",
      data: { password: Buffer.from("hunter2").toString("base64"), user: Buffer.from("app").toString("base64") },
    });
    const cm = await kubectl(token, ["create", "configmap", "settings", "--from-literal=color=blue", "-n", "orders"]);
    expect(cm.code, cm.stderr).toBe(0);
    expect((await api("GET", "/api/v1/namespaces/orders/configmaps/settings", undefined, admin)).body.data).toEqual({
      color: "blue",
    });
  });
});
