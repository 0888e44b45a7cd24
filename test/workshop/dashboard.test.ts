/**
 * The dashboard in a real browser (Debian's chromium, driven by
 * playwright-core), and `npm run top` in a pipe and in a terminal (tmux), on
 * one cluster of three nodes on Docker:
 *
 *   - the page lists the 3 Ready nodes;
 *   - an RC of 3 appears as 3 pod cards, pushed to the page (no reload);
 *   - a killed container shows its pod's restart count rise;
 *   - the apiserver restarts and the page keeps following the cluster;
 *   - a node whose kubelet stops turns Unknown.
 *
 * Each test saves a screenshot in .workshop/screenshots/dashboard/ (the
 * workshop's ignored state folder, so the pictures outlive the run and no
 * temp folder stays behind) and prints its path. DASHBOARD_SCREENSHOT=<file>
 * also saves the RC picture there (the README's).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { List, Pod } from "../../shared/api/index.ts";
import type { ReplicationController } from "../../shared/api/replication.ts";
import { REPO_ROOT } from "../../shared/chapters.ts";
import type { Cluster } from "../../shared/cluster/index.ts";
import { adminHeaders, startCluster } from "../harness/cluster.ts";
import { connectDocker } from "../../shared/docker.ts";
import { writeKubeconfig } from "../../solutions/04-kubectl/kubectl/kubeconfig.ts";
import { ClusterFeed, startDashboard, type DashboardServer } from "../../workshop/dashboard/index.ts";
import { dockerTest } from "../harness/docker.ts";
import { http } from "../harness/http.ts";
import { FAST_KUBELET, FAST_NODE_LIFECYCLE } from "../harness/tuning.ts";
import { waitFor } from "../harness/wait.ts";

/** Debian's chromium, or the browser named by CHROMIUM_PATH. */
const CHROMIUM = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => p && existsSync(p));
const hasTmux = spawnSync("tmux", ["-V"]).status === 0;
const d = dockerTest();
const tmp = mkdtempSync(join(tmpdir(), "k8s-workshop-dashboard-"));
const SCREENSHOTS = join(REPO_ROOT, ".workshop", "screenshots", "dashboard");

let cluster: Cluster;
let feed: ClusterFeed;
let dashboard: DashboardServer;
let browser: Browser | undefined;
/** The browser's start, begun before the cluster's. */
let launching: Promise<Browser> | undefined;
let page: Page;
let api: ReturnType<typeof http>;
let auth: Record<string, string>;

function rc(name: string, replicas: number): ReplicationController {
  return {
    apiVersion: "v1",
    kind: "ReplicationController",
    metadata: { name },
    spec: {
      replicas,
      selector: { app: name },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [
            {
              name: "app",
              image: "busybox:latest",
              command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"],
              resources: { requests: { cpu: "250m", memory: "64Mi" } },
            },
          ],
        },
      },
    },
  };
}

async function podsOf(app: string): Promise<Pod[]> {
  return (await api<List<Pod>>("GET", `/api/v1/namespaces/default/pods?labelSelector=app%3D${app}`, undefined, auth)).body.items;
}

/** The page's view: what the cards and columns say right now. */
const cards = (selector: string) => page.locator(`article.pod${selector}`);

async function screenshot(name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  console.log(`screenshot: ${path}`);
  return path;
}

