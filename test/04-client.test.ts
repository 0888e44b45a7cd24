/**
 * Chapter 04, the client library against the chapter 03 apiserver: typed
 * REST calls and their errors, a watch that resumes after a dropped
 * connection, an informer whose cache converges (also after 410 Gone), and
 * the official @kubernetes/client-node informer on our server.
 */
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Informer, keyOf } from "@tree/04-kubectl/client/informer.ts";
import { NAMESPACES, PODS } from "@tree/04-kubectl/client/resources.ts";
import { ApiError, ConnectionError, RestClient } from "@tree/04-kubectl/client/rest.ts";
import { Watch, type ObjectEvent } from "@tree/04-kubectl/client/watch.ts";
import { kubeconfigDocument } from "@tree/04-kubectl/kubectl/kubeconfig.ts";
import type { KubeObject, Pod } from "../shared/api/index.ts";
import { startCluster, type TestCluster } from "./harness/cluster.ts";
import { startTcpProxy, type TcpProxy } from "./harness/tcp-proxy.ts";
import { waitFor } from "./harness/wait.ts";

let cluster: TestCluster;
let proxy: TcpProxy;
let client: RestClient;

beforeAll(async () => {
  cluster = await startCluster();
  proxy = await startTcpProxy(cluster.url);
  client = new RestClient({ server: cluster.url });
});
afterAll(async () => {
  await proxy?.close();
  await cluster?.close();
});

function pod(name: string, labels: Record<string, string> = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels },
    spec: { containers: [{ name: "main", image: "busybox" }] },
  };
}

async function namespace(name: string): Promise<string> {
  await client.resource(NAMESPACES).create({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
  return name;
}

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error("expected the call to fail, it succeeded"),
    (err: unknown) => err,
  );
}

const names = (objects: KubeObject[]) => objects.map((o) => o.metadata?.name).sort();
const versions = (objects: KubeObject[]) => Object.fromEntries(objects.map((o) => [keyOf(o), o.metadata?.resourceVersion]));

describe("04.1 REST client", () => {
  it("creates, gets, lists, updates, patches and deletes pods", async () => {
    const ns = await namespace("rest-crud");
    const pods = client.resource<Pod>(PODS);
    const created = await pods.create(pod("web", { app: "web" }), ns);
    expect(created.metadata?.uid).toBeTruthy();
    expect(created.metadata?.resourceVersion).toBeTruthy();

    const fetched = await pods.get("web", ns);
    expect(fetched.metadata?.uid).toBe(created.metadata?.uid);

    fetched.metadata!.labels = { app: "web", tier: "front" };
    const updated = await pods.update(fetched);
    expect(updated.metadata?.labels).toEqual({ app: "web", tier: "front" });

    const patched = await pods.patch("web", { metadata: { labels: { tier: null, color: "blue" } } }, ns);
    expect(patched.metadata?.labels).toEqual({ app: "web", color: "blue" });

    await pods.create(pod("db"), ns);
    const list = await pods.list(ns);
    expect(names(list.items)).toEqual(["db", "web"]);
    expect(list.metadata?.resourceVersion).toBeTruthy();

    await pods.delete("db", ns);
    await waitFor("db to be gone", async () => names((await pods.list(ns)).items).join() === "web");
  });

  it("turns error answers into ApiError with the server's Status", async () => {
    const ns = await namespace("rest-errors");
    const pods = client.resource<Pod>(PODS);
    const missing = await errorOf(pods.get("nope", ns));
    expect(missing).toBeInstanceOf(ApiError);
    expect((missing as ApiError).code).toBe(404);
    expect((missing as ApiError).reason).toBe("NotFound");
    expect((missing as ApiError).message).toBe('pods "nope" not found');

    const first = await pods.create(pod("twice"), ns);
    const exists = (await errorOf(pods.create(pod("twice"), ns))) as ApiError;
    expect([exists.code, exists.reason]).toEqual([409, "AlreadyExists"]);

    // optimistic concurrency: an update from a stale copy is a Conflict
    await pods.patch("twice", { metadata: { labels: { v: "2" } } }, ns);
    const stale = (await errorOf(pods.update({ ...first, metadata: { ...first.metadata, labels: { v: "stale" } } }))) as ApiError;
    expect([stale.code, stale.reason]).toEqual([409, "Conflict"]);

    const invalid = (await errorOf(
      pods.create({ apiVersion: "v1", kind: "Pod", metadata: { name: "bad" }, spec: { containers: [] } }, ns),
    )) as ApiError;
    expect(invalid).toBeInstanceOf(ApiError);
    expect(invalid.code).toBe(422);
    expect(invalid.reason).toBe("Invalid");
  });

  it("reports an unreachable server as a ConnectionError naming host and port", async () => {
    const doomed = await startTcpProxy(cluster.url);
    const url = doomed.url;
    await doomed.close(); // nothing listens on that port any more
    const err = await errorOf(new RestClient({ server: url }).resource(PODS).list("default"));
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toBe(
      `The connection to the server ${new URL(url).host} was refused - did you specify the right host or port?`,
    );
  });
});

