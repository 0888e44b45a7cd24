/**
 * Chapter 11 and kubectl exec: running a command in a pod is a write. The
 * real kubectl opens a WebSocket (a GET), and RBAC must still ask for
 * "create" on pods/exec, so a role that may only read cannot open a shell.
 * Hollow nodes (the fake runtime): no Docker.
 *
 * RBAC answers before the pod is looked at, so the refusal is checked on a
 * stored pod (11.2). Running a command needs the pod to run, and no pod
 * starts on this cluster before step 11.6 (the kubelet builds every
 * container's environment with envFrom's source): that half is 11.6's.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { writeKubeconfig } from "@tree/04-kubectl/kubectl/kubeconfig.ts";
import { startCluster, type TestCluster } from "./harness/cluster.ts";
import { http } from "./harness/http.ts";
import { KUBECTL_PATH, kubectlAvailable } from "./harness/kubectl.ts";
import { waitFor } from "./harness/wait.ts";

const READER = "reader-token-8d2f61b0c4";
const OPERATOR = "operator-token-3a9e07d5f1";
let cluster: TestCluster;
let dataDir: string;
let api: ReturnType<typeof http>;
const as = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "k8s-11-exec-"));
  await mkdir(join(dataDir, "control-plane"));
  await writeFile(join(dataDir, "control-plane", "tokens.csv"), `${READER},reader,2001\n${OPERATOR},operator,2002\n`, {
    mode: 0o600,
  });
  cluster = await startCluster({ chapter: "11", runtime: "fake", dataDir });
  api = http(cluster.url);
  const admin = as(cluster.adminToken ?? "no-admin-token");
  const role = (name: string, verbs: string[]) => ({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata: { name },
    rules: [
      { apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] },
      { apiGroups: [""], resources: ["pods/exec"], verbs },
    ],
  });
  const binding = (user: string, roleName: string) => ({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: { name: `${user}-binding` },
    subjects: [{ kind: "User", name: user, apiGroup: "rbac.authorization.k8s.io" }],
    roleRef: { kind: "Role", name: roleName, apiGroup: "rbac.authorization.k8s.io" },
  });
  const rbac = "/apis/rbac.authorization.k8s.io/v1/namespaces/default";
  for (const [path, body] of [
    [`${rbac}/roles`, role("exec-get-only", ["get"])],
    [`${rbac}/roles`, role("exec-create", ["get", "create"])],
    [`${rbac}/rolebindings`, binding("reader", "exec-get-only")],
    [`${rbac}/rolebindings`, binding("operator", "exec-create")],
  ] as const)
    expect((await api("POST", path, body, admin)).status, `POST ${path}`).toBe(201);
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web" },
    spec: { containers: [{ name: "app", image: "busybox:latest" }] },
  };
  expect((await api("POST", "/api/v1/namespaces/default/pods", pod, admin)).status).toBe(201);
}, 60_000);

afterAll(async () => {
  await cluster?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Runs the real kubectl as the user of `token`, with a kubeconfig and cache in `dir`. */
async function kubectl(dir: string, token: string, args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  const config = join(dir, `config-${token}`);
  await writeKubeconfig(config, { server: cluster.secureUrl ?? cluster.url, token, namespace: "default" });
  return new Promise((resolve) => {
    const child = execFile(
      KUBECTL_PATH,
      ["--kubeconfig", config, "--cache-dir", join(dir, "cache"), ...args],
      { env: { PATH: process.env.PATH ?? "", HOME: dir }, timeout: 30_000 },
      (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

it.skipIf(!kubectlAvailable())("11.2 RBAC > kubectl exec needs create on pods/exec; get alone is refused", async () => {
  const dir = await mkdtemp(join(tmpdir(), "k8s-11-exec-kubectl-"));
  try {
    const denied = await kubectl(dir, READER, ["exec", "web", "--", "true"]);
    expect(denied.code).toBe(1);
    expect(denied.stderr.trim()).toBe(
      'Error from server (Forbidden): pods "web" is forbidden: User "reader" cannot create resource "pods/exec" in API group "" in the namespace "default"',
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it.skipIf(!kubectlAvailable())(
  "11.6 RBAC > kubectl exec with create on pods/exec runs the command in the running pod",
  async () => {
    const admin = as(cluster.adminToken ?? "no-admin-token");
    await waitFor("the pod web to run on a hollow node", async () => {
      const res = await api("GET", "/api/v1/namespaces/default/pods/web", undefined, admin);
      return res.body?.status?.phase === "Running" || undefined;
    });
    const dir = await mkdtemp(join(tmpdir(), "k8s-11-exec-kubectl-"));
    try {
      const allowed = await kubectl(dir, OPERATOR, ["exec", "web", "--", "true"]);
      expect(allowed.stderr).toBe("");
      expect(allowed.code).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);
