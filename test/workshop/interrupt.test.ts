/**
 * Nothing left behind: Ctrl-C in a real terminal (tmux), and the sweeper
 * after a run killed with SIGKILL. Each test runs in a scratch copy of the
 * repository, so the copy's checkout label tells exactly which containers,
 * networks and bridge addresses these runs created.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { REPO_ROOT } from "../../shared/chapters.ts";
import { CHECKOUT_LABEL, connectDocker } from "../../shared/docker.ts";
import { removeWhereCheckout } from "./leftovers.ts";
import { openTerminal, type Terminal, tmuxAvailable } from "./terminal.ts";
import { waitFor } from "../harness/wait.ts";

const docker = connectDocker();
const runs = inject("dockerAvailable") && tmuxAvailable() && existsSync(join(REPO_ROOT, "solutions", "10-services"));
let copy: string;
const terminals: Terminal[] = [];
const children: ChildProcess[] = [];

beforeAll(() => {
  if (!runs) return;
  const scratch = join(REPO_ROOT, ".workshop");
  mkdirSync(scratch, { recursive: true });
  copy = mkdtempSync(join(scratch, "ctrl-c-test-"));
  for (const entry of [
    "shared",
    "workshop",
    "solutions",
    "chapters",
    "test",
    "examples",
    "package.json",
    "vitest.config.ts",
    "tsconfig.json",
  ]) {
    cpSync(join(REPO_ROOT, entry), join(copy, entry), { recursive: true });
  }
});

afterAll(async () => {
  for (const t of terminals) t.kill();
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  if (!runs) return;
  await removeWhereCheckout(docker, copy); // only if a test failed half-way
  rmSync(copy, { recursive: true, force: true });
});

/** Every container and network of the copy's runs, and whether a bridge still has a service address. */
async function leftovers(): Promise<string[]> {
  const filter = { label: [`${CHECKOUT_LABEL}=${copy}`] };
  const containers = await docker.listContainers({ all: true, filters: filter });
  const networks = await docker.listNetworks({ filters: filter });
  return [...containers.map((c) => `container ${c.Names[0]}`), ...networks.map((n) => `network ${n.Name}`)];
}

/** The bridge interface of a network the way Docker names it, and its addresses (gone once the network is). */
function bridgeAddresses(networkId: string): string[] {
  return (networkInterfaces()[`br-${networkId.slice(0, 12)}`] ?? []).filter((a) => a.family === "IPv4").map((a) => a.address);
}

function auth(dataDir: string): Record<string, string> {
  const file = join(dataDir, "control-plane", "tokens.csv");
  if (!existsSync(file)) return {};
  const line = readFileSync(file, "utf8")
    .split("\n")
    .find((l) => l.split(",")[1] === "kubernetes-admin");
  return line ? { authorization: `Bearer ${line.split(",")[0]}` } : {};
}

async function create(url: string, dataDir: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...auth(dataDir) },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBe(201);
}

const example = (file: string) =>
  parse(readFileSync(join(REPO_ROOT, "examples", file), "utf8")) as Record<string, unknown> & { spec: Record<string, unknown> };

async function runningPods(url: string, dataDir: string, selector: string): Promise<number> {
  const res = await fetch(`${url}/api/v1/namespaces/default/pods?labelSelector=${encodeURIComponent(selector)}`, {
    headers: auth(dataDir),
  });
  const list = (await res.json()) as { items: { status?: { phase?: string } }[] };
  return list.items.filter((p) => p.status?.phase === "Running").length;
}

