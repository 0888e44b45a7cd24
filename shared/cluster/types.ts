/**
 * The types of the cluster bring-up (shared/cluster/start.ts): what you ask
 * for, what you get, and what each chapter's component sees.
 */
import type { Store } from "../store/types.ts";
import type {
  ApiServerHandle,
  ControllersValue,
  ControlPlaneWrapper,
  LeaderElectionTuning,
  NodeLeaseTuning,
  ReplicaHandle,
  KubeletExtensionsValue,
  KubeletHandle,
  KubeletTuning,
  NodeLifecycleTuning,
  RuntimeWrapper,
} from "./contracts.ts";

export type {
  ApiServerHandle,
  KubeletHandle,
  KubeletTuning,
  LeaderElectionTuning,
  NodeLeaseTuning,
  NodeLifecycleTuning,
  ReplicaHandle,
} from "./contracts.ts";
import type { EtcdCluster } from "../etcd-cluster.ts";

/** The components that can be restarted in place (Cluster.restart): each keeps no state but the store. */
export type RestartableComponent = "apiserver" | "scheduler" | "controller manager";

export interface ClusterOptions {
  /** Absolute path of the tree to run: solutions/, chapters/ or a scratch tree. */
  tree: string;
  /** "03".."12": start the components of the chapters up to this one that exist in the tree. */
  upTo: string;
  /** How many kubelets (nodes), once chapter 05 is in. Default 1. */
  nodes?: number;
  /** "docker" (default): real containers. "fake": hollow nodes over FakeRuntime, no engine needed. */
  runtime?: "docker" | "fake";
  /** With runtime "fake": the images each hollow node has. Default: the test image only. */
  fakeImages?: string[];
  /** Keep the store on disk in this folder (not removed on close). Default: in memory. */
  dataDir?: string;
  /** Store on disk in a temp folder that close() removes (when no dataDir is given). */
  durable?: boolean;
  /** Put on every container and network the cluster creates (tests pass their test-run labels). */
  labels?: Record<string, string>;
  /** The apiserver's port on 127.0.0.1. Default 0: any free port. */
  port?: number;
  /** Kubelet settings for tests (back-off, heartbeat...). */
  kubelet?: KubeletTuning;
  /** Node lifecycle controller settings for tests (chapter 12). */
  nodeLifecycle?: NodeLifecycleTuning;
  /**
   * "embedded" (default): chapter 02's store. "etcd-cluster": three real etcd
   * members on loopback (chapter 16), in a temp folder removed on close.
   */
  store?: "embedded" | "etcd-cluster";
  /** Leader election settings for tests (chapter 16). */
  leaderElection?: LeaderElectionTuning;
  /** Node lease settings for tests (chapter 16). */
  nodeLease?: NodeLeaseTuning;
  /** How long the metrics server (chapter 12) reuses a scrape of the nodes' stats. Default 10 s. */
  metricsResolutionMs?: number;
  /** Progress and component logs. Default: nowhere. */
  log?: (line: string) => void;
}

/**
 * A running cluster. A (the apiserver) and K (a kubelet) are the tree's own
 * types when the caller knows them (test/harness/cluster.ts passes chapter
 * 03's ApiServer and chapter 05's Kubelet); shared/ itself knows only the
 * handles of contracts.ts.
 */
export interface Cluster<A extends ApiServerHandle = ApiServerHandle, K extends KubeletHandle = KubeletHandle> {
  /** A short id, also in the labels and the network's name. */
  id: string;
  tree: string;
  upTo: string;
  /** The apiserver's URL, http://127.0.0.1:PORT. */
  url: string;
  store: Store;
  apiserver: A;
  /** The running kubelets, node-1, node-2, ... (empty before chapter 05). */
  nodes: K[];
  /** The cluster's own Docker network (pods get their IPs there), when it has kubelets on Docker. */
  network: string | undefined;
  /** The labels on everything the cluster created (options.labels + k8s-workshop.cluster=<id>). */
  labels: Record<string, string>;
  /** The admin's bearer token (group system:masters), once chapter 11 turns authentication on; undefined before. */
  adminToken: string | undefined;
  /** The apiserver's TLS port (chapter 11), https://127.0.0.1:PORT: the real kubectl sends tokens only over TLS. */
  secureUrl: string | undefined;
  /** The etcd members under the store, with options.store "etcd-cluster" (chapter 16). */
  etcd: EtcdCluster | undefined;
  /** The replicas of a leader-elected component (chapter 16); empty when it runs once. */
  replicas(component: "scheduler" | "controller manager"): readonly ReplicaHandle[];
  /** Starts a kubelet (again) under this name; a running one of the same name is stopped first. */
  startNode(name: string): Promise<K>;
  /** Stops a kubelet: its containers keep running, like a real kubelet that restarts. */
  stopNode(name: string): Promise<void>;
  /**
   * Restarts a control-plane component in place (chapter 12's restart
   * recovery): the apiserver drops every connection and watch and listens
   * again on the same port over the same store; the scheduler and the
   * controller manager are stopped and started again, with empty caches.
   */
  restart(component: RestartableComponent): Promise<void>;
  /** Stops everything in reverse order and removes every container and network it created. Safe to call twice. */
  close(): Promise<void>;
}

