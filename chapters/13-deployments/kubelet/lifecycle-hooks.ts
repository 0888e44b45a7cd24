/**
 * Lifecycle hooks: postStart and preStop.
 *
 * A rollout deletes old pods while a Service still sends them traffic. The
 * pod gets a deletionTimestamp; the endpoints controller drops its IP; the
 * proxy learns that a moment later. If the container stopped at once, the
 * requests of that moment would fail. A preStop hook (often `sleep 5`)
 * keeps the container serving while the rest of the cluster catches up:
 *
 *   DELETE pod ──> deletionTimestamp ──> endpoints controller drops the IP ──> proxy
 *        │
 *        └──> kubelet: preStop hook ──> SIGTERM ──> (rest of the grace period) ──> SIGKILL
 *
 * The hook's time counts against terminationGracePeriodSeconds. A hook that
 * fails is reported as an event (FailedPreStopHook) and the stop goes on. A
 * postStart hook runs right after the container starts; when it fails
 * (FailedPostStartHook), the container is killed and restarted by its
 * restart policy.
 *
 * In Kubernetes this code lives in the kubelet's killContainer and
 * startContainer (pkg/kubelet/kuberuntime/kuberuntime_container.go). Here it
 * wraps the container runtime, so chapter 05's kubelet stays as you wrote
 * it: every runtime.start() and runtime.stop() of an app container passes
 * through this file.
 */
import { randomUUID } from "node:crypto";
import type { Container, LifecycleHandler, Pod } from "../../../shared/api/index.ts";
import { timestamp } from "../../../shared/api/index.ts";
import type { ContainerRuntime, ContainerStatus } from "../../../shared/runtime/types.ts";
import { RestClient } from "../../04-kubectl/client/rest.ts";
import { LABEL_CONTAINER_NAME, LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_POD_UID, POD_INFRA_CONTAINER } from "../../05-pods/kubelet/containers.ts";
import { runProbe } from "../../12-self-healing/probes/prober.ts";

export interface LifecycleOptions {
  server: string;
  token?: string;
  log?: (line: string) => void;
}

/** A hook may overrun the grace period; then the container still gets this long after SIGTERM, as in Kubernetes. */
const MIN_AFTER_HOOK_SECONDS = 2;

/** Runs one handler against a running container: the same exec and httpGet as chapter 12's probes. */
export async function runHook(runtime: ContainerRuntime, handler: LifecycleHandler, container: Container, containerId: string, podIP: string | undefined, timeoutSeconds: number): Promise<string | undefined> {
  const outcome = await runProbe({ ...handler, timeoutSeconds: Math.max(1, Math.ceil(timeoutSeconds)) }, { runtime, containerId, container, podIP });
  return outcome.result === "success" ? undefined : (outcome.message ?? "the hook failed");
}

export class LifecycleRuntime implements ContainerRuntime {
  private readonly client: RestClient;
  private readonly log: (line: string) => void;

  constructor(
    private readonly inner: ContainerRuntime,
    options: LifecycleOptions,
  ) {
    this.client = new RestClient({ server: options.server, token: options.token });
    this.log = options.log ?? (() => {});
  }

  ping = () => this.inner.ping();
  ensureImage: ContainerRuntime["ensureImage"] = (image, onProgress) => this.inner.ensureImage(image, onProgress);
  create: ContainerRuntime["create"] = (spec) => this.inner.create(spec);
  remove: ContainerRuntime["remove"] = (id) => this.inner.remove(id);
  list: ContainerRuntime["list"] = (labels) => this.inner.list(labels);
  inspect: ContainerRuntime["inspect"] = (id) => this.inner.inspect(id);
  logs: ContainerRuntime["logs"] = (id, options) => this.inner.logs(id, options);
  exec: ContainerRuntime["exec"] = (id, command) => this.inner.exec(id, command);

