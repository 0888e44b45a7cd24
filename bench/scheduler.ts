/**
 * How fast does the scheduler place pods? Hollow nodes (Node objects with
 * allocatable and a Ready condition, no kubelet behind them) and pending
 * pods are created through the apiserver; then the scheduler starts and we
 * time until every pod is bound.
 *
 *   npx tsx bench/scheduler.ts [nodes] [pods]        (default 1000 nodes, 3000 pods)
 *
 * The apiserver, its store and the scheduler share this one process (and
 * its one JavaScript thread), so the figure is a floor: every binding is a
 * POST the same thread must also serve. Compare runs on one machine, not
 * machines. kube-scheduler's own target is on the order of 100+ pods/s on
 * 5000 nodes.
 */
import { openEmbeddedStore } from "../solutions/02-etcd/index.ts";
import { startApiServer } from "../solutions/03-apiserver/index.ts";
import { NODES, PODS } from "../solutions/04-kubectl/client/resources.ts";
import { RestClient } from "../solutions/04-kubectl/client/rest.ts";
import { startScheduler } from "../solutions/09-scheduler/index.ts";
import type { Node, Pod } from "../shared/api/index.ts";
import { c, progressLine, table } from "../workshop/ui.ts";

function count(arg: string | undefined, fallback: number, what: string): number {
  const n = Number(arg ?? fallback);
  if (!Number.isInteger(n) || n <= 0) {
    console.error(`usage: npx tsx bench/scheduler.ts [nodes] [pods]: ${what} must be a positive whole number (got ${arg})`);
    process.exit(1);
  }
  return n;
}
const nodeCount = count(process.argv[2], 1000, "nodes");
const podCount = count(process.argv[3], 3000, "pods");

async function inParallel(
  total: number,
  concurrency: number,
  work: (i: number) => Promise<void>,
  label: string,
): Promise<number> {
  const progress = progressLine();
  const start = performance.now();
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        await work(next++);
        if (++done % 100 === 0) progress.update(c.dim(`${label}: ${done}/${total}`));
      }
    }),
  );
  progress.done(c.dim(`${label}: ${total}/${total}`));
  return performance.now() - start;
}

const store = await openEmbeddedStore();
const api = await startApiServer({ store, host: "127.0.0.1", port: 0 });
const client = new RestClient({ server: api.url });
const rows: string[][] = [];
try {
  const resources = { cpu: "8", memory: "32Gi", pods: "110" };
  const nodeMs = await inParallel(
    nodeCount,
    32,
    (i) =>
      client
        .resource<Node>(NODES)
        .create({
          metadata: { name: `hollow-${i}`, labels: { zone: `zone-${i % 3}` } },
          status: { capacity: resources, allocatable: resources, conditions: [{ type: "Ready", status: "True" }] },
        })
        .then(() => undefined),
    "creating hollow nodes",
  );
  rows.push([`create ${nodeCount} nodes`, `${(nodeMs / 1000).toFixed(1)} s`, `${((nodeCount * 1000) / nodeMs).toFixed(0)} /s`]);

  const cpus = ["100m", "250m", "500m"];
  const memories = ["64Mi", "256Mi", "512Mi", "1Gi"];
  const podMs = await inParallel(
    podCount,
    32,
    (i) =>
      client
        .resource<Pod>(PODS)
        .create({
          metadata: {
            name: `pod-${i}`,
            namespace: "default",
            ownerReferences: [
              { apiVersion: "v1", kind: "ReplicationController", name: `rc-${i % 20}`, uid: `rc-${i % 20}`, controller: true },
            ],
          },
          spec: {
            containers: [
              { name: "main", image: "busybox", resources: { requests: { cpu: cpus[i % 3]!, memory: memories[i % 4]! } } },
            ],
          },
        })
        .then(() => undefined),
    "creating pending pods",
  );
  rows.push([`create ${podCount} pods`, `${(podMs / 1000).toFixed(1)} s`, `${((podCount * 1000) / podMs).toFixed(0)} /s`]);

  const errors: string[] = [];
  const start = performance.now();
  const scheduler = await startScheduler({ server: api.url, onError: (err) => errors.push(err.message) });
  const syncedMs = performance.now() - start;
  const progress = progressLine();
  while (scheduler.scheduled < podCount) {
    progress.update(c.dim(`scheduling: ${scheduler.scheduled}/${podCount} bound`));
    const pending = scheduler.pending();
    if (
      pending.unschedulable > 0 &&
      pending.active === 0 &&
      pending.backoff === 0 &&
      scheduler.scheduled + pending.unschedulable >= podCount
    ) {
      progress.done();
      console.error(c.red(`${pending.unschedulable} pods do not fit on ${nodeCount} nodes: use more nodes or fewer pods`));
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const scheduleMs = performance.now() - start;
  progress.done(c.dim(`scheduling: ${scheduler.scheduled}/${podCount} bound`));
  await scheduler.stop();
  rows.push([`scheduler: list + watch (sync)`, `${(syncedMs / 1000).toFixed(1)} s`, ""]);
  rows.push([
    c.bold(`schedule + bind ${scheduler.scheduled} pods on ${nodeCount} nodes`),
    `${(scheduleMs / 1000).toFixed(1)} s`,
    c.bold(`${((scheduler.scheduled * 1000) / scheduleMs).toFixed(0)} pods/s`),
  ]);
  console.log(table(["phase", "time", "rate"], rows));
  if (errors.length > 0) console.log(c.yellow(`${errors.length} errors reported, first: ${errors[0]}`));
} finally {
  await api.close();
  await store.close();
}
