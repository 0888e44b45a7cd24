/**
 * watch fan-out: 1,000 watchers on pods (one namespace), each its own HTTP
 * stream from this process to the control plane in its own process. Pods are
 * created one after another; for each, the time from the create request to
 * its ADDED event at every watcher. The anchor: the same writes with a single
 * watcher (chapter 04's Watch), so the ratio is the cost of the fan-out itself.
 *
 * What the figure measures is the SERVER's fan-out: one event, written to
 * 1,000 streams. The 1,000 clients of a real cluster run on other machines
 * and parse in parallel; here they share one thread of this process. So most
 * watchers (lib/raw-watch.ts) only notice that the event's line has arrived,
 * and a sample of them (FULL_WATCHERS, spread among the others) run chapter
 * 04's whole Watch (split the stream into lines, parse, check each event) and
 * must decode every event. The clock is the same for both kinds: from the
 * create request to the complete line at the watcher.
 */
import http from "node:http";
import type { Pod } from "../../shared/api/index.ts";
import { onCleanup } from "../lib/cleanup.ts";
import { createNamespaces, PODS, RestClient, Watch } from "../lib/client.ts";
import { startControlPlane } from "../lib/control-plane-process.ts";
import { benchPod } from "../lib/load.ts";
import { RawWatch } from "../lib/raw-watch.ts";
import { latency, type Latency } from "../lib/stats.ts";
import { ratio, type BenchContext, type Figure } from "../lib/types.ts";

const WARMUP = 3;

/** Watchers that run chapter 04's whole Watch (parse and check every event), among the 1,000. */
const FULL_WATCHERS = 10;
const ADDED_PREFIX = Buffer.from('{"type":"ADDED",');

interface FanOut {
  /** Every watcher's delivery times. */
  all: Latency;
  /** The full chapter 04 Watches' delivery times alone. */
  full: Latency;
}

async function fanOut(
  ctx: BenchContext,
  client: RestClient,
  server: string,
  namespace: string,
  watchers: number,
  writes: number,
): Promise<FanOut> {
  const pods = client.resource<Pod>(PODS);
  await createNamespaces(client, [namespace]);
  const { metadata } = await pods.list(namespace);
  const resourceVersion = metadata?.resourceVersion;
  const sentAt = new Map<string, number>();
  const samples: number[] = [];
  const fullSamples: number[] = [];
  const warm = new Set<string>();
  let delivered = 0;
  let failure: Error | undefined;
  const fail = (err: Error) => (failure ??= err);
  const deliver = (name: string, into?: number[]) => {
    const t0 = sentAt.get(name);
    if (t0 === undefined) return fail(new Error(`watch: an ADDED event for ${name}, which this run did not create`));
    delivered++;
    if (warm.has(name)) return;
    const ms = performance.now() - t0;
    samples.push(ms);
    into?.push(ms);
  };
  // The pod whose event is on its way (writes are one at a time), as the bytes a raw watcher looks for.
  let expected = { name: "", pattern: Buffer.alloc(0) };

  // Every (watchers / FULL_WATCHERS)th watcher is a full one; with 1 watcher, that one.
  const fullEvery = Math.max(1, Math.floor(watchers / FULL_WATCHERS));
  const full: Watch<Pod>[] = [];
  const raw: RawWatch[] = [];
  const agent = new http.Agent({ keepAlive: false });
  const url = new URL(server + pods.path(namespace));
  // The query chapter 04's Watch sends, so the server serves both kinds alike.
  url.searchParams.set("watch", "1");
  url.searchParams.set("allowWatchBookmarks", "1");
  if (resourceVersion) url.searchParams.set("resourceVersion", resourceVersion);
  for (let w = 0; w < watchers; w++) {
    if (w % fullEvery === 0 && full.length < FULL_WATCHERS) {
      full.push(
        new Watch<Pod>(pods, {
          namespace,
          resourceVersion,
          onEvent: ({ type, object }) => {
            const name = object.metadata?.name ?? "";
            if (type !== "ADDED" || object.kind !== "Pod" || object.metadata?.namespace !== namespace) {
              return void fail(new Error(`watch: expected an ADDED Pod in ${namespace}, got ${type} ${object.kind} ${name}`));
            }
            deliver(name, fullSamples);
          },
          onError: fail,
        }),
      );
    } else {
      raw.push(
        new RawWatch({
          url,
          agent,
          onLine: (line) => {
            if (line.indexOf(ADDED_PREFIX) !== 0) return; // a BOOKMARK
            if (line.indexOf(expected.pattern) < 0)
              return void fail(new Error(`watch: an ADDED event for another pod than ${expected.name}`));
            deliver(expected.name);
          },
          onEnd: fail,
        }),
      );
    }
  }
  const connected = () => full.filter((w) => w.connections > 0).length + raw.filter((w) => w.connected).length;
  const stopAll = onCleanup(`${watchers} watches`, async () => {
    for (const w of raw) w.stop();
    agent.destroy();
    await Promise.all(full.map((w) => w.stop()));
  });
  const check = () => {
    if (failure) throw failure;
  };
  try {
    await until(
      () => (check(), connected() === watchers),
      30_000,
      `${watchers} watches to connect`,
      () => ctx.progress(`watch fan-out: ${connected()}/${watchers} watches connected`),
    );
    // The first few writes warm up the code paths; they are not counted.
    for (let i = 0; i < WARMUP + writes; i++) {
      const name = `fan-${i}`;
      if (i < WARMUP) warm.add(name);
      expected = { name, pattern: Buffer.from(`"name":${JSON.stringify(name)}`) };
      sentAt.set(name, performance.now());
      await pods.create(benchPod(name, namespace));
      const want = (i + 1) * watchers;
      await until(() => (check(), delivered >= want), 30_000, `pod ${name} to reach all ${watchers} watchers`);
      if (i >= WARMUP) ctx.progress(`watch fan-out: ${watchers} watcher(s): ${i + 1 - WARMUP}/${writes} writes delivered`);
    }
    check();
  } finally {
    await stopAll();
  }
  return { all: latency(samples), full: latency(fullSamples) };
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
      const { all: one } = await fanOut(ctx, client, plane.url, "bench-watch-one", 1, writes);
      ctx.step(`watch fan-out: 1 watcher: p50 ${one.p50.toFixed(1)} ms, p99 ${one.p99.toFixed(1)} ms`);
      const { all: many, full } = await fanOut(ctx, client, plane.url, "bench-watch-many", watchers, writes);
      ctx.step(
        `watch fan-out: ${watchers} watchers: p50 ${many.p50.toFixed(1)} ms, p99 ${many.p99.toFixed(1)} ms (${many.count} deliveries); ` +
          `the ${FULL_WATCHERS} full chapter 04 Watches among them: p50 ${full.p50.toFixed(1)} ms, p99 ${full.p99.toFixed(1)} ms`,
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
            note: `max ${many.max.toFixed(0)} ms; the ${FULL_WATCHERS} full Watches: p99 ${full.p99.toFixed(0)} ms`,
          },
        ],
        details: { watchers, writes, fullWatchers: FULL_WATCHERS, oneWatcher: one, manyWatchers: many, fullWatches: full },
      };
    } finally {
      await plane.stop();
    }
  },
};
