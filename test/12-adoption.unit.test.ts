/**
 * Chapter 12, restart recovery in the kubelet: the adoption decision as a
 * pure function, on container summaries shaped like the ones chapter 05's
 * kubelet writes (its labels), without Docker.
 */
import { describe, expect, it } from "vitest";
import {
  containerHash,
  LABEL_CONTAINER_HASH,
  LABEL_CONTAINER_NAME,
  LABEL_POD_UID,
  LABEL_RESTART_COUNT,
  POD_INFRA_CONTAINER,
} from "@tree/05-pods/kubelet/containers.ts";
import { planAdoption } from "@tree/12-self-healing/restart/adoption.ts";
import type { Container, Pod } from "../shared/api/index.ts";
import type { ContainerSummary } from "../shared/runtime/types.ts";

const web: Container = { name: "web", image: "busybox", command: ["httpd", "-f"] };
const sidecar: Container = { name: "log", image: "busybox", command: ["tail", "-f", "/dev/null"] };

function pod(uid: string, containers: Container[]): Pod {
  return { metadata: { name: uid, namespace: "default", uid }, spec: { containers } };
}

function container(id: string, uid: string, name: string, opts: { hash?: string; restarts?: number } = {}): ContainerSummary {
  const labels: Record<string, string> = { [LABEL_POD_UID]: uid, [LABEL_CONTAINER_NAME]: name, [LABEL_RESTART_COUNT]: String(opts.restarts ?? 0) };
  if (name !== POD_INFRA_CONTAINER) labels[LABEL_CONTAINER_HASH] = opts.hash ?? containerHash(name === "web" ? web : sidecar);
  return { id, name: `k8s_${name}_${uid}`, image: "busybox", labels, state: "running" };
}

describe("12.8 adoption after a kubelet restart", () => {
  it("adopts the containers of known pods, keeping their restart counts", () => {
    const pods = new Map([["a", pod("a", [web, sidecar])]]);
    const plan = planAdoption(pods, [container("p1", "a", POD_INFRA_CONTAINER), container("c1", "a", "web", { restarts: 3 }), container("c2", "a", "log")]);
    expect([...plan.adopt.keys()].sort()).toEqual(["c1", "c2", "p1"]);
    expect(plan.adopt.get("c1")).toEqual({ podUid: "a", container: "web", restartCount: 3 });
    expect(plan.adopt.get("p1")?.container).toBe(POD_INFRA_CONTAINER);
    expect(plan.replace).toEqual([]);
    expect(plan.remove).toEqual([]);
  });

  it("removes the containers of a pod deleted while the kubelet was down", () => {
    const pods = new Map([["a", pod("a", [web])]]);
    const plan = planAdoption(pods, [container("p1", "a", POD_INFRA_CONTAINER), container("c1", "a", "web"), container("p2", "gone", POD_INFRA_CONTAINER), container("c2", "gone", "web")]);
    expect([...plan.adopt.keys()].sort()).toEqual(["c1", "p1"]);
    expect(plan.remove.sort()).toEqual(["c2", "p2"]);
  });

  it("replaces a container whose spec changed, and removes one the spec no longer has", () => {
    const pods = new Map([["a", pod("a", [web])]]);
    const plan = planAdoption(pods, [container("p1", "a", POD_INFRA_CONTAINER), container("c1", "a", "web", { hash: "an-old-spec" }), container("c2", "a", "log")]);
    expect(plan.replace).toEqual(["c1"]);
    expect(plan.remove).toEqual(["c2"]);
    expect([...plan.adopt.keys()]).toEqual(["p1"]);
  });

  it("keeps only the newest of two instances of one container", () => {
    const pods = new Map([["a", pod("a", [web])]]);
    // Oldest first: c-old was started before the kubelet died, c-new after a restart of the container.
    const plan = planAdoption(pods, [container("p1", "a", POD_INFRA_CONTAINER), container("c-old", "a", "web", { restarts: 1 }), container("c-new", "a", "web", { restarts: 2 })]);
    expect(plan.adopt.get("c-new")?.restartCount).toBe(2);
    expect(plan.adopt.has("c-old")).toBe(false);
    expect(plan.remove).toEqual(["c-old"]);
  });

  it("puts every container in exactly one list", () => {
    const pods = new Map([["a", pod("a", [web, sidecar])]]);
    const all = [
      container("p0", "a", POD_INFRA_CONTAINER),
      container("p1", "a", POD_INFRA_CONTAINER),
      container("c1", "a", "web", { hash: "x" }),
      container("c2", "a", "log"),
      container("c3", "a", "log"),
      container("c4", "b", "web"),
      container("c5", "a", "other"),
    ];
    const plan = planAdoption(pods, all);
    const ids = [...plan.adopt.keys(), ...plan.replace, ...plan.remove].sort();
    expect(ids).toEqual(all.map((c) => c.id).sort());
  });
});