describe("04.3 watch", () => {
  it("streams events and resumes after a dropped connection without losing or repeating any", async () => {
    const ns = await namespace("watch-resume");
    const direct = client.resource<Pod>(PODS);
    const viaProxy = new RestClient({ server: proxy.url }).resource<Pod>(PODS);
    const start = await direct.list(ns);
    const seen: string[] = [];
    const w = new Watch(viaProxy, {
      namespace: ns,
      resourceVersion: start.metadata?.resourceVersion,
      retryDelayMs: 20,
      onEvent: (e: ObjectEvent<Pod>) => void seen.push(`${e.type} ${e.object.metadata?.name}`),
    });
    try {
      await direct.create(pod("a"), ns);
      await direct.create(pod("b"), ns);
      await waitFor("the first two events", () => seen.length >= 2);

      proxy.pause();
      proxy.dropConnections(); // the stream breaks; reconnects are refused for now
      await direct.create(pod("c"), ns);
      await direct.patch("a", { metadata: { labels: { changed: "yes" } } }, ns);
      await direct.delete("b", ns);
      proxy.resume();

      await waitFor("the events written while disconnected", () => seen.length >= 5);
      await direct.create(pod("d"), ns);
      await waitFor("an event after the resume", () => seen.includes("ADDED d"));
      expect(seen).toEqual(["ADDED a", "ADDED b", "ADDED c", "MODIFIED a", "DELETED b", "ADDED d"]);
      expect(w.connections).toBeGreaterThanOrEqual(2);
    } finally {
      proxy.resume();
      await w.stop();
    }
  });

  it("reports 410 Expired when asked to resume from a compacted resourceVersion", async () => {
    const ns = await namespace("watch-gone");
    const direct = client.resource<Pod>(PODS);
    const old = (await direct.list(ns)).metadata?.resourceVersion;
    await direct.create(pod("x"), ns);
    await direct.create(pod("y"), ns);
    await cluster.store.compact(await cluster.store.revision());
    let gone: ApiError | undefined;
    const w = new Watch(direct, { namespace: ns, resourceVersion: old, onEvent: () => {}, onGone: (err) => (gone = err) });
    await waitFor("the watch to end with 410 Gone", () => gone !== undefined);
    await w.done;
    expect(gone!.code).toBe(410);
    expect(w.endReason).toBe("gone");
  });
});

// The informer lists before it watches, and a list fills the cache through
// replace() (04.5): so this test of the whole informer needs 04.5. Its event
// handling (04.4) is also tested alone in 04-informer.unit.test.ts.
it("04.5 informer > keeps a cache equal to the server's list and calls add, update and delete handlers", async () => {
  const ns = await namespace("informer");
  const pods = client.resource<Pod>(PODS);
  await pods.create(pod("before"), ns);
  const calls: string[] = [];
  const informer = new Informer(pods, { namespace: ns })
    .onAdd((p) => void calls.push(`add ${p.metadata?.name}`))
    .onUpdate(
      (old, now) => void calls.push(`update ${now.metadata?.name} ${old.metadata?.labels?.v ?? "-"}->${now.metadata?.labels?.v}`),
    )
    .onDelete((p) => void calls.push(`delete ${p.metadata?.name}`))
    .start();
  try {
    await informer.waitForSync(10_000);
    expect(names(informer.list())).toEqual(["before"]);
    await pods.create(pod("web"), ns);
    await pods.patch("web", { metadata: { labels: { v: "1" } } }, ns);
    await pods.delete("before", ns);
    await waitFor("the informer to see the delete", () => calls.includes("delete before"));
    expect(calls).toEqual(["add before", "add web", "update web -->1", "delete before"]);
    const truth = await pods.list(ns);
    expect(versions(informer.list())).toEqual(versions(truth.items));
    expect(informer.get("web", ns)?.metadata?.labels).toEqual({ v: "1" });
  } finally {
    await informer.stop();
  }
});

