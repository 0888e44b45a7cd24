/**
 * watch fan-out: 1,000 watchers on pods (one namespace), each its own HTTP
 * stream (the chapter 04 Watch) from this process to the control plane in
 * its own process. Pods are created one after another; for each, the time
 * from the create request to its ADDED event at every watcher. The anchor:
 * the same writes with a single watcher, so the ratio is the cost of the
 * fan-out itself.
 */
import type { Pod } from "../../shared/api/index.ts";
import { onCleanup } from "../lib/cleanup.ts";
import { createNamespaces, PODS, RestClient, Watch } from "../lib/client.ts";
import { startControlPlane } from "../lib/control-plane-process.ts";
import { benchPod } from "../lib/load.ts";
import { latency, type Latency } from "../lib/stats.ts";
import { ratio, type BenchContext, type Figure } from "../lib/types.ts";

const WARMUP = 3;

async function fanOut(
  ctx: BenchContext,
  client: RestClient,
  namespace: string,
  watchers: number,
  writes: number,
): Promise<Latency> {
  const pods = client.resource<Pod>(PODS);
  await createNamespaces(client, [namespace]);
  const { metadata } = await pods.list(namespace);
  const sentAt = new Map<string, number>();
  const samples: number[] = [];
  const warm = new Set<string>();
  let delivered = 0;
  const all: Watch<Pod>[] = [];
  for (let w = 0; w < watchers; w++) {
    all.push(
      new Watch<Pod>(pods, {
        namespace,
        resourceVersion: metadata?.resourceVersion,
        onEvent: ({ type, object }) => {
          const t0 = type === "ADDED" ? sentAt.get(object.metadata?.name ?? "") : undefined;
          if (t0 === undefined) return;
          if (!warm.has(object.metadata?.name ?? "")) samples.push(performance.now() - t0);
          delivered++;
        },
      }),
    );
  }
  const stopAll = onCleanup(`${watchers} watches`, async () => void (await Promise.all(all.map((w) => w.stop()))));
  try {
    await until(
      () => all.every((w) => w.connections > 0),
      30_000,
      `${watchers} watches to connect`,
      () => ctx.progress(`watch fan-out: ${all.filter((w) => w.connections > 0).length}/${watchers} watches connected`),
    );
    // The first few writes warm up the code paths; they are not counted.
    for (let i = 0; i < WARMUP + writes; i++) {
      const name = `fan-${i}`;
      if (i < WARMUP) warm.add(name);
      sentAt.set(name, performance.now());
      await pods.create(benchPod(name, namespace));
      const want = (i + 1) * watchers;
      await until(() => delivered >= want, 30_000, `pod ${name} to reach all ${watchers} watchers`);
      if (i >= WARMUP) ctx.progress(`watch fan-out: ${watchers} watcher(s): ${i + 1 - WARMUP}/${writes} writes delivered`);
    }
  } finally {
    await stopAll();
  }
  return latency(samples);
}

/** Polls a condition every 5 ms; throws, naming what it waited for, after timeoutMs. */
async function until(condition: () => boolean, timeoutMs: number, what: string, onPoll?: () => void): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    onPoll?.();
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const watchFanOutFigure: Figure = {
  name: "watch",
  description: "1,000 watchers on pods: time from a write to its delivery at every watcher, beside one watcher",
  async run(ctx) {
    const watchers = 1_000;
    const writes = ctx.mode === "quick" ? 20 : 100;
    ctx.progress("watch fan-out: starting the control plane");
    const plane = await startControlPlane({ kind: "embedded" });
    try {
      const client = new RestClient({ server: plane.url });
      const one = await fanOut(ctx, client, "bench-watch-one", 1, writes);
      ctx.step(`watch fan-out: 1 watcher: p50 ${one.p50.toFixed(1)} ms, p99 ${one.p99.toFixed(1)} ms`);
      const many = await fanOut(ctx, client, "bench-watch-many", watchers, writes);
      ctx.step(
        `watch fan-out: ${watchers} watchers: p50 ${many.p50.toFixed(1)} ms, p99 ${many.p99.toFixed(1)} ms (${many.count} deliveries)`,
      );
      const note = `${writes} writes x ${watchers} watchers = ${many.count} deliveries`;
      return {
        name: "watch",
        rows: [
          {
            figure: "watch fan-out p50",
            value: many.p50,
            unit: "ms",
            anchor: { label: "1 watcher", value: one.p50, unit: "ms" },
            ratio: ratio(many.p50, one.p50),
            goal: "",
            note,
          },
          {
            figure: "watch fan-out p99",
            value: many.p99,
            unit: "ms",
            anchor: { label: "1 watcher", value: one.p99, unit: "ms" },
            ratio: ratio(many.p99, one.p99),
            goal: "< 100 ms",
            met: many.p99 < 100,
            note: `max ${many.max.toFixed(0)} ms`,
          },
        ],
        details: { watchers, writes, oneWatcher: one, manyWatchers: many },
      };
    } finally {
      await plane.stop();
    }
  },
};
