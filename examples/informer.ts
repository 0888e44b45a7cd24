/**
 * Try it (chapter 04): your informer, printing every handler call.
 *
 *   npx tsx examples/informer.ts              # your client (chapters/04-kubectl)
 *   npx tsx examples/informer.ts solutions    # the reference
 *
 * Start an apiserver first (`npx tsx examples/apiserver.ts`, on port 8080).
 * SERVER=http://127.0.0.1:PORT picks another one. Then create, change and
 * delete pods in another terminal. Ctrl-C stops it.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const tree = process.argv[2] === "solutions" ? "solutions" : "chapters";
const load = async <M>(file: string): Promise<M> =>
  (await import(pathToFileURL(resolve(import.meta.dirname, "..", tree, "04-kubectl", file)).href)) as M;
const { Informer } = await load<typeof import("../solutions/04-kubectl/client/informer.ts")>("client/informer.ts");
const { RestClient, ResourceClient } = await load<typeof import("../solutions/04-kubectl/client/rest.ts")>("client/rest.ts");
const { PODS } = await load<typeof import("../solutions/04-kubectl/client/resources.ts")>("client/resources.ts");

const server = process.env.SERVER ?? "http://127.0.0.1:8080";
const pods = new ResourceClient(new RestClient({ server }), PODS);
const at = () => new Date().toISOString().slice(11, 19);
const name = (p: { metadata?: { namespace?: string; name?: string; resourceVersion?: string } }) =>
  `${p.metadata?.namespace}/${p.metadata?.name} (resourceVersion ${p.metadata?.resourceVersion})`;

const informer = new Informer(pods, { onError: (err) => console.log(`${at()} watch error: ${err.message} (retrying)`) })
  .onAdd((p) => console.log(`${at()} add     ${name(p)}`))
  .onUpdate((old, now) => console.log(`${at()} update  ${name(now)} (was ${old.metadata?.resourceVersion})`))
  .onDelete((p) => console.log(`${at()} delete  ${name(p)}`))
  .start();
await informer.waitForSync();
console.log(`${at()} synced with ${server}: ${informer.list().length} pods in the cache. Now change some pods.`);
process.once("SIGINT", () => void informer.stop().then(() => process.exit(0)));
