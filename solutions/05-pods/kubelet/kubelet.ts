/**
 * The kubelet: the agent on every node that turns pods into containers.
 *
 *             apiserver
 *   watch pods  |   ^  PUT pods/NAME/status, PUT nodes/NAME/status (heartbeat)
 *   of my node  v   |  DELETE pods/NAME (graceful deletion done)
 *   +----------------------------------------------------------------+
 *   | kubelet (node-1)                                               |
 *   |  informer --> pods by uid --> pod workers (one per pod)        |
 *   |                                  | syncPod: desired vs actual  |
 *   |  PLEG: relist containers every second; a change -> sync the pod|
 *   |  housekeeping: resync all pods, remove orphan containers       |
 *   |  log server on 127.0.0.1:<port>  (the apiserver proxies logs)  |
 *   +----------------------------------------------------------------+
 *                                      | ContainerRuntime (chapter 01)
 *                                      v
 *                       Docker: k8s_POD_web_..., k8s_app_web_... (labelled)
 *
 * Three triggers make a pod sync, and a sync is always the same function:
 * a watch event (the spec changed, the pod was bound here or is being
 * deleted), a change on the engine (PLEG, the "pod lifecycle event
 * generator": a container exited), and a periodic resync (just in case).
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deepEqual, isApiError, type Node, type Pod } from "../../../shared/api/index.ts";
import type { ContainerRuntime } from "../../../shared/runtime/types.ts";
import { bufferedStreams, type StreamingRuntime } from "../../../shared/runtime/streams.ts";
import { TEST_IMAGE } from "../../../shared/test-image.ts";
import { Informer } from "../../04-kubectl/client/informer.ts";
import { NODES, PODS } from "../../04-kubectl/client/resources.ts";
import { RestClient, type ResourceClient } from "../../04-kubectl/client/rest.ts";
import { LABEL_CONTAINER_NAME, LABEL_POD_UID, nodeLabels, restartCountOf, type ContainerContext } from "./containers.ts";
import { EnvironmentBuilder } from "./env.ts";
import { noProbes, type KubeletExtensions, type ProbeManager, type SyncObserver } from "./extensions.ts";
import { startLogServer, type ContainerLookup, type LogServer } from "./log-server.ts";
import { streamingHandler } from "./streaming-server.ts";
import { heartbeat, registerNode, type NodeFacts } from "./node-status.ts";
import { PodWorkers } from "./pod-workers.ts";
import { BackOff, type BackOffOptions } from "./restart-policy.ts";
import { generatePodStatus, statusChanged } from "./status.ts";
import { killPod, podRef, syncPod, type SyncContext, type SyncResult } from "./sync-pod.ts";
import { VolumeManager } from "./volumes.ts";

export interface KubeletOptions {
  nodeName: string;
  /** The apiserver, e.g. http://127.0.0.1:6443. */
  server: string;
  /** A bearer token for the apiserver (chapter 11). */
  token?: string;
  runtime: ContainerRuntime;
  /** The prefix of container IDs in pod status. Default "docker". */
  runtimeName?: string;
  /** The Docker network the pods get their addresses on. Default "bridge". */
  network?: string;
  /** Labels put on every container this kubelet creates (and used to find them again). */
  labels?: Record<string, string>;
  /** Where pods' volumes live on the host. Default: <tmp>/k8s-workshop-kubelet/<node name>. */
  rootDir?: string;
  /** The node's address, where the apiserver reaches the log server. Default 127.0.0.1. */
  address?: string;
  capacity?: Partial<NodeFacts["capacity"]>;
  nodeLabels?: Record<string, string>;
  /** How often the Node's status is refreshed. Default 10 s. */
  heartbeatIntervalMs?: number;
  /** How often the containers are listed to notice changes (PLEG). Default 1 s. */
  relistIntervalMs?: number;
  /** How often every pod is synced anyway, and orphans removed. Default 10 s. */
  resyncIntervalMs?: number;
  /** Restart back-off. Default 10 s doubling up to 300 s, as in Kubernetes. */
  backOff?: Partial<BackOffOptions>;
  /** The pause container. Default: busybox sleeping, exiting on SIGTERM. */
  pauseImage?: string;
  pauseCommand?: string[];
  /** What later chapters add: volume plugins, env sources, probes... (extensions.ts). Default: none. */
  extensions?: KubeletExtensions;
  /** Where the kubelet reports what it does and what went wrong. Default: nowhere. */
  log?: (message: string) => void;
  /** Live exec and attach sessions. Default: bufferedStreams(runtime) (no stdin, output at the end). */
  streams?: StreamingRuntime;
  /** When set, the kubelet's server answers only requests with this bearer token (the apiserver's). */
  serverToken?: string;
}

