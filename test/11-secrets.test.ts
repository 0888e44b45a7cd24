/**
 * Chapter 11, Secrets and ConfigMaps on a cluster with a kubelet on Docker:
 * the resources (stringData, base64, Table), encryption at rest (the store
 * and its files on disk hold no plaintext), a pod that reads its Secret and
 * ConfigMap as environment variables and as files (the Secret on a tmpfs),
 * a pod that waits for a missing Secret, and kubectl (ours and the real one)
 * showing no values.
 */
import { execFile } from "node:child_process";
import { readdir, readFile, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerRuntime } from "@tree/01-containers/docker-runtime.ts";
import { writeKubeconfig } from "@tree/04-kubectl/kubectl/kubeconfig.ts";
import { run } from "@tree/04-kubectl/kubectl/main.ts";
import { kubectlPlugin } from "@tree/11-secrets/kubectl/index.ts";
import type { Pod } from "../shared/api/index.ts";
import { REPO_ROOT } from "../shared/chapters.ts";
import { startCluster, type TestCluster } from "./harness/cluster.ts";
import { dockerTest } from "./harness/docker.ts";
import { http } from "./harness/http.ts";
import { KUBECTL_PATH, kubectlAvailable, runOurKubectl } from "./harness/kubectl.ts";
import { waitFor } from "./harness/wait.ts";

const d = dockerTest();
const PASSWORD = `s3cr3t-${Math.random().toString(36).slice(2, 10)}`;
const NEW_PASSWORD = `r0tated-${Math.random().toString(36).slice(2, 10)}`;
const b64 = (s: string) => Buffer.from(s).toString("base64");

let cluster: TestCluster;
let dataDir: string;
let api: ReturnType<typeof http>;
let admin: Record<string, string>;
const runtime = new DockerRuntime();

/** Runs a command in a pod's container (docker exec: it sees the container's environment and mounts). */
async function exec(pod: string, container: string, command: string): Promise<string> {
  const found = (await runtime.list({ "io.kubernetes.pod.name": pod, "io.kubernetes.container.name": container })).filter(
    (c) => c.state === "running",
  );
  if (found.length === 0) throw new Error(`no running container ${container} in pod ${pod}`);
  const result = await runtime.exec(found[0]!.id, ["sh", "-c", command]);
  if (result.exitCode !== 0) throw new Error(`${command}: exit ${result.exitCode}: ${result.stderr}`);
  return result.stdout;
}

async function createPod(pod: Pod): Promise<void> {
  const res = await api("POST", "/api/v1/namespaces/default/pods", pod, admin);
  if (res.status !== 201) throw new Error(`create pod ${pod.metadata?.name}: ${res.status} ${res.text}`);
}

async function waitForPod(name: string, ok: (pod: Pod) => boolean, what: string): Promise<Pod> {
  return waitFor(
    what,
    async () => {
      const pod = (await api<Pod>("GET", `/api/v1/namespaces/default/pods/${name}`, undefined, admin)).body;
      if (ok(pod)) return pod;
      throw new Error(`status ${JSON.stringify(pod.status?.containerStatuses ?? pod.status).slice(0, 600)}`);
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  );
}

const running = (p: Pod) => p.status?.phase === "Running";
const waitingReason = (p: Pod) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason;

/** Every file under dir, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name));
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "k8s-11-secrets-"));
  cluster = await startCluster({ chapter: "11", nodes: 1, dataDir, kubelet: { resyncIntervalMs: 1_000 } });
  api = http(cluster.url);
  admin = { authorization: `Bearer ${cluster.adminToken ?? "no-admin-token"}` };
});

afterAll(async () => {
  await cluster?.close();
  await d.cleanup();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/*
 * When the whole file runs, the tests share the Secret "db" and the
 * ConfigMap "settings" that the first tests create. But `npm run check 11.k`
 * runs only the tests of step k, so a test first makes what it reads,
 * unless an earlier test already did.
 */

/** The Secret "db" as the earlier tests leave it: username, password (`password`), host. */
async function givenSecret(password: string): Promise<void> {
  if ((await api("GET", "/api/v1/namespaces/default/secrets/db", undefined, admin)).status === 200) return;
  const secret = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "db" },
    data: { username: b64("admin") },
    stringData: { password, host: "db.local" },
  };
  const created = await api("POST", "/api/v1/namespaces/default/secrets", secret, admin);
  expect(created.status, created.text).toBe(201);
}

