/**
 * The kubelet's events: what `kubectl describe pod` lists under "Events".
 *
 *   Normal   Pulled     kubelet  Container image "busybox" already present on machine
 *   Normal   Created    kubelet  Created container: web
 *   Normal   Started    kubelet  Started container web
 *   Normal   Killing    kubelet  Stopping container web
 *   Warning  BackOff    kubelet  Back-off restarting failed container web in pod web-7d4b_default(6f1c...)
 *
 * Each event names the container by its field path (spec.containers{web})
 * and the node it happened on (source.host). A crash loop repeats the same
 * events; chapter 09's EventRecorder counts repeats on one object
 * ("x14 over 3m") instead of writing thousands.
 *
 * Two parts, both given code, so chapter 05's kubelet stays as written:
 *   - a runtime wrapper (like lifecycle-hooks.ts) sees every pull, create,
 *     start and stop the kubelet asks for, and reports it;
 *   - a sync observer (KubeletExtensions.syncObservers) sees why a container
 *     waits after a sync (CrashLoopBackOff, ErrImagePull...): the kubelet
 *     does not call the runtime at all then, so the wrapper cannot see it.
 * Chapter 12's probe manager reports Unhealthy (a failed probe) itself.
 *
 * Kubernetes: pkg/kubelet/events/event.go (the reasons),
 * pkg/kubelet/kuberuntime/kuberuntime_container.go (Created, Started,
 * Killing), pkg/kubelet/images/image_manager.go (Pulling, Pulled),
 * pkg/kubelet/kubelet_pods.go and kuberuntime_manager.go (BackOff).
 */
import type { Pod } from "../../../shared/api/index.ts";
import type { ContainerRuntime, ContainerSpec } from "../../../shared/runtime/types.ts";
import { RestClient } from "../../04-kubectl/client/rest.ts";
import {
  LABEL_CONTAINER_NAME,
  LABEL_NODE,
  LABEL_POD_NAME,
  LABEL_POD_NAMESPACE,
  LABEL_POD_UID,
  POD_INFRA_CONTAINER,
} from "../../05-pods/kubelet/containers.ts";
import type { ProbeHost, SyncObserver } from "../../05-pods/kubelet/extensions.ts";
import type { Waiting } from "../../05-pods/kubelet/status.ts";
import { EventRecorder } from "../../09-scheduler/events.ts";

/** Kubernetes' reasons (pkg/kubelet/events/event.go). */
export const REASONS = {
  pulling: "Pulling",
  pulled: "Pulled",
  created: "Created",
  started: "Started",
  failed: "Failed",
  killing: "Killing",
  backOff: "BackOff",
  errImageNeverPull: "ErrImageNeverPull",
} as const;

/** The field path of a container in its pod, as events name it. */
export function containerFieldPath(container: string): string {
  return `spec.containers{${container}}`;
}

/** A pod as `format.Pod` prints it in kubelet messages: name_namespace(uid). */
function podText(pod: Pod): string {
  const m = pod.metadata ?? {};
  return `${m.name}_${m.namespace}(${m.uid})`;
}