/** busybox as the pause container: a shell that sleeps until it is told to stop. */
export const DEFAULT_PAUSE_COMMAND = ["sh", "-c", "trap 'exit 0' TERM INT; while true; do sleep 3600 & wait $!; done"];

export class Kubelet {
  readonly nodeName: string;
  private readonly client: RestClient;
  private readonly nodes: ResourceClient<Node>;
  private readonly pods = new Map<string, Pod>();
  /**
   * The status last written per pod: the base of the next one (the watch may
   * lag behind), and the resourceVersion of the pod it was computed from.
   */
  private readonly written = new Map<string, { status: Pod["status"]; from: string | undefined }>();
  private readonly ctx: SyncContext;
  private readonly workers: PodWorkers;
  private readonly probes: ProbeManager;
  private readonly observers: SyncObserver[];
  private informer: Informer<Pod> | undefined;
  private logServer: LogServer | undefined;
  private facts: NodeFacts | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  /** Container id -> state at the last relist (PLEG). */
  private lastSeen = new Map<string, { state: string; uid: string }>();
  private stopped = false;
  private ready = false;
  /** The last error of a sync or a background task (tests show it when a pod never gets where they wait for it). */
  lastError: Error | undefined;

  constructor(readonly options: KubeletOptions) {
    this.nodeName = options.nodeName;
    this.client = new RestClient({ server: options.server, token: options.token });
    this.nodes = this.client.resource<Node>(NODES);
    const containers: ContainerContext = {
      nodeName: options.nodeName,
      labels: options.labels ?? {},
      network: options.network ?? "bridge",
      pauseImage: options.pauseImage ?? TEST_IMAGE,
      pauseCommand: options.pauseCommand ?? DEFAULT_PAUSE_COMMAND,
    };
    const log = options.log ?? (() => {});
    const extensions = options.extensions ?? {};
    const probes = extensions.probes ?? noProbes;
    const host = {
      nodeName: options.nodeName,
      runtime: options.runtime,
      client: this.client,
      log: (m: string) => log(`kubelet ${options.nodeName}: ${m}`),
      podIP: (uid: string) => this.written.get(uid)?.status?.podIP,
    };
    this.probes = typeof probes === "function" ? probes(host) : probes;
    this.observers = (extensions.syncObservers ?? []).map((make) => make(host));
    this.ctx = {
      runtime: options.runtime,
      containers,
      volumes: new VolumeManager(
        extensions.volumePlugins ?? [],
        options.rootDir ?? join(tmpdir(), "k8s-workshop-kubelet", options.nodeName),
        options.nodeName,
        this.client,
      ),
      env: new EnvironmentBuilder(extensions.envSources, extensions.envVarResolvers),
      backOff: new BackOff({ initialMs: options.backOff?.initialMs ?? 10_000, maxMs: options.backOff?.maxMs ?? 300_000 }),
      client: this.client,
      imagesPresent: new Set(),
      requeueAfter: (uid, ms) => this.workers.enqueueAfter(uid, ms),
      log: (m) => log(`kubelet ${options.nodeName}: ${m}`),
    };
    this.workers = new PodWorkers(
      (uid) => this.syncOne(uid),
      (uid, err) => {
        this.lastError = err as Error;
        this.ctx.log(`sync of pod ${uid} failed: ${(err as Error).message}`);
        this.workers.enqueueAfter(uid, 1_000);
      },
    );
  }

  /** The port of the log server (0 before start). */
  get port(): number {
    return this.logServer?.port ?? 0;
  }

  /** True once the node is registered and the pods of the node are known. */
  get isReady(): boolean {
    return this.ready;
  }