/** The ConfigMap "settings": MODE and app.conf. */
async function givenConfigMap(): Promise<void> {
  if ((await api("GET", "/api/v1/namespaces/default/configmaps/settings", undefined, admin)).status === 200) return;
  const created = await api(
    "POST",
    "/api/v1/namespaces/default/configmaps",
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" }, data: { MODE: "fast", "app.conf": "color=blue\n" } },
    admin,
  );
  expect(created.status, created.text).toBe(201);
}

// Every Secret is encrypted on its way to the store and decrypted on its way
// back: storing one needs 11.4 as well as 11.3. So this test is 11.4's.
it.skipIf(!d.available)(
  "11.4 Secrets and ConfigMaps > creates a Secret from data and stringData: stringData is merged into data (base64) and never returned",
  async () => {
    const secret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "db" },
      data: { username: b64("admin") },
      stringData: { password: PASSWORD },
    };
    const created = await api("POST", "/api/v1/namespaces/default/secrets", secret, admin);
    expect(created.status).toBe(201);
    expect(created.body.type).toBe("Opaque");
    expect(created.body.data).toEqual({ username: b64("admin"), password: b64(PASSWORD) });
    expect(created.body.stringData).toBeUndefined();
    const patched = await api(
      "PATCH",
      "/api/v1/namespaces/default/secrets/db",
      { stringData: { host: "db.local" } },
      { ...admin, "content-type": "application/merge-patch+json" },
    );
    expect(patched.status).toBe(200);
    const got = await api("GET", "/api/v1/namespaces/default/secrets/db", undefined, admin);
    expect(got.body.data).toEqual({ username: b64("admin"), password: b64(PASSWORD), host: b64("db.local") });
    expect(got.body.stringData).toBeUndefined();
  },
);

it.skipIf(!d.available)(
  "11.3 Secrets and ConfigMaps > rejects values that are not base64 and keys that cannot be file names, with 422 and without echoing the value",
  async () => {
    const bad = await api(
      "POST",
      "/api/v1/namespaces/default/secrets",
      { apiVersion: "v1", kind: "Secret", metadata: { name: "bad" }, data: { password: "hunter2!!" } },
      admin,
    );
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({ kind: "Status", reason: "Invalid", code: 422 });
    expect(bad.body.message).toContain("data[password]");
    expect(bad.text).not.toContain("hunter2");
    const badKey = await api(
      "POST",
      "/api/v1/namespaces/default/secrets",
      { apiVersion: "v1", kind: "Secret", metadata: { name: "bad" }, stringData: { "../etc/passwd": "x" } },
      admin,
    );
    expect(badKey.status).toBe(422);
    expect((await api("GET", "/api/v1/namespaces/default/secrets/bad", undefined, admin)).status).toBe(404);
  },
);

it.skipIf(!d.available)(
  "11 chapter > Secrets and ConfigMaps > lists Secrets as a Table of NAME, TYPE, DATA, AGE without their values",
  async () => {
    await givenSecret(PASSWORD);
    const table = await api("GET", "/api/v1/namespaces/default/secrets", undefined, {
      ...admin,
      accept: "application/json;as=Table;v=v1;g=meta.k8s.io",
    });
    expect(table.body.kind).toBe("Table");
    expect(table.body.columnDefinitions.map((c: { name: string }) => c.name)).toEqual(["Name", "Type", "Data", "Age"]);
    expect(table.body.rows[0].cells.slice(0, 3)).toEqual(["db", "Opaque", 3]);
    expect(table.text).not.toContain(b64(PASSWORD));
  },
);

it.skipIf(!d.available)(
  "11.4 Secrets and ConfigMaps > encrypts Secrets at rest: no plaintext in the store or in its files on disk, and the API still returns it",
  async () => {
    await givenSecret(PASSWORD);
    await api(
      "POST",
      "/api/v1/namespaces/default/configmaps",
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" }, data: { MODE: "fast", "app.conf": "color=blue\n" } },
      admin,
    );
    const raw = await cluster.store.get("/registry/secrets/default/db");
    expect(raw?.value.startsWith("k8s:enc:aesgcm:v1:key1:")).toBe(true);
    for (const needle of [PASSWORD, b64(PASSWORD), "admin", "username"]) expect(raw?.value).not.toContain(needle);
    // Only Secrets are encrypted: a ConfigMap is stored as plain JSON.
    expect(JSON.parse((await cluster.store.get("/registry/configmaps/default/settings"))!.value).data.MODE).toBe("fast");

    const storeFiles = (await filesUnder(dataDir)).filter((f) => !f.includes("control-plane"));
    expect(storeFiles.some((f) => /wal-.*\.log$/.test(f))).toBe(true);
    let prefixSeen = false;
    for (const file of storeFiles) {
      const text = (await readFile(file)).toString("latin1");
      expect(text, file).not.toContain(PASSWORD);
      expect(text, file).not.toContain(b64(PASSWORD));
      prefixSeen ||= text.includes("k8s:enc:aesgcm:v1:key1:");
    }
    expect(prefixSeen).toBe(true);
    // The key is a file apart from the store, readable by its owner only.
    expect((await stat(join(dataDir, "control-plane", "encryption-key"))).mode & 0o777).toBe(0o600);

    const got = await api("GET", "/api/v1/namespaces/default/secrets/db", undefined, admin);
    expect(Buffer.from(got.body.data.password, "base64").toString()).toBe(PASSWORD);
  },
);

