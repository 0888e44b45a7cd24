/**
 * The cluster harness: boots the cluster built so far for a test, from the
 * tree under test (WORKSHOP_TREE: solutions/ by default, chapters/, or a
 * scratch tree), with the same bring-up as `npm start` (shared/cluster/).
 *
 *   const cluster = await startCluster();                      // store + apiserver (chapters 02-04)
 *   const cluster = await startCluster({ chapter: "05", nodes: 2 });   // + kubelets, naive binder
 *   ...
 *   await cluster.close();   // stops everything, removes its containers, network and temp dirs
 *
 * Every container and network carries this test file's labels
 * (dockerTest().labels()), so the global teardown catches any leak.
 */
import { resolve } from "node:path";
import type { ApiServer } from "@tree/03-apiserver/index.ts";
import type { Kubelet } from "@tree/05-pods/index.ts";
import {
  startClusterFromTree,
  type Cluster,
  type ClusterOptions as BringUpOptions,
  type KubeletTuning,
  type NodeLifecycleTuning,
} from "../../shared/cluster/index.ts";
import { dockerTest, type DockerTestContext } from "./docker.ts";

export interface ClusterOptions {
  /** Start the components of chapters up to this one. Default "04": store and apiserver, no kubelets. */
  chapter?: string;
  /** How many kubelets (chapter 05+). Default 1. */
  nodes?: number;
  /** "docker" (default) or "fake" (hollow nodes). */
  runtime?: "docker" | "fake";
  /** Keep the store on disk in this folder (it is not removed on close). Default: in memory. */
  dataDir?: string;
  /** Store on disk in a temp folder removed on close. */
  durable?: boolean;
  /** Kubelet settings (short back-off for tests...). */
  kubelet?: KubeletTuning;
  /** Node lifecycle settings (chapter 12: short grace periods for tests). */
  nodeLifecycle?: NodeLifecycleTuning;
  /** "etcd-cluster": three real etcd members under the apiserver (chapter 16). Default: chapter 02's store. */
  store?: BringUpOptions["store"];
  /** Leader election settings (chapter 16: short leases for tests). */
  leaderElection?: BringUpOptions["leaderElection"];
  /** Node lease settings (chapter 16). */
  nodeLease?: BringUpOptions["nodeLease"];
  /** How long the metrics server reuses a scrape of the nodes (chapter 12). Default 10 s. */
  metricsResolutionMs?: number;
  /** The test file's Docker context, when the file removes its own containers too (d.cleanup()). */
  docker?: DockerTestContext;
}

/** A cluster seen through the tree's own types: tests pass its apiserver to the tree's install functions. */
export type TestCluster = Cluster<ApiServer, Kubelet>;

let docker: ReturnType<typeof dockerTest> | undefined;

export async function startCluster(options: ClusterOptions = {}): Promise<TestCluster> {
  const upTo = (options.chapter ?? "04").padStart(2, "0");
  const needsDocker = upTo >= "05" && (options.runtime ?? "docker") === "docker";
  const labels = options.docker?.labels() ?? (needsDocker ? (docker ??= dockerTest()).labels() : undefined);
  return startClusterFromTree<ApiServer, Kubelet>({
    tree: resolve(process.env.WORKSHOP_TREE ?? "solutions"),
    upTo,
    nodes: options.nodes,
    runtime: options.runtime,
    dataDir: options.dataDir,
    durable: options.durable,
    labels,
    kubelet: options.kubelet,
    nodeLifecycle: options.nodeLifecycle,
    store: options.store,
    leaderElection: options.leaderElection,
    nodeLease: options.nodeLease,
    metricsResolutionMs: options.metricsResolutionMs,
    log: process.env.WORKSHOP_DEBUG ? (line) => console.log(line) : undefined,
  });
}

/** The headers that authenticate as the cluster's admin once chapter 11 turns authentication on (none before). */
export function adminHeaders(cluster: Cluster): Record<string, string> {
  return cluster.adminToken ? { authorization: `Bearer ${cluster.adminToken}` } : {};
}
