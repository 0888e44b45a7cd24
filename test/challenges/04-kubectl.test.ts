/**
 * Chapter 04 challenges (optional): they fail on the reference solution and
 * pass once you build the extension. Run them with
 * `npm run check 04 -- --challenges`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Informer } from "@tree/04-kubectl/client/informer.ts";
import { NAMESPACES, PODS } from "@tree/04-kubectl/client/resources.ts";
import { RestClient } from "@tree/04-kubectl/client/rest.ts";
import type { Pod } from "../../shared/api/index.ts";
import { startCluster, type TestCluster } from "../harness/cluster.ts";
import { waitFor } from "../harness/wait.ts";

let cluster: TestCluster;
let client: RestClient;

beforeAll(async () => {
  cluster = await startCluster();
  client = new RestClient({ server: cluster.url });
});
afterAll(async () => {
  await cluster?.close();
});

function pod(name: string, tier: string): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { tier } },
    spec: { containers: [{ name: "main", image: "busybox:1.36" }] },
  } as Pod;
}

interface Indexed {
  addIndex(name: string, fn: (obj: Pod) => string[]): unknown;
  byIndex(name: string, value: string): Pod[];
}

describe("04 challenge", () => {
  it("indexes the cache by a field", async () => {
    const ns = "indexed";
    await client.resource(NAMESPACES).create({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
    const pods = client.resource<Pod>(PODS);
    await pods.create(pod("a", "front"), ns);
    const informer = new Informer(pods, { namespace: ns });
    const indexed = informer as unknown as Partial<Indexed>;
    expect(typeof indexed.addIndex, "Informer has no addIndex(name, fn) yet").toBe("function");
    indexed.addIndex!("tier", (p) => [p.metadata?.labels?.tier ?? ""]);
    informer.start();
    try {
      await informer.waitForSync();
      const names = (tier: string) =>
        indexed.byIndex!("tier", tier)
          .map((p) => p.metadata?.name)
          .sort();
      expect(names("front")).toEqual(["a"]);
      await pods.create(pod("b", "back"), ns);
      await pods.create(pod("c", "front"), ns);
      await waitFor("b and c in the index", () => names("front").length === 2 && names("back").length === 1);
      await pods.patch("a", { metadata: { labels: { tier: "back" } } }, ns);
      await pods.delete("c", ns);
      await waitFor("a moved to back, c gone", () => names("front").length === 0 && names("back").join() === "a,b");
    } finally {
      await informer.stop();
    }
  });

  it("calls update handlers on every object at each resync", async () => {
    const ns = "resynced";
    await client.resource(NAMESPACES).create({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
    const pods = client.resource<Pod>(PODS);
    await pods.create(pod("x", "front"), ns);
    await pods.create(pod("y", "front"), ns);
    const updates: string[] = [];
    const informer = new Informer(pods, { namespace: ns, resyncMs: 200 } as ConstructorParameters<typeof Informer>[1])
      .onUpdate((old, now) => {
        if (old.metadata?.resourceVersion === now.metadata?.resourceVersion) updates.push(now.metadata?.name ?? "");
      })
      .start();
    try {
      await informer.waitForSync();
      await waitFor(
        "two resyncs of x and y",
        () => updates.filter((n) => n === "x").length >= 2 && updates.filter((n) => n === "y").length >= 2,
        {
          timeoutMs: 5_000,
        },
      );
    } finally {
      await informer.stop();
    }
  });
});
