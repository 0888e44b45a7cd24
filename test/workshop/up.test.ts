/**
 * `npm start` (workshop/cli.ts up): the cluster comes up on loopback, answers,
 * stops cleanly on Ctrl-C (SIGINT) and keeps its data for the next start.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { Pod } from "../../shared/api/index.ts";
import { REPO_ROOT } from "../../shared/chapters.ts";
import { removeClusterObjects } from "../../shared/cluster/network.ts";
import { connectDocker } from "../../shared/docker.ts";
import { KUBECTL_PATH, kubectlAvailable } from "../harness/kubectl.ts";
import { waitFor } from "../harness/wait.ts";
import { adminAuth } from "./admin-auth.ts";

/** With the kubelet chapter and a Docker engine, npm start runs pods too. */
const runsPods = inject("dockerAvailable") && existsSync(join(REPO_ROOT, "solutions", "05-pods"));
const docker = connectDocker();

async function containersOf(uid: string): Promise<number> {
  return (await docker.listContainers({ all: true, filters: { label: [`io.kubernetes.pod.uid=${uid}`] } })).length;
}

const auth = () => adminAuth(dataDir);

async function runningPod(url: string, name: string): Promise<Pod> {
  return waitFor(
    `pod ${name} to run`,
    async () => {
      const pod = (await (await fetch(`${url}/api/v1/namespaces/default/pods/${name}`, { headers: auth() })).json()) as Pod;
      return pod.status?.phase === "Running" ? pod : undefined;
    },
    { timeoutMs: 60_000 },
  );
}

const dataDir = mkdtempSync(join(tmpdir(), "k8s-workshop-up-"));
/** The test's own kubeconfig, so a learner's .kube/config is never overwritten by a test run. */
const kubeconfigPath = join(dataDir, "kubeconfig");
const children: ChildProcess[] = [];
const outputs: (() => string)[] = [];

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  // A child killed after a failure had no chance to clean up: remove its cluster's containers and network.
  for (const output of outputs) {
    const id = /network k8s-workshop-([0-9a-f]{8})/.exec(output())?.[1];
    if (id && inject("dockerAvailable")) await removeClusterObjects(docker, id);
  }
  rmSync(dataDir, { recursive: true, force: true });
});

/** Starts `up` on a free port and resolves with its apiserver URL once it says the cluster is up. */
async function startUp(...extraArgs: string[]): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "workshop/cli.ts",
      "up",
      "--port",
      "0",
      "--dashboard-port",
      "0",
      "--data",
      dataDir,
      "--kubeconfig",
      kubeconfigPath,
      ...extraArgs,
    ],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  children.push(child);
  let text = "";
  child.stdout!.on("data", (d: Buffer) => (text += d));
  child.stderr!.on("data", (d: Buffer) => (text += d));
  const url = await waitFor(
    "the cluster to say it is up",
    () => {
      if (child.exitCode !== null) throw new Error(`up exited with ${child.exitCode}: ${text}`);
      return /The cluster is up\. apiserver: (http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1];
    },
    { timeoutMs: 120_000 },
  ); // a bring-up with three kubelets takes long on a loaded machine
  outputs.push(() => text);
  return { url, child, output: () => text };
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.kill("SIGINT");
  return exited;
}

