/**
 * How the kubelet's pods look on the container engine: names and labels.
 *
 * The kubelet keeps no database of its own. Everything it needs to know about
 * the containers it started is written on the containers themselves, as
 * labels, so that a kubelet that restarts can read it back (and adopt them):
 *
 *   io.kubernetes.pod.uid / .name / .namespace   which pod it belongs to
 *   io.kubernetes.container.name                 which container of the pod ("POD" for the pause container)
 *   io.kubernetes.container.restartCount         how many times that container had been restarted
 *   io.kubernetes.container.hash                 a hash of the container's spec (a changed spec means restart)
 *   k8s-workshop.node                            the node (kubelet) that runs it: several kubelets share one engine
 *
 * A pod is one pause container plus one container per entry of
 * spec.containers. The pause container is created first and owns the pod's
 * network, IPC and UTS (hostname) namespaces; the app containers join them
 * with `container:<pause id>`, so they share one IP, one localhost and one
 * hostname.
 */
import { createHash } from "node:crypto";
import type { Container, Pod } from "../../../shared/api/index.ts";
import type { ContainerSpec, ContainerStatus, ContainerSummary, Mount } from "../../../shared/runtime/types.ts";

export const LABEL_POD_UID = "io.kubernetes.pod.uid";
export const LABEL_POD_NAME = "io.kubernetes.pod.name";
export const LABEL_POD_NAMESPACE = "io.kubernetes.pod.namespace";
export const LABEL_CONTAINER_NAME = "io.kubernetes.container.name";
export const LABEL_RESTART_COUNT = "io.kubernetes.container.restartCount";
export const LABEL_CONTAINER_HASH = "io.kubernetes.container.hash";
export const LABEL_NODE = "k8s-workshop.node";

/** The name the pause container has in LABEL_CONTAINER_NAME (as in Kubernetes' dockershim). */
export const POD_INFRA_CONTAINER = "POD";

/** What a kubelet needs to build container specs. */
export interface ContainerContext {
  nodeName: string;
  /** Put on every container (the cluster's and the test run's labels); also used to find them again. */
  labels: Record<string, string>;
  /** The Docker network the pause containers join ("bridge" by default). */
  network: string;
  /** Image and command of the pause container. */
  pauseImage: string;
  pauseCommand: string[];
}

/** The labels every container of this kubelet carries: how it lists "its" containers. */
export function nodeLabels(ctx: ContainerContext): Record<string, string> {
  return { ...ctx.labels, [LABEL_NODE]: ctx.nodeName };
}

function podLabels(ctx: ContainerContext, pod: Pod): Record<string, string> {
  const meta = pod.metadata ?? {};
  return {
    ...nodeLabels(ctx),
    [LABEL_POD_UID]: meta.uid ?? "",
    [LABEL_POD_NAME]: meta.name ?? "",
    [LABEL_POD_NAMESPACE]: meta.namespace ?? "default",
  };
}

/** k8s_<container>_<pod>_<namespace>_<uid>_<restartCount>: unique on the engine, readable in `docker ps`. */
export function containerName(pod: Pod, container: string, restartCount: number): string {
  const meta = pod.metadata ?? {};
  return `k8s_${container}_${meta.name}_${meta.namespace ?? "default"}_${meta.uid}_${restartCount}`;
}

/** A short hash of what the container runs: a change (a new image) means the container is replaced. */
export function containerHash(container: Container): string {
  const { name, image, command, args, env, ports, resources, workingDir, volumeMounts } = container;
  const text = JSON.stringify({ name, image, command, args, env, ports, resources, workingDir, volumeMounts });
  return createHash("sha256").update(text).digest("hex").slice(0, 12);
}

