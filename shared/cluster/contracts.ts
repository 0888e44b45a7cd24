/**
 * What the cluster bring-up needs of each chapter's code, declared here so
 * that shared/ depends on no chapter (as ContainerRuntime and Store do for
 * chapters 01 and 02). A component loads a chapter's index.ts from the tree
 * at run time and sees it through one of these interfaces.
 *
 * test/shared/contracts.typecheck.ts checks that solutions/ satisfies them,
 * so a change to a chapter's exports that breaks the bring-up fails
 * `npm run typecheck`, not a Docker test ten minutes later.
 *
 * Values a chapter gives another chapter (kubelet extensions, controllers,
 * garbage-collected kinds, a key read by one function of chapter 11 and
 * given to another) pass through the bring-up without being looked at:
 * here they are opaque.
 */
import type { StreamingRuntime } from "../runtime/streams.ts";
import type { ContainerRuntime } from "../runtime/types.ts";
import type { Store } from "../store/types.ts";

/** Chapter 03's apiserver, as the bring-up uses it. */
export interface ApiServerHandle {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
  /** Drops every connection and watch and listens again on the same port, over the same store. */
  restart(): Promise<void>;
}

/** Chapter 05's kubelet, as the bring-up uses it. */
export interface KubeletHandle {
  readonly nodeName: string;
  /** The last error of a sync (the tests print it when a pod never gets where they wait for it). */
  readonly lastError?: Error;
  stop(): Promise<void>;
}

/** A running component that can be stopped (scheduler, controller manager, proxy). */
export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * A value that one function of a chapter returns and the bring-up hands to
 * another, unread (an encryption key, a token list, garbage-collected kinds).
 * Its real type belongs to the chapter, which shared/ may not import.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Opaque = any;

/** What one chapter adds to every kubelet: chapter 05's KubeletExtensions, opaque here. */
export type KubeletExtensionsValue = object;

/** Controllers by name: chapter 08's Controllers, opaque here. */
export type ControllersValue = Record<string, Opaque>;

/** Kubelet settings a test may tune (short back-off, fast heartbeats...): a part of chapter 05's KubeletOptions. */
/** Wraps the container runtime of every kubelet (chapter 13: lifecycle hooks around start and stop). */
export type RuntimeWrapper = (
  runtime: ContainerRuntime,
  host: { server: string; token?: string; log?: (line: string) => void },
) => ContainerRuntime;

/**
 * Starts a control-plane component (the scheduler, the controller manager)
 * the way the wrapper decides. Chapter 16 runs several replicas behind a
 * leader election, so that only the leader's copy runs. Without a wrapper
 * the component starts once, as before. `start` is given the apiserver URL
 * to use: a wrapper may give each replica its own road to the apiserver.
 */
export type ControlPlaneWrapper = (
  leaseName: string,
  start: (server: string) => Promise<Stoppable>,
) => Promise<Stoppable & { readonly replicas?: readonly ReplicaHandle[] }>;

/** One replica of a leader-elected component (chapter 16's Replica). */
export interface ReplicaHandle {
  readonly identity: string;
  isLeader(): boolean;
  /** Stops it cleanly: it releases the lease, the next replica takes over at once. */
  stop(): Promise<void>;
  /** Stops it as a crash would: the lease stays until it expires. */
  kill(): Promise<void>;
}

/** Leader election settings a test may tune (chapter 16); Kubernetes' defaults are 15 s, 10 s, 2 s. */
export interface LeaderElectionTuning {
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Replicas of the scheduler and of the controller manager. Default 2. */
  replicas?: number;
}

/** Node lease settings a test may tune (chapter 16); Kubernetes' default is a 40 s lease renewed every 10 s. */
export interface NodeLeaseTuning {
  leaseDurationSeconds?: number;
  renewIntervalMs?: number;
}

export interface KubeletTuning {
  heartbeatIntervalMs?: number;
  relistIntervalMs?: number;
  resyncIntervalMs?: number;
  backOff?: { initialMs?: number; maxMs?: number };
  capacity?: { cpu?: string; memory?: string; pods?: string };
  pauseImage?: string;
  pauseCommand?: string[];
}

/** Node lifecycle controller settings a test may tune (chapter 12's NodeLifecycleOptions). */
export interface NodeLifecycleTuning {
  nodeMonitorPeriodMs?: number;
  nodeMonitorGracePeriodMs?: number;
  podEvictionTimeoutMs?: number;
  /** Chapter 16: a second heartbeat per node (its Lease), read by the controller. */
  leaseHeartbeats?: Opaque;
}

// The modules the components load, one per chapter, as far as the bring-up uses them.

export interface StoreModule {
  openEmbeddedStore(options: { dir?: string }): Promise<Store>;
}

export interface ApiServerModule {
  startApiServer(options: { store: Store; host: string; port: number }): Promise<ApiServerHandle>;
}

export interface RuntimeModule {
  DockerRuntime: new (docker: import("dockerode")) => ContainerRuntime;
}

export interface PodsModule {
  installPodLogs(apiserver: ApiServerHandle, options?: { kubeletToken?: string }): void;
  installPodStreams(apiserver: ApiServerHandle, options?: { kubeletToken?: string }): void;
  mergeKubeletExtensions(all: readonly KubeletExtensionsValue[]): KubeletExtensionsValue;
  startKubelet(
    options: KubeletTuning & {
      nodeName: string;
      server: string;
      token?: string;
      runtime: ContainerRuntime;
      runtimeName?: string;
      network?: string;
      labels?: Record<string, string>;
      rootDir?: string;
      extensions?: KubeletExtensionsValue;
      log?: (message: string) => void;
      streams?: StreamingRuntime;
      serverToken?: string;
    },
  ): Promise<KubeletHandle>;
}

