/**
 * How many writes per second? The embedded store (in memory, and durable with
 * an fsync per acknowledged batch) against a real etcd through the adapter.
 *
 *   npx tsx bench/store.ts [writes]        (default 2000)
 *
 * Two runs per store: one writer at a time (every write waits for its own
 * fsync), and 64 concurrent writers (group commit lets them share fsyncs).
 * Numbers depend on the disk; compare the rows, not the machines.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openEmbeddedStore } from "../solutions/02-etcd/index.ts";
import { EtcdStore } from "../shared/store/etcd-store.ts";
import type { Store } from "../shared/store/types.ts";
import { ETCD_BINARY, startEtcd } from "../test/harness/etcd.ts";
import { c, table } from "../workshop/ui.ts";

const writes = Number(process.argv[2] ?? 2000);
if (!Number.isInteger(writes) || writes <= 0) {
  console.error(`usage: npx tsx bench/store.ts [writes], with writes a positive whole number (got ${process.argv[2]})`);
  process.exit(1);
}

/** Creates `writes` keys with `concurrency` writers; returns writes per second. */
async function run(store: Store, prefix: string, concurrency: number): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < writes) {
        const i = next++;
        await store.create(`${prefix}${i}`, `value ${i}`);
      }
    }),
  );
  return writes / ((performance.now() - start) / 1000);
}

const rows: string[][] = [];
async function measure(name: string, open: () => Promise<Store>, cleanup: () => Promise<void> = async () => {}) {
  const store = await open();
  try {
    for (const concurrency of [1, 64]) {
      process.stdout.write(c.dim(`${name}, ${concurrency} writer(s) ...\n`));
      const rate = await run(store, `/bench/${concurrency}/`, concurrency);
      rows.push([name, String(concurrency), String(writes), rate.toFixed(0)]);
    }
  } finally {
    await store.close();
    await cleanup();
  }
}

await measure("embedded, memory", () => openEmbeddedStore());

const dir = await mkdtemp(join(tmpdir(), "k8s-workshop-bench-"));
await measure(
  "embedded, durable (fsync)",
  () => openEmbeddedStore({ dir }),
  () => rm(dir, { recursive: true, force: true }),
);

if (existsSync(ETCD_BINARY)) {
  const etcd = await startEtcd();
  await measure(
    "etcd 3.4 via JSON gateway",
    async () => new EtcdStore(etcd.endpoint),
    () => etcd.stop(),
  );
} else {
  console.log(c.yellow(`${ETCD_BINARY} not found: skipping real etcd (apt-get install etcd-server)`));
}

console.log(table(["store", "writers", "creates", "writes/s"], rows));
