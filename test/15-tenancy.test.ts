/**
 * Chapter 15 on a real Docker engine, with the real kubectl where it applies:
 * a pod reads its own service-account token and lists pods through the
 * Service "kubernetes" (403, then 200 after a RoleBinding); deleting a
 * namespace removes its pods, Services and Secrets, then the namespace; a
 * quota refuses the third pod; a LimitRange fills in resources; a privileged
 * pod is refused in a baseline namespace.
 *
 * The pod uses busybox's wget for HTTPS. busybox cannot check a server's
 * certificate against a CA file, so it runs with --no-check-certificate;
 * the test checks separately that the ca.crt in the pod is the apiserver's
 * certificate (what a real client such as client-go would verify against).
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { List, Pod } from "../shared/api/index.ts";
import { adminHeaders, startCluster, type TestCluster } from "./harness/cluster.ts";
import { dockerTest } from "./harness/docker.ts";
import { http } from "./harness/http.ts";
import { kubectlAsAdmin, type AdminKubectl } from "./harness/admin-kubectl.ts";
import { kubectlAvailable } from "./harness/kubectl.ts";
import { podHelpers, testPod, type PodHelpers } from "./harness/pods.ts";
import { FAST_KUBELET } from "./harness/tuning.ts";
import { waitFor } from "./harness/wait.ts";

const d = dockerTest();
let cluster: TestCluster;
let api: ReturnType<typeof http>;
let auth: Record<string, string>;
let pods: PodHelpers;
let kube: AdminKubectl;
let dataDir: string;

const kubectl = (...args: string[]) => kube.run(...args);
const ok = (...args: string[]) => kube.ok(...args);

/** A new namespace with its ServiceAccount "default" (made by the serviceaccount controller). */
async function namespace(name: string, labels: Record<string, string> = {}): Promise<void> {
  const res = await api("POST", "/api/v1/namespaces", { metadata: { name, labels } }, auth);
  expect(res.status, res.text).toBe(201);
  await waitFor(
    `the ServiceAccount "default" in namespace ${name} (the serviceaccount controller makes it)`,
    async () => (await api("GET", `/api/v1/namespaces/${name}/serviceaccounts/default`, undefined, auth)).status === 200,
    { timeoutMs: 15_000, intervalMs: 100 },
  );
}

const created = (res: { status: number; text: string }, what: string) => expect(res.status, `${what}: ${res.text}`).toBe(201);

/** Runs a pod to completion and returns its log. */
async function runToEnd(ns: string, pod: Pod): Promise<string> {
  await pods.create(pod, ns);
  const name = pod.metadata!.name!;
  await pods.waitFor(
    name,
    (p) => p.status?.phase === "Succeeded" || p.status?.phase === "Failed",
    `pod ${name} to finish`,
    60_000,
    ns,
  );
  const log = await api("GET", `/api/v1/namespaces/${ns}/pods/${name}/log`, undefined, auth);
  return log.text;
}

const SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
const LIST_PODS = [
  `T=$(cat ${SA_DIR}/token); NS=$(cat ${SA_DIR}/namespace)`,
  `echo "namespace=$NS host=$KUBERNETES_SERVICE_HOST port=$KUBERNETES_SERVICE_PORT"`,
  `wget -q -O - --no-check-certificate --header "Authorization: Bearer $T" https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT/api/v1/namespaces/$NS/pods 2>&1`,
  `echo; echo "wget exit=$?"`,
  `echo "ca:"; cat ${SA_DIR}/ca.crt`,
].join("; ");

const skip = !d.available || !kubectlAvailable();

beforeAll(async () => {
  if (skip) return;
  dataDir = await mkdtemp(join(tmpdir(), "k8s-15-data-"));
  cluster = await startCluster({ chapter: "15", nodes: 1, dataDir, kubelet: FAST_KUBELET, docker: d });
  api = http(cluster.url);
  auth = adminHeaders(cluster);
  pods = podHelpers(cluster);
  kube = await kubectlAsAdmin(cluster, { prefix: "k8s-15-tenancy-" });
}, 120_000);
afterAll(async () => {
  await kube?.cleanup();
  await cluster?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  await d.cleanup();
});

