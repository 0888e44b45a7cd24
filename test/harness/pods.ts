/**
 * Helpers for tests that run pods on a cluster with kubelets (chapter 05+).
 *
 *   const pods = podHelpers(cluster);
 *   await pods.create(pod("web", [...]));
 *   const running = await pods.waitFor("web", (p) => p.status?.phase === "Running", "web to run");
 *   const containers = await pods.containers(running);   // on Docker, by the pod's uid label
 */
import type Docker from "dockerode";
import type { Container, Pod } from "../../shared/api/index.ts";
import { connectDocker } from "../../shared/docker.ts";
import type { Cluster } from "../../shared/cluster/index.ts";
import { NotImplementedError } from "../../shared/todo.ts";
import { giveUp, waitFor } from "./wait.ts";

export interface PodHelpers {
  create(pod: Pod, namespace?: string): Promise<Pod>;
  get(name: string, namespace?: string): Promise<Pod | undefined>;
  /** Waits until the pod satisfies `ok`; fails at once when a kubelet hit a todo() of the starter. */
  waitFor(name: string, ok: (pod: Pod) => boolean, what: string, timeoutMs?: number, namespace?: string): Promise<Pod>;
  /** The Docker containers of a pod (running or not), found by its uid label. */
  containers(pod: Pod): Promise<Docker.ContainerInfo[]>;
  delete(name: string, namespace?: string, query?: string): Promise<number>;
}

/** A pod of busybox containers (name, command) with the given restart policy. */
export function testPod(name: string, containers: Array<Partial<Container> & { name: string }>, spec: Partial<Pod["spec"]> = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name },
    spec: { containers: containers.map((c) => ({ image: "busybox:latest", ...c })), ...spec },
  };
}

export function podHelpers(cluster: Cluster): PodHelpers {
  const docker = connectDocker();
  // From chapter 11 on, the apiserver wants a token.
  const auth: Record<string, string> = cluster.adminToken ? { authorization: `Bearer ${cluster.adminToken}` } : {};
  const path = (ns: string, name = "") => `${cluster.url}/api/v1/namespaces/${ns}/pods${name ? `/${name}` : ""}`;
  const get = async (name: string, ns = "default") => {
    const res = await fetch(path(ns, name), { headers: auth });
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`GET pod ${name}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Pod;
  };
  /** "Warning BackOff: Back-off restarting failed container" lines for one pod, oldest first. */
  const eventsOf = async (name: string, ns: string): Promise<string[]> => {
    const res = await fetch(`${cluster.url}/api/v1/namespaces/${ns}/events`, { headers: auth });
    if (!res.ok) return [];
    const list = (await res.json()) as { items?: Array<{ type?: string; reason?: string; message?: string; involvedObject?: { kind?: string; name?: string } }> };
    return (list.items ?? [])
      .filter((e) => e.involvedObject?.kind === "Pod" && e.involvedObject.name === name)
      .slice(-8)
      .map((e) => `${e.type ?? ""} ${e.reason ?? ""}: ${e.message ?? ""}`.trim());
  };
  return {
    async create(pod, ns = "default") {
      const res = await fetch(path(ns), { method: "POST", headers: { "content-type": "application/json", ...auth }, body: JSON.stringify(pod) });
      if (res.status !== 201) throw new Error(`create pod: ${res.status} ${await res.text()}`);
      return (await res.json()) as Pod;
    },
    get,
    async waitFor(name, ok, what, timeoutMs = 30_000, ns = "default") {
      let last: Pod | undefined;
      try {
        return await waitFor(
          what,
          async () => {
            for (const node of cluster.nodes) {
              if (node.lastError instanceof NotImplementedError) throw node.lastError;
            }
            const pod = await get(name, ns);
            last = pod;
            if (pod && ok(pod)) return pod;
            // A pod that ended (Succeeded or Failed) never changes again: waiting longer cannot help.
            const phase = pod?.status?.phase;
            if (phase === "Succeeded" || phase === "Failed") throw giveUp(`pod ${name} ended ${phase}`);
            throw new Error(pod ? "" : "no such pod");
          },
          { timeoutMs, intervalMs: 100 },
        );
      } catch (err) {
        if (err instanceof NotImplementedError || !last) throw err;
        // Expected vs observed, with the pod's own events: the first line says what was awaited and what the pod is.
        const events = await eventsOf(name, ns).catch(() => []);
        const reason = err instanceof Error ? err.message.split(";")[0] : String(err);
        throw new Error(
          `pod ${name}: expected ${what}, observed ${describePod(last)} (${reason})` +
            `\n  events: ${events.length ? events.join("\n          ") : "none"}`,
        );
      }
    },
    async containers(pod) {
      return docker.listContainers({ all: true, filters: { label: [`io.kubernetes.pod.uid=${pod.metadata?.uid}`] } });
    },
    async delete(name, ns = "default", query = "") {
      const res = await fetch(path(ns, name) + query, { method: "DELETE", headers: auth });
      return res.status;
    },
  };
}

/** A pod's status in a line: phase, conditions, and each container's state. */
export function describePod(pod: Pod): string {
  const s = pod.status ?? {};
  const conditions = (s.conditions ?? []).map((c) => `${c.type}=${c.status}${c.reason ? `(${c.reason})` : ""}`).join(" ");
  const containers = (s.containerStatuses ?? []).map((c) => {
    const [state, detail] = Object.entries(c.state ?? {})[0] ?? ["unknown", {}];
    const d = detail as { reason?: string; exitCode?: number };
    const why = d.reason ?? (d.exitCode !== undefined ? `exit ${d.exitCode}` : "");
    return `${c.name} ${state}${why ? ` ${why}` : ""}, restarts ${c.restartCount ?? 0}`;
  });
  return [`phase ${s.phase ?? "(none)"}`, conditions && `conditions ${conditions}`, containers.length ? `containers: ${containers.join("; ")}` : "no container status"]
    .filter(Boolean)
    .join(", ");
}