it("04.5 informer > relists after 410 Expired and converges to the truth, reporting what it missed", async () => {
  const ns = await namespace("informer-gone");
  const pods = client.resource<Pod>(PODS);
  await pods.create(pod("stays"), ns);
  await pods.create(pod("leaves"), ns);
  const calls: string[] = [];
  const informer = new Informer(new RestClient({ server: proxy.url }).resource<Pod>(PODS), { namespace: ns, retryDelayMs: 20 })
    .onAdd((p) => void calls.push(`add ${p.metadata?.name}`))
    .onUpdate((_, p) => void calls.push(`update ${p.metadata?.name}`))
    .onDelete((p) => void calls.push(`delete ${p.metadata?.name}`))
    .start();
  try {
    await informer.waitForSync(10_000);
    expect(informer.lists).toBe(1);

    proxy.pause();
    proxy.dropConnections();
    await pods.delete("leaves", ns);
    await pods.patch("stays", { metadata: { labels: { touched: "yes" } } }, ns);
    await pods.create(pod("arrives"), ns);
    // forget the history the informer's watch would need to resume
    await cluster.store.compact(await cluster.store.revision());
    proxy.resume();

    await waitFor("the informer to relist", () => informer.lists >= 2);
    const truth = await pods.list(ns);
    await waitFor(
      "the cache to equal the server's list",
      () => JSON.stringify(versions(informer.list())) === JSON.stringify(versions(truth.items)),
    );
    expect(names(informer.list())).toEqual(["arrives", "stays"]);
    expect(calls).toEqual(expect.arrayContaining(["delete leaves", "update stays", "add arrives"]));
    expect(calls.filter((c) => c === "add stays")).toHaveLength(1);

    // and it watches again after the relist
    await pods.create(pod("later"), ns);
    await waitFor("an add after the relist", () => calls.includes("add later"));
  } finally {
    proxy.resume();
    await informer.stop();
  }
});

describe("04 chapter > @kubernetes/client-node on our server", () => {
  it("its informer sees pods added, updated and deleted through our client", async () => {
    // Imported here, so that a client-node that cannot load on this Node
    // version fails this test with its reason instead of the whole file.
    const k8s = await import("@kubernetes/client-node").catch((err: unknown) => {
      throw new Error(`@kubernetes/client-node does not load on Node ${process.version}: ${(err as Error).message}`);
    });
    const ns = await namespace("client-node");
    const kc = new k8s.KubeConfig();
    kc.loadFromString(stringify(kubeconfigDocument({ server: cluster.url, namespace: ns })));
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const informer = k8s.makeInformer(kc, `/api/v1/namespaces/${ns}/pods`, () => core.listNamespacedPod({ namespace: ns }));
    const calls: string[] = [];
    informer.on("add", (p) => void calls.push(`add ${p.metadata?.name}`));
    informer.on("update", (p) => void calls.push(`update ${p.metadata?.name} ${p.metadata?.labels?.v}`));
    informer.on("delete", (p) => void calls.push(`delete ${p.metadata?.name}`));
    await informer.start();
    try {
      const pods = client.resource<Pod>(PODS);
      await pods.create(pod("seen"), ns);
      await waitFor("client-node to see the add", () => calls.includes("add seen"));
      await pods.patch("seen", { metadata: { labels: { v: "2" } } }, ns);
      await waitFor("client-node to see the update", () => calls.includes("update seen 2"));
      await pods.delete("seen", ns);
      await waitFor("client-node to see the delete", () => calls.includes("delete seen"));
      expect(informer.list().map((p) => p.metadata?.name)).toEqual([]);
    } finally {
      await informer.stop();
    }
  });
});