/** Who the event is about, read from the container's labels (undefined: a pause container or not a pod's). */
function targetOf(labels: Record<string, string> | undefined): { pod: Pod; container: string; node?: string } | undefined {
  const container = labels?.[LABEL_CONTAINER_NAME];
  if (!labels || !container || container === POD_INFRA_CONTAINER || !labels[LABEL_POD_NAME]) return undefined;
  return {
    pod: {
      metadata: { name: labels[LABEL_POD_NAME], namespace: labels[LABEL_POD_NAMESPACE], uid: labels[LABEL_POD_UID] },
    } as Pod,
    container,
    node: labels[LABEL_NODE],
  };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(3).replace(/\.?0+$/, "")}s`;
}

/** The runtime, reporting what the kubelet does with it. */
export class EventingRuntime implements ContainerRuntime {
  private readonly events: EventRecorder;
  /** The last ensureImage() per image: pulled or present, and how long it took. The next create() reports it. */
  private readonly pulls = new Map<string, { pulled: boolean; ms: number }>();
  /** Labels of the containers this kubelet created, so start() and stop() need no inspect. */
  private readonly labels = new Map<string, Record<string, string>>();

  constructor(
    private readonly inner: ContainerRuntime,
    options: { server: string; token?: string; log?: (line: string) => void },
  ) {
    const log = options.log ?? (() => {});
    this.events = new EventRecorder(new RestClient({ server: options.server, token: options.token }), "kubelet", (err) =>
      log(`recording a kubelet event: ${err.message}`),
    );
  }

  ping = () => this.inner.ping();
  remove: ContainerRuntime["remove"] = async (id) => {
    this.labels.delete(id);
    await this.inner.remove(id);
  };
  list: ContainerRuntime["list"] = (labels) => this.inner.list(labels);
  inspect: ContainerRuntime["inspect"] = (id) => this.inner.inspect(id);
  logs: ContainerRuntime["logs"] = (id, options) => this.inner.logs(id, options);
  exec: ContainerRuntime["exec"] = (id, command) => this.inner.exec(id, command);

  async ensureImage(image: string, onProgress?: Parameters<ContainerRuntime["ensureImage"]>[1]): Promise<void> {
    const started = Date.now();
    let pulled = false;
    await this.inner.ensureImage(image, (p) => {
      pulled = true;
      onProgress?.(p);
    });
    this.pulls.set(image, { pulled, ms: Date.now() - started });
  }

  async create(spec: ContainerSpec): Promise<string> {
    const target = targetOf(spec.labels);
    if (!target) return this.inner.create(spec);
    // The pull happened just before (the kubelet ensures the image, then creates): report it now, with its pod.
    const pull = this.pulls.get(spec.image);
    this.pulls.delete(spec.image);
    if (pull?.pulled) {
      this.record(target, "Normal", REASONS.pulling, `Pulling image "${spec.image}"`);
      this.record(target, "Normal", REASONS.pulled, `Successfully pulled image "${spec.image}" in ${seconds(pull.ms)}`);
    } else if (pull) this.record(target, "Normal", REASONS.pulled, `Container image "${spec.image}" already present on machine`);
    try {
      const id = await this.inner.create(spec);
      this.labels.set(id, spec.labels ?? {});
      this.record(target, "Normal", REASONS.created, `Created container: ${target.container}`);
      return id;
    } catch (err) {
      this.record(target, "Warning", REASONS.failed, `Error: ${(err as Error).message}`);
      throw err;
    }
  }

  async start(id: string): Promise<void> {
    const target = targetOf(this.labels.get(id) ?? (await this.inner.inspect(id).catch(() => undefined))?.labels);
    try {
      await this.inner.start(id);
    } catch (err) {
      if (target) this.record(target, "Warning", REASONS.failed, `Error: ${(err as Error).message}`);
      throw err;
    }
    if (target) this.record(target, "Normal", REASONS.started, `Started container ${target.container}`);
  }

  async stop(id: string, gracePeriodSeconds: number): Promise<void> {
    const status = await this.inner.inspect(id).catch(() => undefined);
    const target = status?.state === "running" ? targetOf(status.labels) : undefined;
    // Before the stop: the preStop hook and the grace period come after this line in `describe`.
    if (target) this.record(target, "Normal", REASONS.killing, `Stopping container ${target.container}`);
    await this.inner.stop(id, gracePeriodSeconds);
  }

  private record(
    target: { pod: Pod; container: string; node?: string },
    type: "Normal" | "Warning",
    reason: string,
    message: string,
  ): void {
    this.events.event(target.pod, type, reason, message, { fieldPath: containerFieldPath(target.container), host: target.node });
  }

  /** Waits for the events being written (tests). */
  flush(): Promise<void> {
    return this.events.flush();
  }
}

/** Wraps a node's runtime so that its kubelet reports events (shared/cluster's RuntimeWrapper). */
export function withKubeletEvents(
  runtime: ContainerRuntime,
  options: { server: string; token?: string; log?: (line: string) => void },
): ContainerRuntime {
  return new EventingRuntime(runtime, options);
}

/** The event for a container that waits after a sync, in Kubernetes' words (undefined: nothing to report). */
export function waitingEvent(
  pod: Pod,
  container: string,
  waiting: Waiting,
): { type: "Normal" | "Warning"; reason: string; message: string } | undefined {
  const image = pod.spec?.containers.find((c) => c.name === container)?.image ?? "";
  switch (waiting.reason) {
    case "CrashLoopBackOff":
      return {
        type: "Warning",
        reason: REASONS.backOff,
        message: `Back-off restarting failed container ${container} in pod ${podText(pod)}`,
      };
    case "ErrImagePull":
      return { type: "Warning", reason: REASONS.failed, message: `Failed to pull image "${image}": ${waiting.message ?? ""}` };
    case "ErrImageNeverPull":
      return {
        type: "Warning",
        reason: REASONS.errImageNeverPull,
        message: `Container image "${image}" is not present with pull policy of Never`,
      };
    case "CreateContainerConfigError":
    case "CreateContainerError":
    case "RunContainerError":
      return { type: "Warning", reason: REASONS.failed, message: `Error: ${waiting.message ?? waiting.reason}` };
    default:
      return undefined;
  }
}

/** Reports, after each sync, why containers wait (chapter 05's KubeletExtensions.syncObservers). */
export function kubeletEventsObserver(host: ProbeHost): SyncObserver {
  const events = new EventRecorder(host.client, "kubelet", (err) => host.log(`recording a kubelet event: ${err.message}`));
  return {
    podSynced(pod, waiting) {
      for (const [container, why] of waiting) {
        const e = waitingEvent(pod, container, why);
        if (e) events.event(pod, e.type, e.reason, e.message, { fieldPath: containerFieldPath(container), host: host.nodeName });
      }
    },
    stop: () => events.flush(),
  };
}
