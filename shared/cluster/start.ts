/**
 * One bring-up for the whole workshop: the tests (test/harness/cluster.ts)
 * and `npm start` (workshop/up.ts) both call startClusterFromTree().
 *
 *   const cluster = await startClusterFromTree({ tree: "/abs/solutions", upTo: "05", nodes: 2 });
 *   cluster.url        the apiserver
 *   cluster.nodes      the kubelets
 *   await cluster.close();   // everything stopped, every container and network removed
 *
 * The components of each chapter live in shared/cluster/components/, one
 * file per chapter, listed in start order in components/index.ts. A component's code is
 * loaded from the tree at run time, so the same bring-up runs the reference
 * solutions, the learner's chapters, or a scratch tree mixing both.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CHAPTERS } from "../chapters.ts";
import { connectDocker, runLabels } from "../docker.ts";
import { COMPONENTS } from "./components/index.ts";
import { CLUSTER_LABEL, removeClusterObjects } from "./network.ts";
import { makeClusterDir } from "./temp-dir.ts";
import type { ApiServerHandle, Cluster, ClusterComponent, ClusterContext, ClusterOptions, KubeletHandle } from "./types.ts";

export type { Cluster, ClusterComponent, ClusterContext, ClusterOptions } from "./types.ts";

/**
 * Starts the cluster of `options.tree` up to chapter `options.upTo`. A and K
 * narrow the apiserver and kubelets to the tree's own types for a caller that
 * knows them (the tests); the bring-up itself uses only their handles.
 */
export async function startClusterFromTree<A extends ApiServerHandle = ApiServerHandle, K extends KubeletHandle = KubeletHandle>(
  options: ClusterOptions,
): Promise<Cluster<A, K>> {
  if (!/^\d\d$/.test(options.upTo))
    throw new Error(`upTo must be a two-digit chapter number such as "05", not "${options.upTo}"`);
  const id = randomBytes(4).toString("hex");
  const tempDir = await makeClusterDir(id);
  const closers: (() => Promise<void>)[] = [];
  const log = options.log ?? (() => {});
  const ctx: ClusterContext = {
    options,
    id,
    tree: options.tree,
    upTo: options.upTo,
    // runLabels(): which process made it, so a sweeper can remove what a killed run left.
    labels: { ...runLabels(), ...options.labels, [CLUSTER_LABEL]: id },
    tempDir,
    has(chapter) {
      const c = CHAPTERS.find((x) => x.number === chapter);
      return !!c && chapter <= options.upTo && existsSync(join(options.tree, c.slug));
    },
    async load<T>(file: string) {
      const path = join(options.tree, file);
      if (!existsSync(path)) throw new Error(`the tree ${options.tree} has no ${file}`);
      return (await import(pathToFileURL(path).href)) as T;
    },
    log,
    nodes: [],
    kubeletExtensions: [],
    controllers: {},
    gcResources: [],
    runtimeWrappers: [],
    replicas: {},
    onClose: (task) => void closers.push(task),
    closing: false,
  };

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      ctx.closing = true;
      for (const task of closers.reverse()) {
        await task().catch((err: Error) => log(`while stopping: ${err.message}`));
      }
      // Kubelets leave their containers running when they stop (as a real one
      // does); the cluster removes everything that carries its label.
      if ((options.runtime ?? "docker") === "docker" && ctx.has("05")) {
        await removeClusterObjects(connectDocker(), id).catch((err: Error) => log(`while cleaning up Docker: ${err.message}`));
      }
      await rm(tempDir, { recursive: true, force: true });
    })());

  // The stop of each running component, by name (a restart replaces it).
  const stops = new Map<string, () => Promise<void>>();
  let active: ClusterComponent[] = [];
  try {
    const enabled = COMPONENTS.filter((c) => ctx.has(c.chapter) && (c.enabled?.(ctx) ?? true));
    const retired = new Set(enabled.flatMap((c) => c.replaces ?? []));
    active = enabled.filter((c) => !retired.has(c.name));
    for (const component of active) await component.prepare?.(ctx);
    for (const component of active) {
      log(`${component.name}: starting`);
      const stop = await component.start(ctx);
      if (stop) {
        stops.set(component.name, stop);
        closers.push(() => stops.get(component.name)?.() ?? Promise.resolve());
      }
    }
  } catch (err) {
    await close();
    throw err;
  }
  if (!ctx.store || !ctx.apiserver || !ctx.url) {
    await close();
    throw new Error(
      `the tree ${options.tree} has no store (02) or apiserver (03) up to chapter ${options.upTo}: nothing to bring up`,
    );
  }
  const noKubelets = async () => {
    throw new Error(`this cluster has no kubelets: chapter 05 is not part of it (upTo ${options.upTo})`);
  };
  return {
    id,
    tree: options.tree,
    upTo: options.upTo,
    url: ctx.url,
    store: ctx.store,
    apiserver: ctx.apiserver as A,
    nodes: ctx.nodes as K[],
    get network() {
      return ctx.network;
    },
    labels: ctx.labels,
    adminToken: ctx.adminToken,
    secureUrl: ctx.secureUrl,
    get etcd() {
      return ctx.etcd;
    },
    replicas: (component) => ctx.replicas[component] ?? [],
    startNode: async (name) => (await (ctx.startNode ?? noKubelets)(name)) as K,
    stopNode: (name) => (ctx.stopNode ?? noKubelets)(name),
    async restart(name) {
      if (name === "apiserver") {
        log("apiserver: restarting");
        return ctx.apiserver!.restart();
      }
      const component = active.find((c) => c.name === name);
      if (!component) throw new Error(`this cluster runs no ${name} (chapters up to ${options.upTo} in ${options.tree})`);
      log(`${name}: restarting`);
      await stops.get(name)?.();
      stops.delete(name);
      const stop = await component.start(ctx);
      if (stop) stops.set(name, stop);
    },
    close,
  };
}
