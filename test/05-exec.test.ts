/**
 * Chapter 05: kubectl exec, cp and port-forward, with the real kubectl
 * (v1.32), through the apiserver to the kubelet's streaming server, on a
 * real Docker engine. Only loopback and the pod this run created are
 * reached; the local port of port-forward is a free one.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startCluster, type TestCluster } from "./harness/cluster.ts";
import { dockerTest } from "./harness/docker.ts";
import { KUBECTL_PATH, kubectlAvailable, kubectlFor, type Kubectl } from "./harness/kubectl.ts";
import { podHelpers, testPod, type PodHelpers } from "./harness/pods.ts";
import { FAST_KUBELET } from "./harness/tuning.ts";
import { giveUp, waitFor } from "./harness/wait.ts";

const d = dockerTest();
const ready = d.available && kubectlAvailable();
let cluster: TestCluster;
let pods: PodHelpers;
let kubectl: Kubectl;
let scratch: string;

/** busybox's httpd serves /www on port 80; the pod runs until it is deleted. */
const WEB = testPod("shell", [
  {
    name: "app",
    command: ["sh", "-c", "mkdir -p /www && echo hello-from-the-pod > /www/index.html && exec httpd -f -p 80 -h /www"],
  },
]);

beforeAll(async () => {
  if (!ready) return;
  cluster = await startCluster({ chapter: "05", nodes: 1, kubelet: FAST_KUBELET });
  pods = podHelpers(cluster);
  kubectl = await kubectlFor(cluster.url);
  scratch = await mkdtemp(join(tmpdir(), "k8s-workshop-exec-"));
  await pods.create(WEB);
  await pods.waitFor("shell", (p) => p.status?.phase === "Running", "the pod shell to run", 60_000);
}, 120_000);
afterAll(async () => {
  await kubectl?.cleanup();
  if (scratch) await rm(scratch, { recursive: true, force: true });
  await cluster?.close();
  await d.cleanup();
});

it.skipIf(!ready)("05 chapter > kubectl exec prints the output and exits 0", async () => {
  const r = await kubectl.run(["exec", "shell", "--", "echo", "hi"]);
  expect(r.stderr).toBe("");
  expect(r.stdout).toBe("hi\n");
  expect(r.code).toBe(0);
});

it.skipIf(!ready)("05 chapter > kubectl exec keeps stderr apart and exits with the command's exit code", async () => {
  const r = await kubectl.run(["exec", "shell", "--", "sh", "-c", "echo out; echo err >&2; exit 3"]);
  expect(r.stdout).toBe("out\n");
  expect(r.stderr).toContain("err\n");
  expect(r.stderr).toContain("command terminated with exit code 3");
  expect(r.code).toBe(3);
});

it.skipIf(!ready)("05 chapter > kubectl exec -i passes stdin until it closes", async () => {
  const data = "line one\nline two\n".repeat(200);
  const r = await kubectl.run(["exec", "-i", "shell", "--", "sh", "-c", "cat; echo done"], data);
  expect(r.stderr).toBe("");
  expect(r.stdout).toBe(data + "done\n");
  expect(r.code).toBe(0);
});

it.skipIf(!ready)("05 chapter > kubectl cp copies a file into the pod and back, same bytes", async () => {
  const bytes = Buffer.alloc(100_000);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 256;
  const local = join(scratch, "data.bin");
  const back = join(scratch, "back.bin");
  await writeFile(local, bytes);
  await kubectl.ok(["cp", local, "shell:/tmp/data.bin"]);
  await kubectl.ok(["cp", "shell:/tmp/data.bin", back]);
  expect((await readFile(back)).equals(bytes), "the file copied back differs from the one sent").toBe(true);
});

it.skipIf(!ready)("05 chapter > a bad exec is a 4xx Status and one readable line from kubectl", async () => {
  const missing = await kubectl.run(["exec", "nothere", "--", "echo", "hi"]);
  expect(missing.code).not.toBe(0);
  expect(missing.stderr.trim()).toBe('Error from server (NotFound): pods "nothere" not found');

  const container = await kubectl.run(["exec", "shell", "-c", "nope", "--", "echo", "hi"]);
  expect(container.code).not.toBe(0);
  expect(container.stderr.trim().split("\n")).toHaveLength(1);
  expect(container.stderr).toContain("container nope is not valid for pod shell");

  // Without a command (kubectl itself refuses that, so ask the apiserver directly).
  const res = await upgradeRequest("/api/v1/namespaces/default/pods/shell/exec?container=app&stdout=true");
  expect(res.status).toBe(400);
  expect(JSON.parse(res.body)).toMatchObject({
    kind: "Status",
    reason: "BadRequest",
    message: "you must specify at least one command for the container",
  });

  // Nothing crashed: the apiserver and the kubelet still serve a good exec.
  const after = await kubectl.run(["exec", "shell", "--", "echo", "still here"]);
  expect(after.stdout).toBe("still here\n");
  expect(after.code).toBe(0);
});

it.skipIf(!ready)("05 chapter > kubectl attach streams the main process's output until it exits", async () => {
  await pods.create(
    testPod(
      "talker",
      [{ name: "app", command: ["sh", "-c", "sleep 1; i=0; while [ $i -lt 40 ]; do echo tick $i; i=$((i+1)); sleep 0.1; done"] }],
      { restartPolicy: "Never" },
    ),
  );
  await pods.waitFor("talker", (p) => p.status?.phase === "Running", "the pod talker to run", 60_000);
  const r = await kubectl.run(["attach", "talker"]);
  expect(r.stdout).toContain("tick 39\n");
  expect(r.code).toBe(0);
});

/** A WebSocket upgrade request as kubectl sends it; the answer when the apiserver does not upgrade. */
function upgradeRequest(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(cluster.url + path, {
      headers: {
        connection: "Upgrade",
        upgrade: "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
        "sec-websocket-protocol": "v5.channel.k8s.io",
      },
    });
    req.on("upgrade", (_res, socket) => {
      socket.destroy();
      reject(new Error(`the apiserver upgraded ${path}; it must answer a Status instead`));
    });
    req.on("response", (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** A free local port: bind port 0, read it, close. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

it.skipIf(!ready)("05 chapter > kubectl port-forward reaches the pod's port 80 from a local port", async () => {
  const port = await freePort();
  const child = spawn(
    KUBECTL_PATH,
    [
      "--kubeconfig",
      join(kubectl.dir, "config"),
      "--cache-dir",
      join(kubectl.dir, "cache"),
      "port-forward",
      "pod/shell",
      `${port}:80`,
    ],
    { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: kubectl.dir }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout.on("data", (b: Buffer) => (output += b.toString()));
  child.stderr.on("data", (b: Buffer) => (output += b.toString()));
  try {
    await waitFor("kubectl port-forward to listen", () => {
      if (child.exitCode !== null) throw giveUp(`kubectl port-forward exited ${child.exitCode}: ${output}`);
      return output.includes("Forwarding from");
    });
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/index.html`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe("hello-from-the-pod\n");
    }
  } finally {
    child.kill("SIGTERM");
  }
});