  async start(): Promise<void> {
    const o = this.options;
    await o.runtime.ping();
    await this.ctx.volumes.init();
    this.logServer = await startLogServer({
      runtime: o.runtime,
      lookup: (ns, pod, c, previous) => this.findContainer(ns, pod, c, previous),
      token: o.serverToken,
      onUpgrade: streamingHandler({
        streams: o.streams ?? bufferedStreams(o.runtime),
        lookup: (ns, pod, c) => this.findContainer(ns, pod, c, false),
        podIP: async (ns, name) => this.podIP(ns, name),
        log: (m) => this.ctx.log(m),
      }),
    });
    this.facts = {
      nodeName: o.nodeName,
      address: o.address ?? "127.0.0.1",
      kubeletPort: this.logServer.port,
      capacity: { cpu: "4", memory: "8Gi", pods: "110", ...o.capacity },
      containerRuntimeVersion: `${o.runtimeName ?? "docker"}://workshop`,
      labels: o.nodeLabels,
    };
    await registerNode(this.nodes, this.facts);
    this.every(o.heartbeatIntervalMs ?? 10_000, () => this.heartbeat());

    this.informer = new Informer<Pod>(this.client.resource<Pod>(PODS), {
      fieldSelector: o.extensions?.podFieldSelector ? `spec.nodeName=${o.nodeName}` : undefined,
      onError: (err) => this.ctx.log(`watching pods: ${err.message}`),
    })
      .onAdd((pod) => this.podChanged(pod))
      .onUpdate((old, pod) => this.podChanged(pod, old))
      .onDelete((pod) => this.podGone(pod))
      .start();
    await this.informer.waitForSync();
    // Adopt what is already there, remove what belongs to no pod.
    await this.housekeeping();
    this.ready = true;
    this.every(o.relistIntervalMs ?? 1_000, () => this.relist());
    this.every(o.resyncIntervalMs ?? 10_000, () => this.housekeeping());
  }

  /** Stops watching and syncing. The containers keep running (a kubelet restart must not stop pods). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    await this.informer?.stop();
    await this.workers.stop();
    await this.probes.stop();
    await Promise.all(this.observers.map((o) => o.stop()));
    await this.logServer?.close();
  }

  private every(ms: number, task: () => Promise<void>): void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy || this.stopped) return;
      busy = true;
      task()
        .catch((err: Error) => {
          this.lastError = err;
          this.ctx.log(err.message);
        })
        .finally(() => (busy = false));
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }

  private isMine(pod: Pod): boolean {
    return pod.spec?.nodeName === this.nodeName;
  }

  private podChanged(pod: Pod, old?: Pod): void {
    if (!this.isMine(pod)) return;
    const uid = pod.metadata?.uid ?? "";
    this.pods.set(uid, pod);
    // Only the status changed (most often: our own write coming back):
    // nothing to do on the engine. Kubernetes' kubelet "reconciles" such an
    // update without a sync (pkg/kubelet/config/config.go).
    if (old && this.isMine(old) && !differsForSync(old, pod)) return;
    this.workers.enqueue(uid);
  }

  private podGone(pod: Pod): void {
    const uid = pod.metadata?.uid ?? "";
    if (!this.pods.delete(uid)) return;
    this.workers.enqueue(uid);
  }

  /** One sync of one pod: the pod workers call this, never two at once for a pod. */
  private async syncOne(uid: string): Promise<void> {
    if (this.stopped) return;
    const pod = this.pods.get(uid);
    // STEP(05.7): the pod worker's three cases. A uid with no pod (deleted,
    // or an orphan) is killed at once and forgotten: no state of the kubelet
    // may keep it (its worker, its last written status, its probes), or
    // they grow with every pod ever run. A pod being deleted gets its grace
    // period, then its object goes (this.deletePodNow). Any other pod is
    // synced and its status written. Tests: "05.7 kubelet > deletes a pod gracefully ...",
    // and every "05.7 kubelet > ..." test: the first time pods run on Docker.
    //#solution
    if (!pod) {
      await killPod(this.ctx, uid, 0);
      this.workers.forget(uid);
      this.written.delete(uid);
      this.probes.podRemoved(uid);
      return;
    }
    if (pod.metadata?.deletionTimestamp) {
      await killPod(this.ctx, uid, pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30);
      await this.deletePodNow(pod);
      return;
    }
    const result = await syncPod(this.ctx, pod);
    await this.updateStatus(pod, result);
    //#end
  }

