/**
 * The types of the cluster bring-up (shared/cluster/start.ts): what you ask
 * for, what you get, and what each chapter's component sees.
 */
import type { Store } from "../store/types.ts";

// The components are the learner's (or the reference's) code, loaded from a
// tree at run time; these type-only imports describe their shape.
export type ApiServer = import("../../solutions/03-apiserver/index.ts").ApiServer;
export type Kubelet = import("../../solutions/05-pods/kubelet/kubelet.ts").Kubelet;
export type KubeletOptions = import("../../solutions/05-pods/kubelet/kubelet.ts").KubeletOptions;

/** What later chapters may add to every kubelet: volume plugins, env sources, probes... */
export type KubeletExtensions = Partial<
  Pick<KubeletOptions, "volumePlugins" | "envSources" | "envVarResolvers" | "probes" | "podFieldSelector">
>;

/** Node lifecycle controller settings a test may tune (chapter 12: a short grace period and eviction timeout). */
export type NodeLifecycleTuning = import("../../solutions/12-self-healing/index.ts").NodeLifecycleOptions;

/** The components that can be restarted in place (Cluster.restart): each keeps no state but the store. */
export type RestartableComponent = "apiserver" | "scheduler" | "controller manager";

/** Kubelet settings a test may tune (short back-off, fast heartbeats...). */
export type KubeletTuning = Partial<
  Pick<KubeletOptions, "heartbeatIntervalMs" | "relistIntervalMs" | "resyncIntervalMs" | "backOff" | "capacity" | "pauseImage" | "pauseCommand">
>;

export interface ClusterOptions {
  /** Absolute path of the tree to run: solutions/, chapters/ or a scratch tree. */
  tree: string;
  /** "03".."12": start the components of the chapters up to this one that exist in the tree. */
  upTo: string;
  /** How many kubelets (nodes), once chapter 05 is in. Default 1. */
  nodes?: number;
  /** "docker" (default): real containers. "fake": hollow nodes over FakeRuntime, no engine needed. */
  runtime?: "docker" | "fake";
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
  /** Progress and component logs. Default: nowhere. */
  log?: (line: string) => void;
}

export interface Cluster {
  /** A short id, also in the labels and the network's name. */
  id: string;
  tree: string;
  upTo: string;
  /** The apiserver's URL, http://127.0.0.1:PORT. */
  url: string;
  store: Store;
  apiserver: ApiServer;
  /** The running kubelets, node-1, node-2, ... (empty before chapter 05). */
  nodes: Kubelet[];
  /** The cluster's own Docker network (pods get their IPs there), when it has kubelets on Docker. */
  network: string | undefined;
  /** The labels on everything the cluster created (options.labels + k8s-workshop.cluster=<id>). */
  labels: Record<string, string>;
  /** The admin's bearer token (group system:masters), once chapter 11 turns authentication on; undefined before. */
  adminToken: string | undefined;
  /** The apiserver's TLS port (chapter 11), https://127.0.0.1:PORT: the real kubectl sends tokens only over TLS. */
  secureUrl: string | undefined;
  /** Starts a kubelet (again) under this name; a running one of the same name is stopped first. */
  startNode(name: string): Promise<Kubelet>;
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
  apiserver?: ApiServer;
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
  nodes: Kubelet[];
  /** Filled by components' prepare(): what every kubelet gets. */
  kubelet: KubeletExtensions;
  startNode?: (name: string) => Promise<Kubelet>;
  stopNode?: (name: string) => Promise<void>;
  /** Runs on close, in reverse order of registration (after the components' own stops). */
  onClose(task: () => Promise<void>): void;
}

/** One chapter's part of the cluster. Components start in chapter order and stop in reverse. */
export interface ClusterComponent {
  /** The chapter that brings it ("05"); it runs when ctx.has(chapter). */
  chapter: string;
  name: string;
  /** An extra condition (e.g. a file of the chapter must exist). */
  enabled?(ctx: ClusterContext): boolean;
  /** Names of components this one retires when it runs (chapter 09's scheduler: ["naive binder"]). */
  replaces?: string[];
  /** Runs for every enabled component before any start(): contribute extensions (ctx.kubelet...). */
  prepare?(ctx: ClusterContext): Promise<void>;
  /** Starts the component; returns how to stop it. */
  start(ctx: ClusterContext): Promise<(() => Promise<void>) | void>;
}
