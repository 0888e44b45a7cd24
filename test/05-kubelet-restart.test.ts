/**
 * Chapter 05: a kubelet that restarts adopts the containers it already has
 * (same container ids, no duplicates) and removes the containers of pods
 * that were deleted while it was down (orphans).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Pod } from "../shared/api/index.ts";
import { startCluster, type TestCluster } from "./harness/cluster.ts";
import { dockerTest } from "./harness/docker.ts";
import { podHelpers, testPod, type PodHelpers } from "./harness/pods.ts";
import { waitFor } from "./harness/wait.ts";

const d = dockerTest();
let cluster: TestCluster;
let pods: PodHelpers;

const running = (p: Pod) => p.status?.phase === "Running" && p.status.containerStatuses?.every((s) => s.ready) === true;

beforeAll(async () => {
  if (!d.available) return;
  cluster = await startCluster({ chapter: "05", nodes: 1, kubelet: { relistIntervalMs: 300, resyncIntervalMs: 1_000 } });
  pods = podHelpers(cluster);
});
afterAll(async () => {
  await cluster?.close();
  await d.cleanup();
});

describe.skipIf(!d.available)("05 chapter > a restarted kubelet", () => {
  it("adopts its running containers and removes the orphans of pods deleted while it was down", async () => {
    await pods.create(testPod("keeper", [{ name: "main", command: ["sleep", "3600"] }]));
    await pods.create(testPod("goner", [{ name: "main", command: ["sleep", "3600"] }]));
    const keeper = await pods.waitFor("keeper", running, "keeper to run");
    const goner = await pods.waitFor("goner", running, "goner to run");
    const before = (await pods.containers(keeper)).map((c) => c.Id).sort();
    expect(before).toHaveLength(2);
    expect(await pods.containers(goner)).toHaveLength(2);

    await cluster.stopNode("node-1");
    // While the kubelet is down: goner is removed from the API at once (grace period 0),
    // so no kubelet ever finishes it: its containers are orphans.
    expect(await pods.delete("goner", "default", "?gracePeriodSeconds=0")).toBe(200);
    expect(await pods.get("goner")).toBeUndefined();
    expect(await pods.containers(goner)).toHaveLength(2);

    const kubelet = await cluster.startNode("node-1");
    await waitFor("the orphans of goner to be removed", async () => (await pods.containers(goner)).length === 0);
    // keeper: the very same containers, still running, none added.
    const after = await pods.containers(keeper);
    expect(after.map((c) => c.Id).sort()).toEqual(before);
    expect(after.every((c) => c.State === "running")).toBe(true);
    const status = await pods.waitFor("keeper", running, "keeper to be reported Running");
    expect(status.status?.containerStatuses?.[0]?.restartCount).toBe(0);
    expect(kubelet.isReady).toBe(true);
  });
});
