/**
 * scheduler: pods placed and bound per second on hollow nodes (Node objects
 * with capacity and a Ready condition, no kubelet behind them): 5,000 nodes
 * and 10,000 pods, the shape of kube-scheduler's SchedulingBasic test.
 *
 * The control plane runs in its own process, and so does the scheduler
 * (chapter 09, bench/lib/scheduler.ts), as kube-scheduler does: in this
 * process it would share one thread with the 64 clients and the watch. It is
 * already synced when the first pod is created. The figure runs
 * from the first pod create to the last binding seen through a watch. Pods
 * are created by 64 clients meanwhile, so the scheduler cannot bind faster
 * than they arrive: the anchor is that create rate, and a ratio near 1 means
 * the scheduler keeps up with the apiserver.
 */
import type { Node, Pod } from "../../shared/api/index.ts";
import { onCleanup } from "../lib/cleanup.ts";
import { createNamespaces, NODES, PODS, RestClient, Watch } from "../lib/client.ts";
import { startControlPlane } from "../lib/control-plane-process.ts";
import { startSchedulerProcess } from "../lib/scheduler-process.ts";
import { benchPod, hollowNode, runConcurrent } from "../lib/load.ts";
import { ratio, type Figure } from "../lib/types.ts";

const CLIENTS = 64;
const NAMESPACE = "bench-scheduler";

export const schedulerFigure: Figure = {
  name: "scheduler",
  description: "pods/s placed and bound by the scheduler: 5,000 hollow nodes, 10,000 pods",
  async run(ctx) {
    const nodeCount = ctx.mode === "quick" ? 500 : 5_000;
    const podCount = ctx.mode === "quick" ? 1_000 : 10_000;
    ctx.progress("scheduler: starting the control plane");
    const plane = await startControlPlane({ kind: "embedded" });
    try {
      const client = new RestClient({ server: plane.url });
      const nodes = client.resource<Node>(NODES);
      const pods = client.resource<Pod>(PODS);
      await runConcurrent(
        nodeCount,
        CLIENTS,
        (i) => nodes.create(hollowNode(`hollow-${i}`)),
        (n) => ctx.progress(`scheduler: ${n}/${nodeCount} hollow nodes created`),
      );
      await createNamespaces(client, [NAMESPACE]);

      const scheduler = await startSchedulerProcess(plane.url);

      // Count bindings as a client sees them: a pod whose spec.nodeName appears.
      const bound = new Set<string>();
      let lastBoundAt = 0;
      let allBound: () => void = () => {};
      const done = new Promise<void>((resolve) => (allBound = resolve));
      const { metadata } = await pods.list(NAMESPACE);
      const watch = new Watch<Pod>(pods, {
        namespace: NAMESPACE,
        resourceVersion: metadata?.resourceVersion,
        onEvent: ({ object }) => {
          const name = object.metadata?.name ?? "";
          if (!object.spec?.nodeName || bound.has(name)) return;
          bound.add(name);
          lastBoundAt = performance.now();
          if (bound.size === podCount) allBound();
        },
      });
      onCleanup("the pod watch", () => watch.stop());

      const start = performance.now();
      const created = await runConcurrent(
        podCount,
        CLIENTS,
        (i) => pods.create(benchPod(`pod-${i}`, NAMESPACE)),
        (n) => ctx.progress(`scheduler: ${n}/${podCount} pods created, ${bound.size} bound`),
      );
      const ticker = setInterval(() => ctx.progress(`scheduler: ${podCount}/${podCount} pods created, ${bound.size} bound`), 250);
      // A slow scheduler is a figure, not a failure: stop waiting after a while and report what was bound.
      const waitSeconds = ctx.mode === "quick" ? 60 : 180;
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitSeconds * 1000)));
      await Promise.race([done, gaveUp]).finally(() => {
        clearInterval(ticker);
        clearTimeout(timer);
      });
      const complete = bound.size === podCount;
      const seconds = ((complete ? lastBoundAt : performance.now()) - start) / 1000;
      const rate = bound.size / seconds;
      const { errors, eventsDropped, cpuMs } = await scheduler.stop();
      // From the scheduler's ready (its informers synced) to its stop: all of it is the pods' work.
      const cpuPerPodMs = bound.size > 0 ? cpuMs / bound.size : 0;
      const partial = complete ? "" : `, ONLY ${bound.size} of ${podCount} bound after ${seconds.toFixed(0)} s`;
      ctx.step(
        `scheduler: ${bound.size} pods bound on ${nodeCount} nodes in ${seconds.toFixed(1)} s: ${rate.toFixed(0)} pods/s (created at ${created.rate.toFixed(0)}/s), scheduler CPU ${cpuPerPodMs.toFixed(2)} ms per pod${partial}`,
      );
      return {
        name: "scheduler",
        rows: [
          {
            figure: "scheduler throughput",
            value: rate,
            unit: "pods/s",
            anchor: { label: "pod creates, same phase", value: created.rate, unit: "pods/s" },
            ratio: ratio(rate, created.rate),
            goal: ">= 1,000 pods/s (kube-scheduler CI floor: 680)",
            met: rate >= 1000,
            note: `${podCount} pods, ${nodeCount} hollow nodes${partial}${errors.length ? `, ${errors.length} errors` : ""}${eventsDropped ? `, ${eventsDropped} events dropped` : ""}`,
          },
        ],
        details: {
          nodes: nodeCount,
          pods: podCount,
          bound: bound.size,
          clients: CLIENTS,
          seconds,
          createRate: created.rate,
          eventsDropped,
          schedulerCpuMs: cpuMs,
          schedulerCpuPerPodMs: cpuPerPodMs,
          errors: errors.slice(0, 5),
        },
      };
    } finally {
      await plane.stop();
    }
  },
};