it.skipIf(skip)(
  "15.3 a pod lists pods with its mounted token through the Service kubernetes: 403, then 200 after a RoleBinding",
  async () => {
    await namespace("team-token");
    const before = await runToEnd(
      "team-token",
      testPod("before", [{ name: "c", command: ["sh", "-c", LIST_PODS] }], { restartPolicy: "Never" }),
    );
    expect(before).toMatch(/namespace=team-token host=\d+\.\d+\.\d+\.\d+ port=443/);
    expect(before, "without a RoleBinding the account may not list pods").toContain("403 Forbidden");
    const cert = await readFile(join(dataDir, "control-plane", "apiserver.crt"), "utf8");
    expect(before.replace(/\r/g, ""), "ca.crt in the pod is the apiserver's certificate").toContain(cert.trim());

    const role = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: "pod-reader" },
      rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }],
    };
    created(await api("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/team-token/roles", role, auth), "the Role");
    const binding = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "default-reads-pods" },
      subjects: [{ kind: "ServiceAccount", name: "default", namespace: "team-token" }],
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "pod-reader" },
    };
    created(
      await api("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/team-token/rolebindings", binding, auth),
      "the RoleBinding",
    );
    const after = await runToEnd(
      "team-token",
      testPod("after", [{ name: "c", command: ["sh", "-c", LIST_PODS] }], { restartPolicy: "Never" }),
    );
    expect(after, "with the RoleBinding the answer is a PodList").toContain('"kind":"PodList"');
    expect(after).toContain('"name":"before"');
  },
  180_000,
);

it.skipIf(skip)(
  "15.3 automountServiceAccountToken false: no token volume, no files",
  async () => {
    await namespace("team-nomount");
    const out = await runToEnd(
      "team-nomount",
      testPod("no-token", [{ name: "c", command: ["sh", "-c", `ls ${SA_DIR} 2>&1; echo done`] }], {
        restartPolicy: "Never",
        automountServiceAccountToken: false,
      }),
    );
    expect(out).toContain("No such file or directory");
    const pod = await pods.get("no-token", "team-nomount");
    expect(pod?.spec?.volumes ?? []).toEqual([]);
  },
  120_000,
);

