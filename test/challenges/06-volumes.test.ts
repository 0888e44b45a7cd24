/**
 * Chapter 06 challenges (optional): they fail on the reference solution and
 * pass once you build the extension. Run them with
 * `npm run check 06 -- --challenges`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Pod } from "../../shared/api/index.ts";
import { startCluster, type TestCluster } from "../harness/cluster.ts";
import { dockerTest } from "../harness/docker.ts";
import { podHelpers, testPod, type PodHelpers } from "../harness/pods.ts";
import { FAST_KUBELET } from "../harness/tuning.ts";
import { waitFor } from "../harness/wait.ts";

const d = dockerTest();
let cluster: TestCluster;
let pods: PodHelpers;

beforeAll(async () => {
  cluster = await startCluster({ chapter: "06", nodes: 1, kubelet: FAST_KUBELET });
  pods = podHelpers(cluster);
});
afterAll(async () => {
  await cluster?.close();
  await d.cleanup();
});

async function logsOf(name: string, container: string): Promise<string> {
  const res = await fetch(`${cluster.url}/api/v1/namespaces/default/pods/${name}/log?container=${container}`);
  return res.ok ? res.text() : "";
}

describe("06 challenge", () => {
  it("a downwardAPI volume holds the pod's name and labels as files", async () => {
    const pod = testPod(
      "podinfo",
      [{ name: "main", command: ["sh", "-c", "cat /etc/podinfo/name; echo; cat /etc/podinfo/labels; sleep 3600"], volumeMounts: [{ name: "info", mountPath: "/etc/podinfo" }] }],
      {
        volumes: [
          {
            name: "info",
            downwardAPI: {
              items: [
                { path: "name", fieldRef: { fieldPath: "metadata.name" } },
                { path: "labels", fieldRef: { fieldPath: "metadata.labels" } },
              ],
            },
          },
        ],
      },
    );
    pod.metadata!.labels = { app: "web", tier: "front" };
    await pods.create(pod);
    const out = await waitFor("podinfo to print its files", async () => {
      const text = await logsOf("podinfo", "main");
      return text.includes("tier=") ? text : undefined;
    });
    expect(out.split("\n")).toEqual(expect.arrayContaining(["podinfo", 'app="web"', 'tier="front"']));
  });

  it("evicts a pod that writes more than its disk emptyDir's sizeLimit", async () => {
    await pods.create(
      testPod("greedy", [{ name: "main", command: ["sh", "-c", "dd if=/dev/zero of=/scratch/big bs=1M count=4; sleep 3600"], volumeMounts: [{ name: "scratch", mountPath: "/scratch" }] }], {
        volumes: [{ name: "scratch", emptyDir: { sizeLimit: "1Mi" } }],
      }),
    );
    const evicted = await pods.waitFor("greedy", (p: Pod) => p.status?.phase === "Failed", "greedy to be evicted");
    expect(evicted.status?.reason).toBe("Evicted");
  });
});