// The pod tests below need every part of the kubelet's side: valueFrom
// (11.5), envFrom (11.6; the kubelet asks it for every container) and the
// files of secret and configMap volumes (11.7). So they are 11.7's.
it.skipIf(!d.available)(
  "11.7 Secrets and ConfigMaps > gives a pod its Secret and ConfigMap as environment variables (valueFrom, envFrom) and as files, the Secret on a tmpfs",
  async () => {
    await givenSecret(PASSWORD);
    await givenConfigMap();
    await createPod({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "reader" },
      spec: {
        volumes: [
          { name: "creds", secret: { secretName: "db" } },
          { name: "config", configMap: { name: "settings", items: [{ key: "app.conf", path: "conf/app.conf" }] } },
        ],
        containers: [
          {
            name: "app",
            image: "busybox:latest",
            command: ["sleep", "3600"],
            env: [
              { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } },
              { name: "MODE_FROM_KEY", valueFrom: { configMapKeyRef: { name: "settings", key: "MODE" } } },
              { name: "MODE", value: "explicit" },
            ],
            envFrom: [{ secretRef: { name: "db" }, prefix: "DB_" }, { configMapRef: { name: "settings" } }],
            volumeMounts: [
              { name: "creds", mountPath: "/etc/creds" },
              { name: "config", mountPath: "/etc/config" },
            ],
          },
        ],
      },
    });
    await waitForPod("reader", running, "the reader pod to run");
    // valueFrom, envFrom with a prefix, and env winning over envFrom.
    const env = await exec("reader", "app", 'echo "$DB_PASSWORD|$DB_username|$DB_host|$MODE_FROM_KEY|$MODE"');
    expect(env.trim()).toBe(`${PASSWORD}|admin|db.local|fast|explicit`);
    expect(await exec("reader", "app", "cat /etc/creds/password")).toBe(PASSWORD);
    expect((await exec("reader", "app", "ls /etc/creds")).split("\n").filter(Boolean).sort()).toEqual([
      "host",
      "password",
      "username",
    ]);
    const mount = await exec("reader", "app", "grep ' /etc/creds ' /proc/mounts");
    expect(mount.split(" ")[2]).toBe("tmpfs");
    expect(await exec("reader", "app", "cat /etc/config/conf/app.conf")).toBe("color=blue\n");
  },
);

it.skipIf(!d.available)(
  "11.7 Secrets and ConfigMaps > updates the files when the Secret changes, while the environment keeps the value it started with",
  async () => {
    const patched = await api(
      "PATCH",
      "/api/v1/namespaces/default/secrets/db",
      { stringData: { password: NEW_PASSWORD } },
      { ...admin, "content-type": "application/merge-patch+json" },
    );
    expect(patched.status).toBe(200);
    await waitFor(
      "the secret file to change",
      async () => (await exec("reader", "app", "cat /etc/creds/password")) === NEW_PASSWORD,
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    expect((await exec("reader", "app", 'echo "$DB_PASSWORD"')).trim()).toBe(PASSWORD);
  },
);

it.skipIf(!d.available)(
  "11.7 Secrets and ConfigMaps > keeps a pod waiting for a missing Secret (CreateContainerConfigError, or ContainerCreating for a volume) and runs it once the Secret exists",
  async () => {
    const pod = (name: string, spec: Partial<Pod["spec"]>, container: Record<string, unknown> = {}): Pod => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name },
      spec: { containers: [{ name: "app", image: "busybox:latest", command: ["sleep", "3600"], ...container }], ...spec },
    });
    await createPod(
      pod("waits-env", {}, { env: [{ name: "TOKEN", valueFrom: { secretKeyRef: { name: "later", key: "token" } } }] }),
    );
    await createPod(
      pod(
        "waits-vol",
        { volumes: [{ name: "s", secret: { secretName: "later" } }] },
        { volumeMounts: [{ name: "s", mountPath: "/s" }] },
      ),
    );
    await createPod(
      pod(
        "optional",
        { volumes: [{ name: "s", secret: { secretName: "later", optional: true } }] },
        {
          env: [{ name: "TOKEN", valueFrom: { secretKeyRef: { name: "later", key: "token", optional: true } } }],
          volumeMounts: [{ name: "s", mountPath: "/s" }],
        },
      ),
    );
    const envPod = await waitForPod(
      "waits-env",
      (p) => waitingReason(p) === "CreateContainerConfigError",
      "waits-env to report CreateContainerConfigError",
    );
    expect(envPod.status?.containerStatuses?.[0]?.state?.waiting?.message).toContain('secret "later" not found');
    await waitForPod("waits-vol", (p) => waitingReason(p) === "ContainerCreating", "waits-vol to wait in ContainerCreating");
    await waitForPod("optional", running, "the pod with an optional Secret to run without it");

    expect(
      (
        await api(
          "POST",
          "/api/v1/namespaces/default/secrets",
          { apiVersion: "v1", kind: "Secret", metadata: { name: "later" }, stringData: { token: "t0k3n" } },
          admin,
        )
      ).status,
    ).toBe(201);
    await waitForPod("waits-env", running, "waits-env to run once the secret exists");
    await waitForPod("waits-vol", running, "waits-vol to run once the secret exists");
    expect((await exec("waits-env", "app", 'echo "$TOKEN"')).trim()).toBe("t0k3n");
    expect(await exec("waits-vol", "app", "cat /s/token")).toBe("t0k3n");
  },
);