it.skipIf(skip)(
  "15.4 kubectl delete namespace removes its pods (containers gone), services and secrets, then the namespace",
  async () => {
    expect(await ok("create", "namespace", "team-a")).toContain("namespace/team-a created");
    await waitFor(
      "the ServiceAccount default in team-a",
      async () => (await kubectl("get", "sa", "default", "-n", "team-a")).code === 0,
      {
        timeoutMs: 15_000,
        intervalMs: 100,
      },
    );
    const pod = await pods.create(
      testPod("sleeper", [{ name: "c", command: ["sleep", "3600"] }], { terminationGracePeriodSeconds: 2 }),
      "team-a",
    );
    await pods.waitFor("sleeper", (p) => p.status?.phase === "Running", "sleeper to run", 60_000, "team-a");
    expect((await pods.containers(pod)).length).toBeGreaterThan(0);
    await ok("create", "secret", "generic", "db", "--from-literal=password=s3cret", "-n", "team-a");
    created(
      await api(
        "POST",
        "/api/v1/namespaces/team-a/services",
        { metadata: { name: "web" }, spec: { ports: [{ port: 80 }] } },
        auth,
      ),
      "the Service",
    );

    expect(await ok("delete", "namespace", "team-a", "--wait=false")).toContain('namespace "team-a" deleted');
    const ns = await api("GET", "/api/v1/namespaces/team-a", undefined, auth);
    expect(ns.body.status.phase).toBe("Terminating");
    expect(ns.body.metadata.deletionTimestamp).toBeTruthy();

    const refused = await api("POST", "/api/v1/namespaces/team-a/configmaps", { metadata: { name: "late" } }, auth);
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe(
      'configmaps "late" is forbidden: unable to create new content in namespace team-a because it is being terminated',
    );

    // While the pod shuts down, the controller says what remains.
    await waitFor(
      "the namespace's conditions to be written by the namespace controller",
      async () => {
        const now = await api("GET", "/api/v1/namespaces/team-a", undefined, auth);
        if (now.status === 404) return true;
        const types = (now.body.status?.conditions ?? []).map((c: { type: string }) => c.type);
        if (types.includes("NamespaceContentRemaining") && types.includes("NamespaceDeletionContentFailure")) return true;
        throw new Error(`conditions: ${JSON.stringify(now.body.status?.conditions ?? [])}`);
      },
      { timeoutMs: 20_000, intervalMs: 50 },
    );
    await waitFor(
      "namespace team-a to be gone",
      async () => {
        const now = await api("GET", "/api/v1/namespaces/team-a", undefined, auth);
        if (now.status === 404) return true;
        throw new Error(
          `still there: ${JSON.stringify(now.body.status)} finalizers ${JSON.stringify(now.body.spec?.finalizers)}`,
        );
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(await pods.containers(pod), "the pod's containers are removed").toEqual([]);
    for (const kind of ["pods", "services", "secrets", "serviceaccounts", "configmaps"]) {
      const list = await api<List<unknown>>("GET", `/api/v1/namespaces/team-a/${kind}`, undefined, auth);
      expect(list.body.items, `${kind} left in team-a`).toEqual([]);
    }
  },
  180_000,
);

it.skipIf(skip)(
  "15.2 kubectl create serviceaccount and create token: the token is that account, until the account is deleted",
  async () => {
    await namespace("team-b");
    expect(await ok("create", "serviceaccount", "builder", "-n", "team-b")).toContain("serviceaccount/builder created");
    const token = (await ok("create", "token", "builder", "-n", "team-b", "--duration=20m")).trim();
    expect(token.split(".")).toHaveLength(3);
    const as = { authorization: `Bearer ${token}` };
    const denied = await api("GET", "/api/v1/namespaces/team-b/pods", undefined, as);
    expect(denied.status).toBe(403);
    expect(denied.body.message).toContain('User "system:serviceaccount:team-b:builder" cannot list resource "pods"');
    const review = await api(
      "POST",
      "/apis/authentication.k8s.io/v1/selfsubjectreviews",
      { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
      as,
    );
    expect(review.body.status?.userInfo?.groups).toEqual(
      expect.arrayContaining(["system:serviceaccounts", "system:serviceaccounts:team-b", "system:authenticated"]),
    );
    await ok("delete", "serviceaccount", "builder", "-n", "team-b");
    const gone = await api("GET", "/api/v1/namespaces/team-b/pods", undefined, as);
    expect(gone.status, "a token of a deleted account is refused").toBe(401);
  },
  120_000,
);

it.skipIf(skip)(
  "15.5 a quota of 2 pods refuses the third with Kubernetes' message",
  async () => {
    await namespace("team-q");
    expect(await ok("create", "quota", "pods-quota", "--hard=pods=2", "-n", "team-q")).toContain(
      "resourcequota/pods-quota created",
    );
    await waitFor(
      "the quota controller to write status.hard",
      async () =>
        (await api("GET", "/api/v1/namespaces/team-q/resourcequotas/pods-quota", undefined, auth)).body.status?.hard?.pods ===
        "2",
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    const sleeper = (name: string) => testPod(name, [{ name: "c", command: ["sleep", "3600"] }]);
    await pods.create(sleeper("one"), "team-q");
    await pods.create(sleeper("two"), "team-q");
    const third = await api("POST", "/api/v1/namespaces/team-q/pods", sleeper("three"), auth);
    expect(third.status).toBe(403);
    expect(third.body.message).toBe(
      'pods "three" is forbidden: exceeded quota: pods-quota, requested: pods=1, used: pods=2, limited: pods=2',
    );
    const table = await ok("get", "quota", "-n", "team-q");
    expect(table).toMatch(/pods-quota\s+\S+\s+pods: 2\/2/);
  },
  120_000,
);

it.skipIf(skip)(
  "15.6 a LimitRange default appears on a pod created without resources",
  async () => {
    await namespace("team-l");
    const range = {
      metadata: { name: "defaults" },
      spec: { limits: [{ type: "Container", default: { cpu: "500m", memory: "128Mi" }, defaultRequest: { cpu: "100m" } }] },
    };
    created(await api("POST", "/api/v1/namespaces/team-l/limitranges", range, auth), "the LimitRange");
    const pod = await pods.create(testPod("plain", [{ name: "c", command: ["sleep", "3600"] }]), "team-l");
    expect(pod.spec?.containers[0]?.resources).toEqual({
      limits: { cpu: "500m", memory: "128Mi" },
      requests: { cpu: "100m", memory: "128Mi" },
    });
  },
  60_000,
);

it.skipIf(skip)(
  "15.7 a privileged pod is refused in a baseline namespace, and runs in a privileged one",
  async () => {
    await namespace("team-p", { "pod-security.kubernetes.io/enforce": "baseline" });
    const privileged = testPod("tool", [{ name: "tool", command: ["sleep", "1"], securityContext: { privileged: true } }]);
    const refused = await api("POST", "/api/v1/namespaces/team-p/pods", privileged, auth);
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe(
      'pods "tool" is forbidden: violates PodSecurity "baseline:latest": privileged (container "tool" must not set securityContext.privileged=true)',
    );
    const r = await kubectl(
      "run",
      "net",
      "--image=busybox:latest",
      "-n",
      "team-p",
      "--overrides",
      JSON.stringify({ spec: { hostNetwork: true } }),
      "--",
      "sleep",
      "1",
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true)');
    await namespace("team-open");
    created(
      await api("POST", "/api/v1/namespaces/team-open/pods", privileged, auth),
      "a privileged pod where the namespace allows it",
    );
  },
  60_000,
);