describe("npm start", () => {
  it("serves the API on loopback, stops on Ctrl-C, and keeps what was written", async () => {
    const first = await startUp();
    const version = (await (await fetch(`${first.url}/version`, { headers: auth() })).json()) as { major: string };
    expect(version.major).toBe("1");
    const created = await fetch(`${first.url}/api/v1/namespaces`, {
      method: "POST",
      headers: { "content-type": "application/json", ...auth() },
      body: JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: "kept-across-restarts" } }),
    });
    expect(created.status).toBe(201);
    let uid = "";
    if (runsPods) {
      // The example pod runs on one of the nodes; Ctrl-C leaves none of its containers behind.
      const manifest = parse(readFileSync(join(REPO_ROOT, "examples", "pod.yaml"), "utf8")) as Pod;
      const res = await fetch(`${first.url}/api/v1/namespaces/default/pods`, {
        method: "POST",
        headers: { "content-type": "application/json", ...auth() },
        body: JSON.stringify(manifest),
      });
      expect(res.status).toBe(201);
      const pod = await runningPod(first.url, "web");
      uid = pod.metadata!.uid!;
      expect(pod.spec?.nodeName).toMatch(/^node-[123]$/);
      expect(await containersOf(uid)).toBe(2);
    }
    expect(await stop(first.child)).toBe(0);
    expect(first.output()).toMatch(runsPods ? /stopped: removed \d+ containers, network k8s-workshop-/ : /stopped: /);
    if (runsPods) expect(await containersOf(uid)).toBe(0);

    const second = await startUp();
    const got = await fetch(`${second.url}/api/v1/namespaces/kept-across-restarts`, { headers: auth() });
    expect(got.status).toBe(200);
    if (runsPods) {
      // The pod is still in the store: its node runs it again, and Ctrl-C removes it again.
      await waitFor("the web pod's containers to run again", async () => (await containersOf(uid)) === 2, { timeoutMs: 60_000 });
    }
    expect(await stop(second.child)).toBe(0);
    if (runsPods) expect(await containersOf(uid)).toBe(0);
  }, 400_000);

  it.skipIf(!runsPods || !kubectlAvailable())(
    "runs the seed's kubectl commands with the real kubectl",
    async () => {
      const cluster = await startUp("--fresh"); // an empty store: nothing left from the test above
      try {
        const kubectl = (...args: string[]) => {
          const r = spawnSync(KUBECTL_PATH, args, {
            cwd: REPO_ROOT,
            encoding: "utf8",
            env: { ...process.env, KUBECONFIG: kubeconfigPath },
            timeout: 60_000,
          });
          if (r.status !== 0) throw new Error(`kubectl ${args.join(" ")}: exit ${r.status}: ${r.stderr}`);
          return r.stdout;
        };
        expect(kubectl("create", "-f", "examples/rc.yaml")).toContain("replicationcontroller/web created");
        expect(kubectl("create", "-f", "examples/service.yaml")).toContain("service/web created");
        expect(kubectl("create", "-f", "examples/secret.yaml")).toContain("secret/my-secret created");
        const running = await waitFor(
          "the rc's two pods to run",
          () => {
            const lines = kubectl("get", "pods", "-l", "app=web", "--no-headers")
              .trim()
              .split("\n")
              .filter((l) => / Running /.test(l));
            return lines.length === 2 && lines.map((l) => l.split(/\s+/)[0]!);
          },
          { timeoutMs: 60_000 },
        );
        expect(kubectl("get", "pods")).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/);
        expect(kubectl("get", "pods", running[0]!, "-o", "yaml")).toMatch(/kind: Pod[\s\S]*podIP: /);
        expect(kubectl("get", "rc")).toMatch(/^web\s+2\s+2\s+2\s/m);
        expect(kubectl("get", "services")).toMatch(/^web\s+ClusterIP\s+\d+\.\d+\.\d+\.\d+\s+<none>\s+8000\/TCP/m);
        const secret = kubectl("get", "secret", "my-secret");
        expect(secret).toMatch(/^my-secret\s+Opaque\s+2\s/m);
        expect(secret).not.toContain("czNjcjN0LXBhc3M="); // no values in get
        expect(kubectl("describe", "pod", running[0]!)).toMatch(/Name:\s+web-/);
        expect(kubectl("logs", running[0]!)).toBeDefined();
        for (const file of ["examples/secret.yaml", "examples/service.yaml", "examples/rc.yaml"]) kubectl("delete", "-f", file);
        await waitFor("the rc's pods to be gone", () => kubectl("get", "pods", "-l", "app=web", "--no-headers").trim() === "", {
          timeoutMs: 60_000,
        });
      } finally {
        expect(await stop(cluster.child)).toBe(0);
      }
    },
    400_000,
  );

  it("rejects a bad option with one line", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "workshop/cli.ts", "up", "--tree", "elsewhere"], {
      cwd: REPO_ROOT,
      env: { ...process.env, NO_COLOR: "1" },
    });
    children.push(child);
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(1);
    expect(err.trim()).toBe('error: --tree is "solutions" (the reference) or "chapters" (your code), not "elsewhere"');
  });
});