/** The restart count written on a container, 0 when missing. */
export function restartCountOf(c: ContainerSummary | ContainerStatus): number {
  const n = Number(c.labels[LABEL_RESTART_COUNT] ?? "0");
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

/**
 * The pause ("infra") container of a pod. It does nothing but exist: it holds
 * the namespaces the app containers join, so that an app container can crash
 * and restart without the pod losing its IP address.
 */
export function sandboxSpec(ctx: ContainerContext, pod: Pod, attempt: number): ContainerSpec {
  // STEP(05.2): the container that owns the pod's namespaces (network on
  // ctx.network, a joinable IPC, the pod's hostname). The kubelet must find
  // it again by its labels after a restart, as the pod's "POD" container.
  // `attempt` numbers the pod's sandboxes: 0 for the first, +1 for each
  // new one after a pause container died. It goes in the name (unique on
  // the engine) and in LABEL_RESTART_COUNT: groupByPod() sorts on that
  // label to put the newest sandbox first. Tests: "05.2 sandbox > ..."
  // (test/05-sync.unit.test.ts, no Docker).
  //#solution
  return {
    name: containerName(pod, POD_INFRA_CONTAINER, attempt),
    image: ctx.pauseImage,
    command: ctx.pauseCommand,
    labels: { ...podLabels(ctx, pod), [LABEL_CONTAINER_NAME]: POD_INFRA_CONTAINER, [LABEL_RESTART_COUNT]: String(attempt) },
    hostname: pod.spec?.hostname ?? pod.metadata?.name,
    networkMode: ctx.network,
    ipcMode: "shareable",
  };
  //#end
}

/** What goes into one app container besides its spec: environment, mounts, limits (computed by the kubelet). */
export interface ContainerExtras {
  env: Record<string, string>;
  mounts: Mount[];
  resources: ContainerSpec["resources"];
}

/** An app container of the pod, joined to the pause container's namespaces. */
export function appContainerSpec(
  ctx: ContainerContext,
  pod: Pod,
  container: Container,
  sandboxId: string,
  restartCount: number,
  extras: ContainerExtras,
): ContainerSpec {
  // STEP(05.3): one instance of an app container. It runs what the spec
  // says, with `extras`, inside the pause container's namespaces (PID too
  // only with spec.shareProcessNamespace). Its labels must let a later sync
  // tell its pod, name, restart count and spec hash.
  // Tests: "05.3 app container > ..." (test/05-sync.unit.test.ts, no Docker).
  //#solution
  const join = `container:${sandboxId}` as const;
  const shareProcesses = pod.spec?.shareProcessNamespace === true;
  return {
    name: containerName(pod, container.name, restartCount),
    image: container.image ?? "",
    command: container.command,
    args: container.args,
    workingDir: container.workingDir,
    env: extras.env,
    mounts: extras.mounts,
    resources: extras.resources,
    labels: {
      ...podLabels(ctx, pod),
      [LABEL_CONTAINER_NAME]: container.name,
      [LABEL_RESTART_COUNT]: String(restartCount),
      [LABEL_CONTAINER_HASH]: containerHash(container),
    },
    networkMode: join,
    ipcMode: join,
    pidMode: shareProcesses ? join : undefined,
  };
  //#end
}

/** The containers of one pod on the engine, as the kubelet found them. */
export interface PodContainers {
  uid: string;
  /** Every pause container of the pod (normally one), newest first. */
  sandboxes: ContainerStatus[];
  /** By container name: every instance, newest (highest restart count) first. */
  containers: Map<string, ContainerStatus[]>;
}

/** Groups inspected containers by pod uid. */
export function groupByPod(statuses: ContainerStatus[]): Map<string, PodContainers> {
  const pods = new Map<string, PodContainers>();
  for (const s of statuses) {
    const uid = s.labels[LABEL_POD_UID];
    if (!uid) continue;
    let pod = pods.get(uid);
    if (!pod) pods.set(uid, (pod = { uid, sandboxes: [], containers: new Map() }));
    const name = s.labels[LABEL_CONTAINER_NAME] ?? "";
    if (name === POD_INFRA_CONTAINER) pod.sandboxes.push(s);
    else pod.containers.set(name, [...(pod.containers.get(name) ?? []), s]);
  }
  const newestFirst = (a: ContainerStatus, b: ContainerStatus) =>
    restartCountOf(b) - restartCountOf(a) || b.createdAt.localeCompare(a.createdAt);
  for (const pod of pods.values()) {
    pod.sandboxes.sort(newestFirst);
    for (const list of pod.containers.values()) list.sort(newestFirst);
  }
  return pods;
}