  async start(id: string): Promise<void> {
    await this.inner.start(id);
    const target = await this.target(id);
    const handler = target?.container.lifecycle?.postStart;
    if (!target || !handler) return;
    const failure = await runHook(this.inner, handler, target.container, id, await this.podIP(target), 30);
    if (failure === undefined) return;
    await this.event(target.pod, "FailedPostStartHook", `PostStartHook failed: ${failure}`);
    // As in Kubernetes: the container is killed, and its restart policy decides what comes next.
    await this.inner.stop(id, 0);
  }

  async stop(id: string, gracePeriodSeconds: number): Promise<void> {
    const target = gracePeriodSeconds > 0 ? await this.target(id) : undefined;
    const handler = target?.container.lifecycle?.preStop;
    if (!target || !handler || target.status.state !== "running") return this.inner.stop(id, gracePeriodSeconds);
    const started = Date.now();
    const failure = await runHook(this.inner, handler, target.container, id, await this.podIP(target), gracePeriodSeconds);
    if (failure !== undefined) await this.event(target.pod, "FailedPreStopHook", `PreStopHook failed: ${failure}`);
    const left = gracePeriodSeconds - (Date.now() - started) / 1000;
    this.log(`pod ${target.pod.metadata?.namespace}/${target.pod.metadata?.name}: preStop of ${target.container.name} done, SIGTERM with ${Math.max(left, MIN_AFTER_HOOK_SECONDS).toFixed(1)}s left`);
    await this.inner.stop(id, Math.max(Math.ceil(left), MIN_AFTER_HOOK_SECONDS));
  }

  /** The pod and container spec of an app container (none for a pause container or a pod that is gone). */
  private async target(id: string): Promise<{ pod: Pod; container: Container; status: ContainerStatus } | undefined> {
    const status = await this.inner.inspect(id).catch(() => undefined);
    const labels = status?.labels ?? {};
    const name = labels[LABEL_CONTAINER_NAME];
    if (!status || !name || name === POD_INFRA_CONTAINER || !labels[LABEL_POD_NAME]) return undefined;
    const pod = await this.client.request<Pod>("GET", `/api/v1/namespaces/${labels[LABEL_POD_NAMESPACE]}/pods/${labels[LABEL_POD_NAME]}`).catch(() => undefined);
    if (!pod || pod.metadata?.uid !== labels[LABEL_POD_UID]) return undefined;
    const container = pod.spec?.containers.find((c) => c.name === name);
    return container ? { pod, container, status } : undefined;
  }

  /** The pod's IP: from its status, else from its pause container (right after start the status may not say it yet). */
  private async podIP(target: { pod: Pod; status: ContainerStatus }): Promise<string | undefined> {
    if (target.pod.status?.podIP) return target.pod.status.podIP;
    const sandboxes = await this.inner.list({ [LABEL_POD_UID]: target.pod.metadata?.uid ?? "", [LABEL_CONTAINER_NAME]: POD_INFRA_CONTAINER });
    for (const s of sandboxes) {
      const ip = (await this.inner.inspect(s.id).catch(() => undefined))?.ip;
      if (ip) return ip;
    }
    return undefined;
  }

  /** A Warning event about the pod, as `kubectl describe pod` shows it. */
  private async event(pod: Pod, reason: string, message: string): Promise<void> {
    const meta = pod.metadata ?? {};
    this.log(`pod ${meta.namespace}/${meta.name}: ${reason}: ${message}`);
    const now = timestamp();
    await this.client
      .request("POST", `/api/v1/namespaces/${meta.namespace}/events`, {
        body: {
          apiVersion: "v1",
          kind: "Event",
          metadata: { name: `${meta.name}.${randomUUID().slice(0, 8)}`, namespace: meta.namespace },
          involvedObject: { kind: "Pod", apiVersion: "v1", name: meta.name, namespace: meta.namespace, uid: meta.uid },
          reason,
          message,
          type: "Warning",
          source: { component: "kubelet" },
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      })
      .catch(() => {});
  }
}

/** Wraps a node's runtime so that its kubelet runs lifecycle hooks. */
export function withLifecycleHooks(runtime: ContainerRuntime, options: LifecycleOptions): ContainerRuntime {
  return new LifecycleRuntime(runtime, options);
}