describe.skipIf(!d.available || !CHROMIUM)("the dashboard in a browser, and npm run top", () => {
  beforeAll(async () => {
    // The browser starts while the cluster comes up: neither needs the other yet.
    launching = chromium.launch({
      executablePath: CHROMIUM,
      // No sandbox as root in CI; no background traffic to the outside (there is no outside network here).
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    cluster = await startCluster({
      chapter: "12",
      nodes: 3,
      kubelet: FAST_KUBELET,
      nodeLifecycle: FAST_NODE_LIFECYCLE,
      docker: d,
    });
    api = http(cluster.url);
    auth = adminHeaders(cluster);
    feed = new ClusterFeed({ cluster: { tree: "solutions", chapters: ["01", "…", "12"] } });
    dashboard = await startDashboard(feed, 0);
    await feed.start({ server: cluster.url, token: cluster.adminToken });
    browser = await launching;
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(dashboard.url);
  });

  afterAll(async () => {
    // Also when the cluster failed to start before the launch was awaited.
    browser ??= await launching?.catch(() => undefined);
    await browser?.close();
    await dashboard?.close();
    await feed?.stop();
    await cluster?.close();
    await d.cleanup();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("lists the three nodes as Ready columns", async () => {
    await page.locator('section.node[data-state="Ready"]').nth(2).waitFor({ timeout: 15_000 });
    const nodes = await page
      .locator("section.node[data-state]")
      .evaluateAll((els) => els.map((e) => `${e.getAttribute("data-node")}=${e.getAttribute("data-state")}`));
    expect(nodes).toEqual(["node-1=Ready", "node-2=Ready", "node-3=Ready"]);
    expect(await page.locator("#connection").getAttribute("data-state")).toBe("live");
    await screenshot("nodes");
  });

  it("shows an RC's three pods as cards without a reload, with the RC's ready count", async () => {
    // A marker on the page object: a reload would lose it.
    await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 42));
    const service = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web" },
      spec: { selector: { app: "web" }, ports: [{ port: 80 }] },
    };
    expect((await api("POST", "/api/v1/namespaces/default/services", service, auth)).status).toBe(201);
    expect((await api("POST", "/api/v1/namespaces/default/replicationcontrollers", rc("web", 3), auth)).status).toBe(201);
    await waitFor(
      "3 running web pods in the API",
      async () => (await podsOf("web")).filter((p) => p.status?.phase === "Running").length === 3,
      { timeoutMs: 60_000 },
    );
    await waitFor(
      "3 Running web cards on the page",
      async () => (await cards('[data-phase="Running"][data-pod^="web-"]').count()) === 3,
      { timeoutMs: 5_000 },
    );
    await waitFor(
      "the Service row to list 3 endpoints",
      async () => ((await page.locator('tr[data-service="web"] td').last().textContent()) ?? "").split(" ").length === 3,
      { timeoutMs: 10_000 },
    );
    await waitFor(
      "the RC row to say 3 / 3",
      async () => (await page.locator('tr[data-workload="web"] td').last().textContent()) === "3 / 3",
      { timeoutMs: 5_000 },
    );
    expect(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).toBe(42);
    const path = await screenshot("rc");
    if (process.env.DASHBOARD_SCREENSHOT) {
      await page.setViewportSize({ width: 1400, height: 520 });
      await page.screenshot({ path: resolve(REPO_ROOT, process.env.DASHBOARD_SCREENSHOT) });
      await page.setViewportSize({ width: 1400, height: 900 });
      console.log(`README screenshot: ${process.env.DASHBOARD_SCREENSHOT} (from ${path})`);
    }
  });

  it("shows the restart count rise when a container's process is killed", async () => {
    const [victim] = await podsOf("web");
    const name = victim!.metadata!.name!;
    const containers = await connectDocker().listContainers({
      filters: { label: [`io.kubernetes.pod.uid=${victim!.metadata!.uid}`, "io.kubernetes.container.name=app"] },
    });
    expect(containers.length).toBe(1);
    await connectDocker().getContainer(containers[0]!.Id).kill();
    await waitFor(
      `the card of ${name} to show a restart`,
      async () => Number(await cards(`[data-pod="${name}"]`).getAttribute("data-restarts")) >= 1,
      { timeoutMs: 30_000 },
    );
    await screenshot("restart");
  });

  it("keeps following the cluster after the apiserver restarts", async () => {
    await cluster.restart("apiserver");
    // The test's own keep-alive connection died with the old listener: the first try may fail.
    await waitFor("the scale to 4 to be accepted", async () => {
      const res = await api("PUT", "/api/v1/namespaces/default/replicationcontrollers/web/scale", scale(4), auth).catch(
        () => undefined,
      );
      return res?.status === 200;
    });
    await waitFor("a fourth web card", async () => (await cards('[data-pod^="web-"]').count()) === 4, { timeoutMs: 30_000 });
    await screenshot("after-apiserver-restart");
  });

  it.skipIf(!hasTmux)("npm run top prints the picture once in a pipe, and redraws in a terminal", async () => {
    const kubeconfig = join(tmp, "kubeconfig");
    await writeKubeconfig(kubeconfig, { server: cluster.url, token: cluster.adminToken });
    // Not spawnSync: the apiserver runs in this process and must keep answering meanwhile.
    const piped = await run(process.execPath, ["--import", "tsx", "workshop/cli.ts", "top", "--kubeconfig", kubeconfig]);
    expect(piped.status, piped.stderr).toBe(0);
    expect(piped.stdout).toMatch(/^node-1\s+Ready\s/m);
    expect(piped.stdout).toMatch(/ReplicationController\s+default\/web\s+\d\/4 ready/);
    expect(piped.stdout).not.toContain("\u001b["); // no escape codes in a pipe

    const session = `top-${cluster.id}`;
    const tmux = (...args: string[]) => spawnSync("tmux", args, { encoding: "utf8" });
    const command = `${process.execPath} --import tsx workshop/cli.ts top --kubeconfig ${kubeconfig}`;
    expect(tmux("new-session", "-d", "-s", session, "-x", "160", "-y", "50", "-c", REPO_ROOT, command).status).toBe(0);
    try {
      const screen = () => tmux("capture-pane", "-p", "-t", session).stdout;
      await waitFor("top to draw the nodes in the terminal", () => /node-3\s+Ready/.test(screen()), { timeoutMs: 30_000 });
      expect((await api("PUT", "/api/v1/namespaces/default/replicationcontrollers/web/scale", scale(5), auth)).status).toBe(200);
      await waitFor("top to redraw with the RC at 5", () => /default\/web\s+\d\/5 ready/.test(screen()), { timeoutMs: 30_000 });
      tmux("send-keys", "-t", session, "C-c");
      await waitFor("top to quit on Ctrl-C", () => tmux("has-session", "-t", session).status !== 0, { timeoutMs: 10_000 });
    } finally {
      tmux("kill-session", "-t", session);
    }
  });

  it("turns a node Unknown when its kubelet stops reporting", async () => {
    await cluster.stopNode("node-3");
    await page.locator('section.node[data-node="node-3"][data-state="Unknown"]').waitFor({ timeout: 30_000 });
    await screenshot("node-unknown");
  });
});

/** Runs a command to its end without blocking this process (pipes for stdout and stderr). */
function run(command: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(command, args, { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: "1" } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (b: Buffer) => (stdout += b));
  child.stderr.on("data", (b: Buffer) => (stderr += b));
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  return new Promise((done) =>
    child.once("close", (status) => {
      clearTimeout(timer);
      done({ status, stdout, stderr });
    }),
  );
}

function scale(replicas: number) {
  return { apiVersion: "autoscaling/v1", kind: "Scale", metadata: { name: "web", namespace: "default" }, spec: { replicas } };
}

describe("the dashboard's port", () => {
  it("says which port is taken and how to choose another", async () => {
    const first = await startDashboard(new ClusterFeed({ cluster: { tree: "t", chapters: [] } }), 0);
    try {
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
          String(first.port),
          "--data",
          join(tmp, "data"),
        ],
        { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: "1" } },
      );
      let err = "";
      child.stderr.on("data", (b: Buffer) => (err += b));
      const code = await new Promise<number | null>((done) => child.once("exit", done));
      expect(code).toBe(1);
      expect(err.trim()).toBe(
        `error: the dashboard's port ${first.port} is taken: pick another with npm start -- --dashboard-port ${first.port + 1}, or --no-dashboard`,
      );
    } finally {
      await first.close();
    }
  });
});