it.skipIf(!d.available)(
  "11.8 Secrets and ConfigMaps > our kubectl lists Secrets without values and describes them with sizes only",
  async () => {
    // After the 11.7 tests, the password is NEW_PASSWORD.
    await givenSecret(NEW_PASSWORD);
    await givenConfigMap();
    const kubectl = (...args: string[]) =>
      runOurKubectl(run, cluster.url, args, { token: cluster.adminToken ?? "", plugins: [kubectlPlugin] });
    const get = await kubectl("get", "secrets");
    expect(get.stderr).toBe("");
    expect(get.stdout).toMatch(/^NAME\s+TYPE\s+DATA\s+AGE\s*$/m);
    expect(get.stdout).toMatch(/^db\s+Opaque\s+3\s/m);
    expect((await kubectl("get", "cm")).stdout).toMatch(/^settings\s+2\s/m);
    const described = await kubectl("describe", "secret", "db");
    expect(described.code).toBe(0);
    expect(described.stdout).toMatch(/^Type:\s+Opaque$/m);
    expect(described.stdout).toContain(`password:  ${NEW_PASSWORD.length} bytes`);
    expect(described.stdout).toContain("username:  5 bytes");
    for (const out of [get.stdout, described.stdout]) {
      for (const needle of [NEW_PASSWORD, b64(NEW_PASSWORD), b64("admin")]) expect(out).not.toContain(needle);
    }
  },
);

it.skipIf(!d.available || !kubectlAvailable())(
  "11 chapter > Secrets and ConfigMaps > the real kubectl, with the admin token, creates examples/secret.yaml, gets it and describes it without values",
  async () => {
    const dir = await mkdtemp(join(tmpdir(), "k8s-11-kubectl-"));
    try {
      const config = join(dir, "config");
      await writeKubeconfig(config, { server: cluster.secureUrl ?? cluster.url, token: cluster.adminToken });
      const kubectl = (...args: string[]) =>
        new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
          const child = execFile(
            KUBECTL_PATH,
            ["--kubeconfig", config, "--cache-dir", join(dir, "cache"), ...args],
            { env: { PATH: process.env.PATH ?? "", HOME: dir }, timeout: 30_000 },
            (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }),
          );
          child.stdin?.end();
        });
      const created = await kubectl("create", "-f", join(REPO_ROOT, "examples", "secret.yaml"));
      expect(created.stderr).toBe("");
      expect(created.stdout.trim()).toBe("secret/my-secret created");
      expect((await kubectl("get", "secret", "my-secret")).stdout).toMatch(/^my-secret\s+Opaque\s+2\s/m);
      const described = await kubectl("describe", "secret", "my-secret");
      expect(described.code).toBe(0);
      expect(described.stdout).toMatch(/password:\s+11 bytes/);
      expect(described.stdout).toMatch(/username:\s+5 bytes/);
      expect(described.stdout).not.toContain("s3cr3t-pass");
      expect(described.stdout).not.toContain("czNjcjN0LXBhc3M=");
      const got = await api("GET", "/api/v1/namespaces/default/secrets/my-secret", undefined, admin);
      expect(Buffer.from(got.body.data.password, "base64").toString()).toBe("s3cr3t-pass");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);