export interface VolumesModule {
  DEFAULT_HOST_PATH_POLICY: { allowedPrefixes: string[] };
  kubeletExtensions(policy: { allowedPrefixes: string[] }): KubeletExtensionsValue;
  installVolumePolicy(apiserver: ApiServerHandle, policy: { allowedPrefixes: string[] }): void;
}

export interface LabelsModule {
  kubeletExtensions(): KubeletExtensionsValue;
  installSelectors(apiserver: ApiServerHandle): void;
}

export interface ReplicationModule {
  installReplication(apiserver: ApiServerHandle): void;
  /** Chapter 08's controllers, with the garbage collector also watching later chapters' kinds. */
  controllers(options: { gcResources?: readonly Opaque[] }): ControllersValue;
  startControllerManager(options: {
    server: string;
    token?: string;
    controllers: ControllersValue;
    log?: (line: string) => void;
  }): Promise<Stoppable>;
}

export interface SchedulerModule {
  startScheduler(options: { server: string; token?: string; onError?: (err: Error) => void }): Promise<Stoppable>;
}

export interface ServicesModule {
  DEFAULT_SERVICE_CIDR: string;
  kubeletExtensions(): KubeletExtensionsValue;
  controllers(): ControllersValue;
  installServices(apiserver: ApiServerHandle, options: { serviceCIDR?: string }): void;
  BridgeAddresses: new (options: {
    docker: import("dockerode");
    bridge: string;
    image: string;
    labels: Record<string, string>;
  }) => Opaque;
  startProxy(options: { server: string; token?: string; addresses: Opaque; log?: (line: string) => void }): Promise<Stoppable>;
}

export interface SecretsModule {
  MASTERS_GROUP: string;
  ensureTokens(
    path: string,
    wanted: { user: string; uid: string; groups: string[] }[],
  ): Promise<{ token: string; user: string }[]>;
  readTokenFile(path: string): Promise<Opaque[] | undefined>;
  kubeletExtensions(options: { memoryRoot?: string }): KubeletExtensionsValue;
  installSecrets(apiserver: ApiServerHandle): void;
  installEncryption(apiserver: ApiServerHandle, options: { key: Opaque }): void;
  loadOrCreateKey(path: string): Promise<Opaque>;
  installAuth(apiserver: ApiServerHandle, options: { tokens: Opaque[] }): Promise<void>;
  /** Access reviews (`kubectl auth can-i`) and SelfSubjectReview (`kubectl auth whoami`). */
  installAccessReview(apiserver: ApiServerHandle): void;
  loadOrCreateCertificate(dir: string): Promise<Opaque>;
  startSecurePort(options: {
    target: { host: string; port: number };
    certificate: Opaque;
    ciphers?: string;
  }): Promise<{ url: string; close(): Promise<void> }>;
}

export interface SelfHealingModule {
  kubeletExtensions(): KubeletExtensionsValue;
  controllers(options: NodeLifecycleTuning): ControllersValue;
  /** metrics.k8s.io for `kubectl top`. Optional: a tree from before it existed has none. */
  installMetrics?(
    apiserver: ApiServerHandle,
    options: { docker: import("dockerode"); labels: Record<string, string>; resolutionMs?: number },
  ): unknown;
}

export interface DeploymentsModule {
  installApps(apiserver: ApiServerHandle): void;
  /** PodDisruptionBudgets and pods/eviction (kubectl drain). Optional: a tree from before they existed has none. */
  installPolicy?(apiserver: ApiServerHandle): void;
  withLifecycleHooks: RuntimeWrapper;
  withKubeletEvents: RuntimeWrapper;
  kubeletExtensions(): KubeletExtensionsValue;
  controllers(): ControllersValue;
  gcResources: readonly Opaque[];
}

export interface HighAvailabilityModule {
  installLeases(apiserver: ApiServerHandle): void;
  leaderElected(
    options: LeaderElectionTuning & { server: string; token?: string; log?: (line: string) => void },
  ): ControlPlaneWrapper;
  startNodeLease(
    options: NodeLeaseTuning & { server: string; token?: string; nodeName: string; log?: (line: string) => void },
  ): Stoppable;
  /** For chapter 12's node lifecycle controller (NodeLifecycleTuning.leaseHeartbeats). */
  nodeLeaseHeartbeats: Opaque;
}

/** Chapter 15: tenancy (service accounts and their tokens, quotas, pod security, the namespace controller). */
export interface TenancyModule {
  loadOrCreateSigningKey(path: string): Promise<Opaque>;
  installTenancy(apiserver: ApiServerHandle, options: { key: Opaque }): Promise<unknown>;
  controllers(options: { rootCA?: string }): ControllersValue;
  kubeletExtensions(): KubeletExtensionsValue;
  ensureKubernetesService(options: { server: string; token?: string; securePort: number }): Promise<unknown>;
}

/** Chapter 14: discovery (the cluster DNS server, pod resolv.conf, Ingress). */
export interface DiscoveryModule {
  DNS_SERVICE: { namespace: string; name: string };
  CLUSTER_DOMAIN: string;
  CONTROLLER_NAME: string;
  withPodDns(options: { dir: string; domain: string; service: { namespace: string; name: string } }): RuntimeWrapper;
  installIngress(apiserver: ApiServerHandle): void;
  startDnsServer(options: {
    server: string;
    token?: string;
    host: string;
    port?: number;
    log?: (line: string) => void;
  }): Promise<{ server: { readonly port: number; readonly host: string }; stop(): Promise<void> }>;
  startIngressController(options: {
    server: string;
    token?: string;
    host?: string;
    port?: number;
    log?: (line: string) => void;
  }): Promise<{ readonly url: string; stop(): Promise<void> }>;
}