describe.skipIf(!runs)("nothing is left behind", () => {
  it("npm start with an RC of 3 pods and a Service: Ctrl-C in a terminal removes every container, the network and the addresses", async () => {
    const dataDir = mkdtempSync(join(copy, "data-"));
    const term = await openTerminal(copy, { NO_COLOR: "1" });
    terminals.push(term);
    term.type(`npm start -- --port 0 --no-dashboard --fresh --data ${dataDir} --kubeconfig ${join(dataDir, "kubeconfig")}`);
    const url = (await term.waitFor(/The cluster is up\. apiserver: (http:\/\/127\.0\.0\.1:\d+)/, 180_000))[1]!;
    const network = (await term.waitFor(/network (k8s-workshop-[0-9a-f]{8})/))[1]!;
    const networkId = (await docker.getNetwork(network).inspect()).Id as string;

    const rc = example("rc.yaml");
    rc.spec.replicas = 3;
    await create(url, dataDir, "/api/v1/namespaces/default/replicationcontrollers", rc);
    await create(url, dataDir, "/api/v1/namespaces/default/services", example("service.yaml"));
    await waitFor("the RC's 3 pods to run", async () => (await runningPods(url, dataDir, "app=web")) === 3, {
      timeoutMs: 120_000,
    });
    // The Service's cluster IP is an address on the cluster's bridge, besides the gateway.
    await waitFor("the Service's address on the bridge", () => bridgeAddresses(networkId).length >= 2, { timeoutMs: 60_000 });
    expect((await leftovers()).filter((l) => l.startsWith("container")).length).toBeGreaterThanOrEqual(6); // 3 pods: pause + httpd each

    term.keys("C-c"); // SIGINT to npm, sh and node at once, as a learner's Ctrl-C
    await term.waitForPrompt(60_000);
    // The report comes before the prompt: npm waits for node's cleanup.
    expect(term.output()).toMatch(/stopped: removed \d+ containers, network k8s-workshop-/);
    expect(await leftovers()).toEqual([]);
    expect(bridgeAddresses(networkId)).toEqual([]);
  }, 400_000);

  it("npm run check 05 interrupted twice mid-run: the tests stop and their containers and networks are removed", async () => {
    for (const n of ["01", "02", "03", "04", "05"]) {
      const r = spawnSync(process.execPath, ["--import", "tsx", "workshop/cli.ts", "solve", n], { cwd: copy, encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
    }
    const term = await openTerminal(copy, { NO_COLOR: "1", WORKSHOP_STATE_DIR: join(copy, ".state") });
    terminals.push(term);
    term.type("npm run check 05");
    await waitFor(
      "the tests of chapter 05 to create containers",
      async () => (await leftovers()).some((l) => l.startsWith("container")),
      { timeoutMs: 180_000 },
    );
    term.keys("C-c");
    term.keys("C-c"); // a second Ctrl-C while cleaning is ignored, not an abort of the cleanup
    await term.waitForPrompt(60_000);
    expect(term.output()).toMatch(/stopping \(SIGINT\): cleaning up/);
    expect(term.output()).toMatch(/stopped: removed /);
    expect(term.output()).not.toMatch(/All tests of chapters/);
    expect(await leftovers()).toEqual([]);
  }, 400_000);

  it("a run killed with SIGKILL leaves objects behind, and the next npm start removes them and says so", async () => {
    const dataDir = mkdtempSync(join(copy, "data-"));
    const args = [
      "--import",
      "tsx",
      "workshop/cli.ts",
      "up",
      "--port",
      "0",
      "--no-dashboard",
      "--fresh",
      "--data",
      dataDir,
      "--kubeconfig",
      join(dataDir, "kubeconfig"),
    ];
    const killed = spawn(process.execPath, args, {
      cwd: copy,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(killed);
    let text = "";
    killed.stdout!.on("data", (d: Buffer) => (text += d));
    killed.stderr!.on("data", (d: Buffer) => (text += d));
    const url = await waitFor(
      "the cluster to be up",
      () => {
        if (killed.exitCode !== null) throw new Error(`up exited: ${text}`);
        return /The cluster is up\. apiserver: (\S+)/.exec(text)?.[1];
      },
      { timeoutMs: 180_000 },
    );
    await create(url, dataDir, "/api/v1/namespaces/default/pods", example("pod.yaml"));
    await waitFor("the pod to run", async () => (await runningPods(url, dataDir, "app=web")) === 1, { timeoutMs: 120_000 });
    killed.kill("SIGKILL");
    await new Promise((done) => killed.once("exit", done));
    const left = await leftovers();
    expect(left.filter((l) => l.startsWith("container")).length).toBeGreaterThanOrEqual(2);
    expect(left.filter((l) => l.startsWith("network")).length).toBe(1);

    const term = await openTerminal(copy, { NO_COLOR: "1" });
    terminals.push(term);
    term.type(`npm start -- --port 0 --no-dashboard --data ${dataDir} --kubeconfig ${join(dataDir, "kubeconfig")}`);
    const line = await term.waitFor(
      new RegExp(
        `removed what an earlier run left behind \\(pid ${killed.pid}, no longer running\\): \\d+ containers, network k8s-workshop-`,
      ),
      120_000,
    );
    expect(line[0]).toBeDefined();
    for (const name of left) expect(await leftovers()).not.toContain(name);
    await term.waitFor(/The cluster is up/, 180_000);
    term.keys("C-c");
    await term.waitForPrompt(60_000);
    expect(await leftovers()).toEqual([]);
  }, 500_000);
});