  /** The last step of graceful deletion: the containers are gone, remove the object (grace 0, this uid only). */
  private async deletePodNow(pod: Pod): Promise<void> {
    const { name, namespace, uid } = pod.metadata ?? {};
    try {
      await this.client.request("DELETE", this.client.resource<Pod>(PODS).path(namespace, name), {
        body: { apiVersion: "v1", kind: "DeleteOptions", gracePeriodSeconds: 0, preconditions: { uid } },
      });
      this.ctx.log(`pod ${podRef(pod)}: containers stopped, pod deleted`);
    } catch (err) {
      // Already gone, or a new pod of the same name (another uid): nothing to do.
      if (!isApiError(err, "NotFound") && !isApiError(err, "Conflict")) throw err;
    }
  }

  /**
   * Computes the pod's status from what the sync saw and did, and writes it
   * at once if it changed: a pod is Running as soon as its containers run
   * (Kubernetes' status manager), not at the next look at the engine.
   */
  private async updateStatus(pod: Pod, { waiting, observed }: SyncResult): Promise<void> {
    const uid = pod.metadata?.uid ?? "";
    // What this sync saw (and started) is no news for the PLEG: its next
    // relist wakes the pod only if a container changed after that.
    for (const c of [...(observed?.sandboxes ?? []), ...[...(observed?.containers.values() ?? [])].flat()]) {
      this.lastSeen.set(c.id, { state: c.state, uid });
    }
    const last = this.written.get(uid);
    const base: Pod = { ...pod, status: last?.status ?? pod.status };
    const running = new Map(
      [...(observed?.containers ?? new Map())].flatMap(([name, list]) => (list[0]?.state === "running" ? [[name, list[0]]] : [])),
    );
    this.probes.podSynced(pod, running, () => this.workers.enqueue(uid));
    for (const o of this.observers) o.podSynced(pod, waiting);
    const status = generatePodStatus({
      pod: base,
      observed,
      waiting,
      hostIP: this.facts?.address ?? "127.0.0.1",
      runtimeName: this.options.runtimeName ?? "docker",
      isReady: (name, c) => this.probes.isReady(pod, name, c),
    });
    // Compare with the API's copy too (someone else may have written the
    // status), unless that copy is the one our last write replaced.
    const stale = last !== undefined && last.from === pod.metadata?.resourceVersion;
    if (!statusChanged(base, status) && (stale || !statusChanged(pod, status))) return;
    try {
      // The status subresource: only .status is taken from this body.
      const written = await this.client.resource<Pod>(PODS).updateStatus({
        ...pod,
        metadata: { ...pod.metadata, resourceVersion: undefined },
        status,
      });
      this.written.set(uid, { status: written.status, from: pod.metadata?.resourceVersion });
      // Finished: the sandbox goes too (the next sync sees the terminal phase).
      if (status.phase === "Succeeded" || status.phase === "Failed") this.workers.enqueue(uid);
    } catch (err) {
      if (!isApiError(err, "NotFound")) throw err;
    }
  }

  /** PLEG: list this node's containers; a pod whose containers changed is synced. */
  private async relist(): Promise<void> {
    const now = new Map<string, { state: string; uid: string }>();
    for (const c of await this.options.runtime.list(nodeLabels(this.ctx.containers))) {
      now.set(c.id, { state: c.state, uid: c.labels[LABEL_POD_UID] ?? "" });
    }
    const changed = new Set<string>();
    for (const [id, seen] of now) if (this.lastSeen.get(id)?.state !== seen.state) changed.add(seen.uid);
    for (const [id, seen] of this.lastSeen) if (!now.has(id)) changed.add(seen.uid);
    this.lastSeen = now;
    for (const uid of changed) if (uid && this.pods.has(uid)) this.workers.enqueue(uid);
  }

