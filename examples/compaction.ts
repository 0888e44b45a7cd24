/**
 * Try it (chapter 02): a watch from a compacted revision.
 *
 *   npx tsx examples/compaction.ts              # your store (chapters/02-etcd)
 *   npx tsx examples/compaction.ts solutions    # the reference
 *
 * It writes one key four times, compacts, and then asks for a watch from
 * revision 1. The store refuses with "Compacted"; the script prints the
 * Status an apiserver sends for it (chapter 03): HTTP 410, reason Expired.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { expired } from "../shared/api/errors.ts";
import { isStoreError } from "../shared/store/types.ts";

const tree = process.argv[2] === "solutions" ? "solutions" : "chapters";
const entry = pathToFileURL(resolve(import.meta.dirname, "..", tree, "02-etcd/index.ts")).href;
const { openEmbeddedStore } = (await import(entry)) as typeof import("../solutions/02-etcd/index.ts");

const store = await openEmbeddedStore();
const key = "/registry/pods/default/web";
let kv = await store.create(key, "v1");
for (const value of ["v2", "v3", "v4"]) kv = await store.update(key, value, kv.modRevision);
console.log(`wrote ${key} four times; the store is at revision ${await store.revision()}`);

const watchFrom = async (fromRevision: number) => {
  const seen: string[] = [];
  const watcher = await store.watch(key, { fromRevision }, (events) => {
    for (const e of events) seen.push(`${e.type} rev ${e.kv.modRevision} value ${JSON.stringify(e.kv.value)}`);
  });
  await new Promise((r) => setTimeout(r, 50));
  await watcher.cancel();
  return seen;
};

console.log("watch from revision 1 before compaction replays:", await watchFrom(1));
await store.compact(3);
console.log("compacted at revision 3: the history before 3 is gone");
console.log("watch from revision 3 still replays:", await watchFrom(3));
try {
  await watchFrom(1);
  console.log("watch from revision 1 was accepted: your compaction or eventsSince() keeps history it should forget");
} catch (err) {
  if (!isStoreError(err, "Compacted")) throw err;
  console.log(`watch from revision 1: StoreError ${err.code} (oldest kept: ${err.compactRevision})`);
  console.log("an apiserver sends this to the client as one watch event:");
  console.log(JSON.stringify({ type: "ERROR", object: expired(1, err.compactRevision ?? "?").status }));
}
await store.close();
