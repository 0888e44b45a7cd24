/**
 * Chapter 09, given code: the scheduler cache's list of nodes
 * (cache/cache.ts). Every cycle reads it; it is sorted again only when a
 * node joins or leaves, not on a node's status update.
 */
import { expect, it } from "vitest";
import { SchedulerCache } from "@tree/09-scheduler/cache/cache.ts";
import type { Node, Pod } from "../shared/api/index.ts";

const node = (name: string, zone = "a"): Node => ({
  apiVersion: "v1",
  kind: "Node",
  metadata: { name, labels: { zone } },
  status: { allocatable: { cpu: "4", memory: "8Gi", pods: "110" } },
});

const names = (cache: SchedulerCache) => cache.nodes().map((n) => n.name);

it("09 chapter > cache: a node's update keeps the sorted node list; a node joining or leaving changes it", () => {
  const cache = new SchedulerCache();
  cache.addNode(node("node-b"));
  cache.addNode(node("node-a"));
  const list = cache.nodes();
  expect(names(cache)).toEqual(["node-a", "node-b"]);

  // A status update: same list, and the NodeInfo sees the new Node object.
  const updated = node("node-a", "b");
  cache.updateNode(updated);
  expect(cache.nodes(), "the node list after an update of a known node").toBe(list);
  expect(cache.nodeInfo("node-a")?.node).toBe(updated);

  cache.addNode(node("node-c"));
  expect(names(cache)).toEqual(["node-a", "node-b", "node-c"]);
  cache.removeNode(node("node-b"));
  expect(names(cache)).toEqual(["node-a", "node-c"]);

  // A pod bound to a node the cache has not seen yet: the node joins the list when it arrives.
  const pod: Pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "default" },
    spec: { nodeName: "node-0", containers: [] },
  };
  cache.addPod(pod);
  expect(names(cache)).toEqual(["node-a", "node-c"]);
  cache.updateNode(node("node-0"));
  expect(names(cache)).toEqual(["node-0", "node-a", "node-c"]);
  expect(cache.nodeInfo("node-0")?.pods.size).toBe(1);
});
