/**
 * Chapter 03, step 03.4 on its own: the status strategy, called directly.
 * Every update reaches it through finishUpdate() (step 03.5), so the HTTP
 * tests of the split ("03.5 status > ..." in 03-apiserver.test.ts) need step
 * 03.5 too. These are what a learner sees pass after 03.4.
 */
import { beforeAll, expect, it } from "vitest";
import { registerCoreResources } from "@tree/03-apiserver/registry/core/index.ts";
import { ResourceRegistry } from "@tree/03-apiserver/registry/registry.ts";
import type { ApiObject, ResourceDefinition } from "@tree/03-apiserver/registry/types.ts";
import { applyStatusStrategy } from "@tree/03-apiserver/rest/status-strategy.ts";

let pods: ResourceDefinition;
let events: ResourceDefinition;

beforeAll(() => {
  const registry = new ResourceRegistry();
  registerCoreResources(registry);
  pods = registry.lookup("", "v1", "pods")!;
  events = registry.lookup("", "v1", "events")!;
});

type Pod = ApiObject & {
  metadata: { name: string; namespace: string; resourceVersion: string; labels: Record<string, string> };
  spec: { containers: { name: string; image: string }[]; nodeName?: string };
  status?: Record<string, unknown>;
};

/** A pod as the store has it, at resourceVersion 7. */
function storedPod(): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web", namespace: "default", resourceVersion: "7", labels: { app: "web" } },
    spec: { containers: [{ name: "main", image: "busybox:1.36" }] },
    status: { phase: "Pending", qosClass: "BestEffort" },
  };
}

/** Calls the strategy, and checks that it left the stored object as it was (the update path compares with it). */
function strategy(resource: ResourceDefinition, subresource: string, incoming: ApiObject, current: ApiObject): ApiObject {
  const before = structuredClone(current);
  const next = applyStatusStrategy(resource, subresource, incoming, current);
  expect(current, `applyStatusStrategy(${subresource || "the object itself"}) changed the stored object it was given`).toEqual(
    before,
  );
  return next;
}

it("03.4 status strategy > a write through /status changes only status", () => {
  const current = storedPod();
  // The kubelet reports status from its own copy, which also (wrongly) has another image and labels.
  const incoming = storedPod();
  incoming.status = { phase: "Running", podIP: "10.0.0.7" };
  incoming.spec.containers[0]!.image = "evil:1";
  incoming.metadata.labels = { hacked: "yes" };

  const next = strategy(pods, "status", incoming, current) as Pod;
  expect(next.status, "a write through /status: the status comes from the body").toEqual({ phase: "Running", podIP: "10.0.0.7" });
  expect(next.spec.containers[0]!.image, "a write through /status: the image stays as stored").toBe("busybox:1.36");
  expect(next.spec, "a write through /status: the spec stays as stored").toEqual(storedPod().spec);
  expect(next.metadata.labels, "a write through /status: the labels stay as stored").toEqual({ app: "web" });
});

it("03.4 status strategy > a write to the object itself keeps the stored status", () => {
  const current = storedPod();
  // A user changes the image from an old copy, whose status says Failed.
  const incoming = storedPod();
  incoming.spec.containers[0]!.image = "busybox:1.37";
  incoming.metadata.labels = { app: "web", tier: "front" };
  incoming.status = { phase: "Failed" };

  const next = strategy(pods, "", incoming, current) as Pod;
  expect(next.spec.containers[0]!.image, "a write to the pod: the spec comes from the body").toBe("busybox:1.37");
  expect(next.metadata.labels, "a write to the pod: the labels come from the body").toEqual({ app: "web", tier: "front" });
  expect(next.status, "a write to the pod: the status stays as stored").toEqual(storedPod().status);

  // A status the store does not have cannot be added through the object either.
  const bare = storedPod();
  delete bare.status;
  const forged = storedPod();
  forged.status = { phase: "Running" };
  expect(strategy(pods, "", forged, bare).status, "a write to a pod stored without status").toBeUndefined();
});

it("03.4 status strategy > kinds without the split, and other subresources, store the body as it is", () => {
  // Events have no status subresource: a write to them stores what it sends.
  const event: ApiObject = {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: "web.1", namespace: "default", resourceVersion: "3" },
    reason: "Scheduled",
  };
  const changed = { ...structuredClone(event), reason: "Pulled", status: { note: "kept" } };
  expect(strategy(events, "", changed, event), "a write to an event (no status subresource)").toEqual(changed);

  // Other subresources (binding, scale) have their own rules: the strategy takes the body as it is.
  const bound = storedPod();
  bound.spec.nodeName = "node-a";
  bound.status = { phase: "Pending", message: "bound" };
  expect(strategy(pods, "binding", bound, storedPod()), "a write through /binding").toEqual(bound);
});