/** What each component sees while the cluster comes up; components fill in what they start. */
export interface ClusterContext {
  readonly options: ClusterOptions;
  readonly id: string;
  readonly tree: string;
  readonly upTo: string;
  /** options.labels + the cluster label. */
  readonly labels: Record<string, string>;
  /** A temp folder of this cluster (kubelet root dirs...), removed on close. */
  readonly tempDir: string;
  /** Whether chapter NN takes part: NN <= upTo and its folder exists in the tree. */
  has(chapter: string): boolean;
  /** Imports a file of the tree, e.g. load("05-pods/index.ts"). */
  load<T>(file: string): Promise<T>;
  log(line: string): void;
  store?: Store;
  apiserver?: ApiServerHandle;
  url?: string;
  /**
   * The bearer token every component (kubelets, binder, controller manager,
   * scheduler) sends, set by chapter 11's prepare() when it turns
   * authentication on; undefined before (no authentication).
   */
  token?: string;
  /** The admin's token, for the kubeconfig of `npm start` and for tests (chapter 11). */
  adminToken?: string;
  /** The apiserver's TLS port, https://127.0.0.1:PORT (chapter 11). */
  secureUrl?: string;
  network?: string;
  /** The network being made (chapter 05's prepare() begins it; its start() sets `network`). */
  pendingNetwork?: Promise<string>;
  nodes: KubeletHandle[];
  /** Filled by components' prepare(): what each chapter adds to every kubelet (merged by chapter 05's mergeKubeletExtensions). */
  kubeletExtensions: KubeletExtensionsValue[];
  /** Filled by components' prepare(): the controllers of chapters after 08, for the controller manager. */
  controllers: ControllersValue;
  /** Filled by components' prepare(): the kinds of chapters after 08 that the garbage collector watches. */
  gcResources: unknown[];
  /** Filled by components' prepare(): wrappers around every kubelet's container runtime (chapter 13: lifecycle hooks). */
  runtimeWrappers: RuntimeWrapper[];
  /** The etcd members under the store (options.store "etcd-cluster"). */
  etcd?: EtcdCluster;
  /** Set by chapter 16's prepare(): how the scheduler and the controller manager are started (leader election). */
  controlPlaneWrapper?: ControlPlaneWrapper;
  /** The replicas of each leader-elected component, by component name. */
  replicas: Record<string, readonly ReplicaHandle[]>;
  startNode?: (name: string) => Promise<KubeletHandle>;
  stopNode?: (name: string) => Promise<void>;
  /** Runs on close, in reverse order of registration (after the components' own stops). */
  onClose(task: () => Promise<void>): void;
  /**
   * True once the whole cluster is closing (not for a restart of one
   * component). A stop may then leave to the cluster's Docker cleanup what it
   * removes anyway: every container with the cluster's label, and the
   * network, whose bridge takes the addresses put on it along.
   */
  closing: boolean;
}

/**
 * One chapter's part of the cluster. Components start in the order of the
 * list in components/index.ts and stop in reverse; test/architecture.test.ts
 * checks that order against each component's `after`.
 */
export interface ClusterComponent {
  /** The chapter that brings it ("05"); it runs when ctx.has(chapter). */
  chapter: string;
  name: string;
  /** Components that must have started before this one (when they run at all), each with the reason. */
  after?: Readonly<Record<string, string>>;
  /** An extra condition (e.g. a file of the chapter must exist). */
  enabled?(ctx: ClusterContext): boolean;
  /** Names of components this one retires when it runs (chapter 09's scheduler: ["naive binder"]). */
  replaces?: string[];
  /** Runs for every enabled component before any start(): contribute values (ctx.kubeletExtensions, ctx.controllers...). */
  prepare?(ctx: ClusterContext): Promise<void>;
  /** Starts the component; returns how to stop it. */
  start(ctx: ClusterContext): Promise<(() => Promise<void>) | void>;
}