  /**
   * Every pod is synced again; containers and volumes of pods this node does
   * not run (deleted while the kubelet was down, or never its own) are removed.
   */
  private async housekeeping(): Promise<void> {
    // Given: adoption needs no code of its own. Containers carry their pod's
    // uid, so a known pod's sync finds them; an unknown uid goes to its worker,
    // which removes it. Chapter 12 teaches this as restart recovery.
    for (const uid of this.pods.keys()) this.workers.enqueue(uid);
    const orphans = new Set<string>();
    for (const c of await this.options.runtime.list(nodeLabels(this.ctx.containers))) {
      const uid = c.labels[LABEL_POD_UID];
      if (uid && !this.pods.has(uid)) orphans.add(uid);
    }
    for (const uid of orphans) {
      this.ctx.log(`removing the containers of pod ${uid}, which this node does not run`);
      this.workers.enqueue(uid);
    }
    for (const uid of await this.ctx.volumes.podsOnDisk()) {
      if (!this.pods.has(uid) && !orphans.has(uid)) await this.ctx.volumes.tearDownPod(uid);
    }
  }

  private async heartbeat(): Promise<void> {
    if (!this.facts) return;
    try {
      await heartbeat(this.nodes, this.facts);
    } catch (err) {
      // Someone deleted our Node: register again.
      if (!isApiError(err, "NotFound")) throw err;
      await registerNode(this.nodes, this.facts);
    }
  }

  /** For the log server: the container instance of a pod on this node, with Kubernetes' error messages. */
  /** The IP of a pod of this node, for port-forward. */
  private podIP(namespace: string, name: string): { ok: true; ip: string } | { ok: false; code: number; message: string } {
    const pod = [...this.pods.values()].find((p) => p.metadata?.namespace === namespace && p.metadata?.name === name);
    if (!pod)
      return {
        ok: false,
        code: 404,
        message: `pod "${name}" in namespace "${namespace}" is not running on node ${this.nodeName}`,
      };
    const ip = this.written.get(pod.metadata?.uid ?? "")?.status?.podIP ?? pod.status?.podIP;
    if (!ip) return { ok: false, code: 400, message: `pod ${name} has no IP address yet: wait until it runs` };
    return { ok: true, ip };
  }

  private async findContainer(namespace: string, name: string, container: string, previous: boolean): Promise<ContainerLookup> {
    const pod = [...this.pods.values()].find((p) => p.metadata?.namespace === namespace && p.metadata?.name === name);
    if (!pod)
      return {
        ok: false,
        code: 404,
        message: `pod "${name}" in namespace "${namespace}" is not running on node ${this.nodeName}`,
      };
    const known = (pod.spec?.containers ?? []).map((c) => c.name);
    if (!known.includes(container))
      return { ok: false, code: 400, message: `container ${container} is not valid for pod ${name}` };
    const instances = await this.options.runtime.list({
      ...nodeLabels(this.ctx.containers),
      [LABEL_POD_UID]: pod.metadata?.uid ?? "",
      [LABEL_CONTAINER_NAME]: container,
    });
    instances.sort((a, b) => restartCountOf(b) - restartCountOf(a));
    const wanted = instances[previous ? 1 : 0];
    if (!wanted) {
      return previous
        ? { ok: false, code: 400, message: `previous terminated container "${container}" in pod "${name}" not found` }
        : { ok: false, code: 400, message: `container "${container}" in pod "${name}" is waiting to start: ContainerCreating` };
    }
    return { ok: true, id: wanted.id };
  }
}

/**
 * True when a pod update asks something of the kubelet: a new spec, labels
 * or annotations (read by volumes and env), or a deletion. Kubernetes calls
 * this podsDifferSemantically.
 */
function differsForSync(old: Pod, pod: Pod): boolean {
  const a = old.metadata ?? {};
  const b = pod.metadata ?? {};
  return (
    !deepEqual(old.spec, pod.spec) ||
    !deepEqual(a.labels, b.labels) ||
    !deepEqual(a.annotations, b.annotations) ||
    a.deletionTimestamp !== b.deletionTimestamp ||
    a.deletionGracePeriodSeconds !== b.deletionGracePeriodSeconds
  );
}

/** Creates a kubelet and starts it: registered, watching, syncing. */
export async function startKubelet(options: KubeletOptions): Promise<Kubelet> {
  const kubelet = new Kubelet(options);
  try {
    await kubelet.start();
  } catch (err) {
    await kubelet.stop().catch(() => {});
    throw err;
  }
  return kubelet;
}
