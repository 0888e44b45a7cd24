/**
 * Chapter 05 challenges (optional): they fail on the reference solution and
 * pass once you build the extension. Run them with
 * `npm run check 05 -- --challenges`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Pod } from "../../shared/api/index.ts";
import { startCluster, type TestCluster } from "../harness/cluster.ts";
import { dockerTest } from "../harness/docker.ts";
import { podHelpers, testPod, type PodHelpers } from "../harness/pods.ts";
import { FAST_KUBELET } from "../harness/tuning.ts";

const d = dockerTest();
let cluster: TestCluster;
let pods: PodHelpers;

beforeAll(async () => {
  cluster = await startCluster({ chapter: "05", nodes: 1, kubelet: FAST_KUBELET });
  pods = podHelpers(cluster);
});
afterAll(async () => {
  await cluster?.close();
  await d.cleanup();
});

describe("05 challenge", () => {
  it("runs init containers one at a time, to the end, before the app container", async () => {
    const pod = testPod("with-init", [{ name: "app", command: ["sleep", "3600"] }], {
      initContainers: [
        { name: "first", image: "busybox:latest", command: ["sh", "-c", "sleep 1"] },
        { name: "second", image: "busybox:latest", command: ["sh", "-c", "exit 0"] },
      ],
    });
    await pods.create(pod);
    const done = await pods.waitFor(
      "with-init",
      (p: Pod) => p.status?.phase === "Running" && (p.status.initContainerStatuses?.length ?? 0) === 2,
      "with-init to run, with two initContainerStatuses",
    );
    const [first, second] = done.status!.initContainerStatuses!;
    expect(first!.state?.terminated?.exitCode).toBe(0);
    expect(second!.state?.terminated?.exitCode).toBe(0);
    // In order: the second started after the first finished, the app after both.
    expect(Date.parse(second!.state!.terminated!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(first!.state!.terminated!.finishedAt!));
    const app = done.status!.containerStatuses![0]!;
    expect(Date.parse(app.state!.running!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(second!.state!.terminated!.finishedAt!));
  });

  it("stops a pod that runs longer than activeDeadlineSeconds: Failed, DeadlineExceeded", async () => {
    await pods.create(testPod("deadline", [{ name: "main", command: ["sleep", "3600"] }], { activeDeadlineSeconds: 2 }));
    const failed = await pods.waitFor("deadline", (p: Pod) => p.status?.phase === "Failed", "deadline to fail");
    expect(failed.status?.reason).toBe("DeadlineExceeded");
  });
});
