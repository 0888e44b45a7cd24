/**
 * pod startup latency: pods created through the API on a one-node cluster
 * (the reference cluster up to chapter 09: scheduler and a kubelet on
 * Docker), time from the create request to phase Running seen through a
 * watch; the image is already present. Five pods are in flight at a time:
 * each of five clients creates a pod, waits for it to run, then creates the
 * next.
 *
 * The anchor: the same containers started with raw Docker calls (dockerode),
 * five at a time too: the pause container (the kubelet's image and command),
 * then the app container joined to its network and IPC namespaces, timed to
 * "both running". What the cluster adds on top of that is its own cost:
 * scheduling, the kubelet's sync, status updates, the watch.
 */
import { fileURLToPath } from "node:url";
import type { Pod } from "../../shared/api/index.ts";
import { startClusterFromTree } from "../../shared/cluster/index.ts";
import { ensureTestImage, TEST_IMAGE } from "../../shared/test-image.ts";
import { DEFAULT_PAUSE_COMMAND } from "../../solutions/05-pods/index.ts";
import { onCleanup } from "../lib/cleanup.ts";
import { createNamespaces, PODS, RestClient, Watch } from "../lib/client.ts";
import { BENCH_LABEL, connectDocker, dockerAnswers, removeByLabelOnCleanup } from "../lib/docker.ts";
import { benchPod, runConcurrent } from "../lib/load.ts";
import { latency } from "../lib/stats.ts";
import { ratio, type Figure } from "../lib/types.ts";

const IN_FLIGHT = 5;
const NAMESPACE = "bench-startup";
const SOLUTIONS = fileURLToPath(new URL("../../solutions/", import.meta.url));

export const podStartupFigure: Figure = {
  name: "startup",
  description: "pod startup latency (create -> Running seen by a watch), beside raw docker run of the same containers",
  async run(ctx) {
    const count = ctx.mode === "quick" ? 20 : 50;
    const docker = connectDocker();
    if (!(await dockerAnswers(docker))) return { name: "startup", rows: [], details: {}, skipped: "no Docker engine answers" };
    await ensureTestImage(docker);
    const labels = { [BENCH_LABEL]: ctx.runId };
    removeByLabelOnCleanup(docker, ctx.runId);

    ctx.progress("pod startup: starting a one-node cluster (up to chapter 09) on Docker");
    const cluster = await startClusterFromTree({ tree: SOLUTIONS, upTo: "09", nodes: 1, runtime: "docker", labels });
    onCleanup(`the cluster ${cluster.id}`, () => cluster.close());
    const network = cluster.network ?? "bridge";

    // The anchor first: raw Docker, the same images, commands and namespaces as the kubelet's.
    const raw = await runConcurrent(
      count,
      IN_FLIGHT,
      async (i) => {
        const name = `k8s-workshop-bench-${ctx.runId}-${i}`;
        const pause = await docker.createContainer({
          name: `${name}-pause`,
          Image: TEST_IMAGE,
          Entrypoint: DEFAULT_PAUSE_COMMAND,
          Labels: labels,
          Hostname: `raw-${i}`,
          HostConfig: { NetworkMode: network, IpcMode: "shareable" },
        });
        await pause.start();
        const app = await docker.createContainer({
          name: `${name}-app`,
          Image: TEST_IMAGE,
          Entrypoint: ["sleep", "3600"],
          Labels: labels,
          HostConfig: { NetworkMode: `container:${pause.id}`, IpcMode: `container:${pause.id}` },
        });
        await app.start();
      },
      (n) => ctx.progress(`pod startup: raw docker: ${n}/${count} pause + app running`),
    );
    const rawLatency = latency(raw.latencies);
    ctx.step(`pod startup: raw docker: p50 ${rawLatency.p50.toFixed(0)} ms, p99 ${rawLatency.p99.toFixed(0)} ms`);

    // The cluster: a watch sees each pod reach Running.
    const client = new RestClient({ server: cluster.url });
    const pods = client.resource<Pod>(PODS);
    await createNamespaces(client, [NAMESPACE]);
    const running = new Map<string, () => void>();
    const list = await pods.list(NAMESPACE);
    const watch = new Watch<Pod>(pods, {
      namespace: NAMESPACE,
      resourceVersion: list.metadata?.resourceVersion,
      onEvent: ({ object }) => {
        if (object.status?.phase === "Running") running.get(object.metadata?.name ?? "")?.();
      },
    });
    onCleanup("the pod watch", () => watch.stop());
    const viaApi = await runConcurrent(
      count,
      IN_FLIGHT,
      async (i) => {
        const name = `startup-${i}`;
        const seen = new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`pod ${NAMESPACE}/${name} was not Running after 60 s`)), 60_000);
          running.set(name, () => {
            clearTimeout(timer);
            running.delete(name);
            resolve();
          });
        });
        await pods.create(benchPod(name, NAMESPACE, undefined, false));
        await seen;
      },
      (n) => ctx.progress(`pod startup: through the API: ${n}/${count} pods Running`),
    );
    const apiLatency = latency(viaApi.latencies);
    ctx.step(`pod startup: through the API: p50 ${apiLatency.p50.toFixed(0)} ms, p99 ${apiLatency.p99.toFixed(0)} ms`);

    const note = `${count} pods, ${IN_FLIGHT} in flight, 1 node`;
    const r99 = ratio(apiLatency.p99, rawLatency.p99);
    return {
      name: "startup",
      rows: [
        {
          figure: "pod startup p50",
          value: apiLatency.p50,
          unit: "ms",
          anchor: { label: "raw docker", value: rawLatency.p50, unit: "ms" },
          ratio: ratio(apiLatency.p50, rawLatency.p50),
          goal: "",
          note,
        },
        {
          figure: "pod startup p99",
          value: apiLatency.p99,
          unit: "ms",
          anchor: { label: "raw docker", value: rawLatency.p99, unit: "ms" },
          ratio: r99,
          goal: "< 1 s and < 1.25x raw docker (k8s SLO: < 5 s)",
          met: apiLatency.p99 < 1000 && r99 !== undefined && r99 < 1.25,
          note,
        },
      ],
      details: { pods: count, inFlight: IN_FLIGHT, nodes: 1, upTo: "09", kubelet: apiLatency, rawDocker: rawLatency },
    };
  },
};
