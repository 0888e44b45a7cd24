/**
 * `npm start`: brings up the cluster built from every chapter present, on the
 * local machine, until Ctrl-C.
 *
 *   store (02)      embedded, durable, in .cluster/data (or --data DIR)
 *   apiserver (03)  http://127.0.0.1:8080 (or --port N)
 *   kubeconfig (04) .kube/config, for our kubectl and the real one
 *   kubelets (05)   node-1..node-3 on the local Docker engine, on the cluster's own network
 *   ...             later chapters add their components in shared/cluster/components/
 *
 * --tree chapters runs the learner's own code instead of the reference: the
 * chapters finished so far (no TODO left), unless --upto NN says otherwise.
 * The bring-up is shared with the tests (shared/cluster/): every component is
 * started in the order of shared/cluster/components/index.ts and stopped in
 * reverse order; Ctrl-C removes every container and the network the cluster
 * created (the store's data stays).
 */
import { existsSync, rmSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { availableChapters, CHAPTERS, findChapter, REPO_ROOT, type Chapter } from "../shared/chapters.ts";
import { startClusterFromTree, type Cluster } from "../shared/cluster/index.ts";
import { connectDocker } from "../shared/docker.ts";
import { ensureTestImage, TEST_IMAGE } from "../shared/test-image.ts";
import { ClusterFeed, PortTakenError, startDashboard, type DashboardServer } from "./dashboard/index.ts";
import { atInterrupt, interrupted } from "./interrupt.ts";
import { remainingSteps } from "./starters.ts";
import { bytes, c, progressLine, UserError } from "./ui.ts";

type KubeconfigModule = typeof import("../solutions/04-kubectl/kubectl/kubeconfig.ts");

export interface UpOptions {
  tree: string;
  /** Start the components of chapters up to this one (--upto); undefined: see chooseUpTo(). */
  upTo: string | undefined;
  port: number;
  dataDir: string;
  fresh: boolean;
  /** "embedded" (default) or "etcd-cluster": three real etcd members in a temp folder (chapter 16). */
  store: "embedded" | "etcd-cluster";
  /** Where to write the kubeconfig (default .kube/config). */
  kubeconfig?: string;
  /** The dashboard's port on 127.0.0.1 (default 8090); undefined with --no-dashboard. */
  dashboardPort: number | undefined;
}

export const DEFAULT_DASHBOARD_PORT = 8090;

/** The options of `npm start` (parsed by workshop/args.ts) -> what up() needs. */
export function upOptions(values: Record<string, string | boolean | undefined>): UpOptions {
  const treeName = (values.tree as string | undefined) ?? "solutions";
  if (treeName !== "solutions" && treeName !== "chapters") {
    throw new UserError(`--tree is "solutions" (the reference) or "chapters" (your code), not "${treeName}"`);
  }
  const portNumber = (flag: string, fallback: number) => {
    const text = (values[flag] as string | undefined) ?? String(fallback);
    const n = Number(text);
    if (!/^\d+$/.test(text) || n > 65535) throw new UserError(`--${flag} must be a port number, not "${text}"`);
    return n;
  };
  const upToText = values.upto as string | undefined;
  const upToChapter = upToText === undefined ? undefined : findChapter(upToText);
  if (upToText !== undefined && !upToChapter) {
    throw new UserError(`--upto names a chapter (03 to ${CHAPTERS.at(-1)!.number}), not "${upToText}"`);
  }
  return {
    tree: join(REPO_ROOT, treeName),
    upTo: upToChapter?.number,
    port: portNumber("port", 8080),
    dataDir: (values.data as string | undefined) ?? join(REPO_ROOT, ".cluster", "data"),
    fresh: values.fresh === true,
    store: storeOption(values.store),
    kubeconfig: values.kubeconfig as string | undefined,
    dashboardPort: values["no-dashboard"] === true ? undefined : portNumber("dashboard-port", DEFAULT_DASHBOARD_PORT),
  };
}

/** True when chapter 04 of the learner's tree has no TODO left, so `npm run kubectl` (which runs chapters/) can work. */
function learnerKubectlReady(): boolean {
  const chapter = CHAPTERS.find((ch) => ch.number === "04")!;
  return existsSync(join(REPO_ROOT, "chapters", chapter.slug)) && remainingSteps(chapter).length === 0;
}

function storeOption(value: string | boolean | undefined): "embedded" | "etcd-cluster" {
  if (value === undefined || value === "embedded") return "embedded";
  if (value === "etcd-cluster") return "etcd-cluster";
  throw new UserError(`--store is "embedded" or "etcd-cluster", not "${String(value)}"`);
}

/** The chapters of the tree that take part, up to `upTo`: what the dashboard says runs the cluster. */
function chaptersOf(tree: string, upTo: string): string[] {
  return CHAPTERS.filter((ch) => ch.number <= upTo && existsSync(join(tree, ch.slug))).map((ch) => ch.number);
}

/**
 * The last chapter of the learner's tree such that it and every chapter
 * before it have no TODO left: the cluster the learner has built so far.
 * A later chapter's starter would throw its todo() as soon as it runs.
 */
export function finishedUpTo(root: string = REPO_ROOT): { upTo: string | undefined; next: Chapter | undefined } {
  let upTo: string | undefined;
  for (const chapter of availableChapters(root)) {
    if (remainingSteps(chapter, root).length > 0) return { upTo, next: chapter };
    upTo = chapter.number;
  }
  return { upTo, next: undefined };
}

/** Which chapters' components to start: --upto, else every chapter of the reference, else the learner's finished ones. */
function chooseUpTo(options: UpOptions, highest: string | undefined, say: (line: string) => void): string | undefined {
  if (options.upTo !== undefined) {
    if (highest !== undefined && options.upTo > highest)
      throw new UserError(`--upto ${options.upTo}: this tree has chapters up to ${highest} only`);
    return options.upTo;
  }
  if (options.tree !== join(REPO_ROOT, "chapters")) return highest;
  const { upTo, next } = finishedUpTo();
  if (next && (upTo === undefined || upTo < "03")) {
    throw new UserError(
      `your chapters run a cluster once chapters 02 and 03 are done: chapter ${next.number} still has TODOs (npm run check ${next.number})`,
    );
  }
  if (next)
    say(`your chapters are done up to ${upTo}: starting those (chapter ${next.number} has TODOs left; --upto NN to choose)`);
  return upTo;
}

/** The highest chapter whose folder exists in the tree (and in this checkout's plan). */
export function highestChapter(tree: string): string | undefined {
  const present = CHAPTERS.filter(
    (ch) => existsSync(join(tree, ch.slug)) && availableChapters().some((a) => a.number === ch.number),
  );
  return present.at(-1)?.number;
}

export async function up(values: Record<string, string | boolean | undefined>): Promise<void> {
  const options = upOptions(values);
  const step = (text: string) => console.log(`${c.dim("...")} ${text}`);
  const upTo = chooseUpTo(options, highestChapter(options.tree), step);
  if (!upTo || upTo < "03" || !existsSync(join(options.tree, "02-etcd")) || !existsSync(join(options.tree, "03-apiserver"))) {
    throw new UserError("this tree has no store (02) or apiserver (03) yet: nothing to bring up");
  }
  const withKubelets = upTo >= "05" && existsSync(join(options.tree, "05-pods"));
  if (withKubelets) {
    // Pods run busybox (and so do the pause containers): make sure it is there, with progress.
    const line = progressLine();
    await ensureTestImage(connectDocker(), (p) => {
      const amount = p.total ? ` ${bytes(p.current ?? 0)} / ${bytes(p.total)}` : "";
      line.update(`${TEST_IMAGE}: ${p.status}${amount}`);
    });
    line.done();
  }
  // The dashboard listens first, so a taken port stops us before the cluster starts.
  const feed = new ClusterFeed({
    cluster: { tree: relative(REPO_ROOT, options.tree), chapters: chaptersOf(options.tree, upTo) },
  });
  let dashboard: DashboardServer | undefined;
  if (options.dashboardPort !== undefined) {
    try {
      dashboard = await startDashboard(feed, options.dashboardPort);
    } catch (err) {
      if (err instanceof PortTakenError) {
        throw new UserError(
          `the dashboard's port ${err.port} is taken: pick another with npm start -- --dashboard-port ${err.port + 1}, or --no-dashboard`,
        );
      }
      throw err;
    }
  }
  if (options.fresh) rmSync(options.dataDir, { recursive: true, force: true });
  if (options.store === "etcd-cluster") step("store: starting three etcd members on loopback (their data goes at Ctrl-C)");
  else step(`store: opening ${relative(process.cwd(), options.dataDir) || options.dataDir}`);

  // From here on, Ctrl-C stops the cluster (once its bring-up is done) and
  // interrupt.ts then removes whatever still carries this run's labels.
  const starting = startClusterFromTree({
    tree: options.tree,
    upTo,
    nodes: withKubelets ? 3 : undefined,
    dataDir: options.dataDir,
    store: options.store,
    port: options.port,
    labels: { "k8s-workshop.npm-start": "true" },
    log: (line) => {
      if (interrupted()) return;
      if (/: starting$/.test(line)) step(line.replace(/: starting$/, ""));
      else if (/^(store|apiserver|network|kubelet|discovery): /.test(line)) step(line);
      else if (process.env.WORKSHOP_DEBUG) console.log(c.dim(line));
    },
  });
  atInterrupt(async () => {
    await dashboard?.close();
    await feed.stop();
    const bringUpLimit = new Promise<undefined>((done) => setTimeout(() => done(undefined), 10_000).unref());
    const running = await Promise.race([starting.catch(() => undefined), bringUpLimit]);
    await running?.close();
  });
  let cluster: Cluster;
  try {
    cluster = await starting;
  } catch (err) {
    await dashboard?.close();
    if ((err as NodeJS.ErrnoException).code === "EADDRINUSE") {
      throw new UserError(`port ${options.port} is taken: pick another with npm start -- --port 8081`);
    }
    throw err;
  }

  const kubeconfigFile = join(options.tree, "04-kubectl/kubectl/kubeconfig.ts");
  let kubeconfig: string | undefined;
  if (existsSync(kubeconfigFile)) {
    const kubeconfigModule = (await import(pathToFileURL(kubeconfigFile).href)) as KubeconfigModule;
    kubeconfig = options.kubeconfig ? resolve(options.kubeconfig) : kubeconfigModule.WORKSHOP_KUBECONFIG;
    // From chapter 11 on: the secure port (TLS) and the admin's token (kubectl sends tokens only over TLS).
    await kubeconfigModule.writeKubeconfig(kubeconfig, { server: cluster.secureUrl ?? cluster.url, token: cluster.adminToken });
  }

  if (dashboard) await feed.start({ server: cluster.url, token: cluster.adminToken });

  console.log();
  console.log(`${c.green("The cluster is up.")} apiserver: ${c.cyan(cluster.url)}`);
  if (dashboard) console.log(`dashboard: ${c.cyan(dashboard.url)} (the same picture in a terminal: ${c.cyan("npm run top")})`);
  if (cluster.nodes.length > 0)
    console.log(`nodes: ${cluster.nodes.map((n) => n.nodeName).join(", ")} (network ${cluster.network ?? "bridge"})`);
  if (kubeconfig) {
    const rel = relative(process.cwd(), kubeconfig);
    // `npm run kubectl` runs the learner's kubectl (chapters/04): suggest it only once it is written.
    const ready = learnerKubectlReady();
    const ours = ready ? "npm run kubectl --" : "npm run kubectl -- --tree solutions";
    console.log(`kubeconfig: ${c.cyan(rel)}`);
    console.log(`  the real kubectl:  ${c.cyan(`KUBECONFIG=${rel} kubectl get pods`)}`);
    console.log(
      `  ${ready ? "your kubectl:     " : "the reference one:"} ${c.cyan(`${ours} get pods`)}${ready ? "" : c.dim(" (yours, npm run kubectl, works once chapter 04 is done)")}`,
    );
    if (cluster.nodes.length > 0) console.log(`  run a pod:         ${c.cyan(`${ours} apply -f examples/pod.yaml`)}`);
  }
  console.log(
    c.dim(
      "Ctrl-C stops it and removes its containers, network and addresses (the data stays in the data folder; --fresh starts empty).",
    ),
  );
  await new Promise<never>(() => {}); // until Ctrl-C: interrupt.ts stops the cluster, says what it removed and exits
}
