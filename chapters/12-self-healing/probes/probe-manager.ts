/**
 * The kubelet's probe manager (chapter 05's ProbeManager extension point).
 *
 *   kubelet syncs a pod --podSynced(pod, running)--> one ProbeWorker per (container, kind)
 *                                                       | result flips
 *             liveness: failure  -> stop the container; the kubelet's next sync
 *                                   restarts it (restart policy, back-off,
 *                                   restartCount + 1, lastState = the killed one)
 *             readiness: changed -> ask for a sync; the status the kubelet then
 *                                   writes has ready: true/false and the pod's
 *                                   Ready condition (isReady() answers)
 *
 * Liveness and readiness ask different questions. Liveness: "is this process
 * stuck for good?" - a restart is the cure. Readiness: "can it take traffic
 * right now?" - it may be warming up or busy; restarting it would only make
 * things worse, so it just leaves the Service's endpoints until it recovers.
 *
 * (The real kubelet kills the container inside its sync loop, which reads
 * the liveness results; here the manager stops it itself and asks for a
 * sync: the same effect, with less plumbing.)
 */
import type { Container, Pod } from "../../../shared/api/index.ts";
import type { ContainerStatus } from "../../../shared/runtime/types.ts";
import type { ProbeHost, ProbeManager, ProbeManagerFactory } from "../../05-pods/kubelet/extensions.ts";
import { EventRecorder } from "../../09-scheduler/events.ts";
import type { ProbeOutcome, ProbeResult } from "./prober.ts";
import { ProbeWorker, type ProbeKind } from "./worker.ts";
import { todo } from "../../../shared/todo.ts";

const KINDS: ProbeKind[] = ["liveness", "readiness"];

function probeOf(container: Container, kind: ProbeKind) {
  return kind === "liveness" ? container.livenessProbe : container.readinessProbe;
}

function podName(pod: Pod): string {
  return `${pod.metadata?.namespace ?? "default"}/${pod.metadata?.name ?? "?"}`;
}

export class KubeletProbeManager implements ProbeManager {
  /** "<pod uid>/<container>/<kind>" -> the worker probing the current instance. */
  private readonly workers = new Map<string, ProbeWorker>();
  /** The newest version of each pod the kubelet showed us (its IP arrives after the first sync). */
  private readonly pods = new Map<string, Pod>();
  private readonly events: EventRecorder;

  constructor(private readonly host: ProbeHost) {
    this.events = new EventRecorder(host.client, "kubelet", (err) => host.log(`recording an event: ${err.message}`));
  }

  podSynced(pod: Pod, running: Map<string, ContainerStatus>, resync: () => void): void {
    const uid = pod.metadata?.uid ?? "";
    this.pods.set(uid, pod);
    const wanted = new Set<string>();
    // TODO(12.3): exactly one worker per (running container instance, probe
    // kind). A restarted container (new id) starts over with a new worker; a
    // stopped one, or a removed probe, leaves none. Tests: "12.3 probe manager > ...".
    todo("12.3");
  }

  podRemoved(uid: string): void {
    this.pods.delete(uid);
    for (const [key, worker] of this.workers) {
      if (key.startsWith(`${uid}/`)) {
        worker.stop();
        this.workers.delete(key);
      }
    }
  }

  isReady(pod: Pod, containerName: string, container: ContainerStatus): boolean {
    // TODO(12.4): ready = running, and (with a readiness probe) the worker of
    // THIS instance says "success". Not ready before the first success.
    todo("12.4");
  }

  async stop(): Promise<void> {
    for (const worker of this.workers.values()) worker.stop();
    this.workers.clear();
    await this.events.flush();
  }

  private startWorker(
    pod: Pod,
    container: Container,
    kind: ProbeKind,
    instance: ContainerStatus,
    resync: () => void,
  ): ProbeWorker {
    const uid = pod.metadata?.uid ?? "";
    return new ProbeWorker({
      kind,
      probe: probeOf(container, kind)!,
      containerId: instance.id,
      startedAt: instance.startedAt,
      target: () => ({
        runtime: this.host.runtime,
        containerId: instance.id,
        container,
        // The kubelet's own last status first: the pod it last showed us may predate its IP.
        podIP: this.host.podIP?.(uid) ?? this.pods.get(uid)?.status?.podIP,
      }),
      onCheck: (outcome) => {
        if (outcome.result === "failure") this.recordFailure(this.pods.get(uid) ?? pod, container, kind, outcome);
      },
      onChange: (result, outcome) =>
        this.resultChanged(this.pods.get(uid) ?? pod, container, kind, instance, result, outcome, resync),
      onError: (err) => this.host.log(`${kind} probe of ${container.name} in pod ${pod.metadata?.name} stopped: ${err.message}`),
    });
  }

  /** Kubernetes' "Unhealthy" event: `kubectl describe pod` shows why. */
  private recordFailure(pod: Pod, container: Container, kind: ProbeKind, outcome: ProbeOutcome): void {
    const what = kind === "liveness" ? "Liveness" : "Readiness";
    this.events.event(pod, "Warning", "Unhealthy", `${what} probe failed: ${outcome.message}`, {
      fieldPath: `spec.containers{${container.name}}`,
      host: this.host.nodeName,
    });
    this.host.log(`pod ${podName(pod)}: container ${container.name}: ${kind} probe failed: ${outcome.message}`);
  }

  private resultChanged(
    pod: Pod,
    container: Container,
    kind: ProbeKind,
    instance: ContainerStatus,
    result: ProbeResult,
    outcome: ProbeOutcome,
    resync: () => void,
  ): void {
    this.host.log(
      `pod ${podName(pod)}: container ${container.name} is ${kind === "readiness" ? (result === "success" ? "ready" : "not ready") : result === "success" ? "alive" : "unhealthy"}`,
    );
    // TODO(12.3): a failed liveness probe ends this instance of the container
    // (event "Killing", grace period from the probe, else the pod, else 30 s).
    // The kubelet's own restart policy and back-off do the rest.
    todo("12.3");
    // TODO(12.4): the kubelet must write the new ready flag.
    todo("12.4");
  }
}

/** The factory the kubelet takes (KubeletOptions.probes): one manager per kubelet. */
export function probeManager(): ProbeManagerFactory {
  return (host) => new KubeletProbeManager(host);
}
