/**
 * Chapter 07 on a running apiserver: label and field selectors for list and
 * watch through HTTP, 400s that point at the bad part, an informer with a
 * selector, our kubectl (get -l, --field-selector, --show-labels, label,
 * annotate, delete -l) and the real kubectl (get -l, label, describe showing
 * only the pod's own events).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Informer } from "@tree/04-kubectl/client/informer.ts";
import { EVENTS, PODS } from "@tree/04-kubectl/client/resources.ts";
import { RestClient } from "@tree/04-kubectl/client/rest.ts";
import { run } from "@tree/04-kubectl/kubectl/main.ts";
import { installSelectors } from "@tree/07-labels/index.ts";
import { kubectlPlugin } from "@tree/07-labels/kubectl/index.ts";
import type { KubeObject, Pod } from "../shared/api/index.ts";
import { startCluster, type TestCluster } from "./harness/cluster.ts";
import { http, openWatch } from "./harness/http.ts";
import { kubectlAvailable, kubectlFor, type Kubectl, runOurKubectl } from "./harness/kubectl.ts";
import { waitFor } from "./harness/wait.ts";

let cluster: TestCluster;
let api: ReturnType<typeof http>;
let client: RestClient;

beforeAll(async () => {
  cluster = await startCluster();
  installSelectors(cluster.apiserver);
  installSelectors(cluster.apiserver); // a second call (from the cluster harness, say) changes nothing
  api = http(cluster.url);
  client = new RestClient({ server: cluster.url });
});
afterAll(async () => {
  await cluster?.close();
});

const merge = { "Content-Type": "application/merge-patch+json" };

function pod(name: string, labels: Record<string, string>, extra: { nodeName?: string } = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels },
    spec: { containers: [{ name: "c", image: "busybox" }], ...extra },
  };
}

async function namespace(name: string): Promise<string> {
  const res = await api("POST", "/api/v1/namespaces", { metadata: { name } });
  expect(res.status).toBe(201);
  return name;
}

async function createPods(ns: string, pods: Pod[]): Promise<void> {
  for (const p of pods) expect((await api("POST", `/api/v1/namespaces/${ns}/pods`, p)).status).toBe(201);
}

const names = (items: KubeObject[]): string[] => items.map((o) => o.metadata?.name ?? "").sort();

/** GET a list with a query; the names of what came back. */
async function listNames(path: string, query: Record<string, string>): Promise<string[]> {
  const res = await api("GET", `${path}?${new URLSearchParams(query)}`);
  expect(res.status, res.text).toBe(200);
  return names(res.body.items);
}

/** A filtered list: the message names the path, the selectors, and the names expected and received. */
async function expectListed(path: string, query: Record<string, string>, expected: string[]): Promise<void> {
  const got = await listNames(path, query);
  expect(
    got,
    `GET ${path}?${decodeURIComponent(new URLSearchParams(query).toString())}: expected ${JSON.stringify(expected)}, received ${JSON.stringify(got)}`,
  ).toEqual(expected);
}

describe("07.5 selectors in the apiserver: list", () => {
  let ns: string;
  beforeAll(async () => {
    ns = await namespace("sel-list");
    await createPods(ns, [
      pod("web-1", { app: "web", tier: "frontend", env: "prod" }, { nodeName: "node-a" }),
      pod("web-2", { app: "web", tier: "frontend", env: "dev" }, { nodeName: "node-b" }),
      pod("db", { app: "db", tier: "backend", env: "prod" }, { nodeName: "node-a" }),
      pod("tool", { "example.com/owner": "ops" }),
    ]);
  });

  it("filters a list by label selector, with every operator", async () => {
    const base = `/api/v1/namespaces/${ns}/pods`;
    await expectListed(base, { labelSelector: "app=web" }, ["web-1", "web-2"]);
    await expectListed(base, { labelSelector: "app==db" }, ["db"]);
    await expectListed(base, { labelSelector: "app!=web" }, ["db", "tool"]);
    await expectListed(base, { labelSelector: "env in (prod, staging)" }, ["db", "web-1"]);
    await expectListed(base, { labelSelector: "env notin (prod)" }, ["tool", "web-2"]);
    await expectListed(base, { labelSelector: "tier" }, ["db", "web-1", "web-2"]);
    await expectListed(base, { labelSelector: "!tier" }, ["tool"]);
    await expectListed(base, { labelSelector: "example.com/owner=ops" }, ["tool"]);
    await expectListed(base, { labelSelector: "app=web,env=prod" }, ["web-1"]);
    await expectListed(base, { labelSelector: "" }, ["db", "tool", "web-1", "web-2"]);
    await expectListed(base, { labelSelector: "app=nothing" }, []);
  });

  it("selects an object that has no labels at all with !key and notin (its labels are empty, not missing)", async () => {
    const bare = await namespace("sel-bare");
    await createPods(bare, [{ ...pod("bare", {}), metadata: { name: "bare" } }]);
    const base = `/api/v1/namespaces/${bare}/pods`;
    await expectListed(base, { labelSelector: "!app" }, ["bare"]);
    await expectListed(base, { labelSelector: "app notin (web)" }, ["bare"]);
    await expectListed(base, { labelSelector: "app" }, []);
  });

  it("filters by field selector, and combines both", async () => {
    const base = `/api/v1/namespaces/${ns}/pods`;
    await expectListed(base, { fieldSelector: "metadata.name=db" }, ["db"]);
    await expectListed(base, { fieldSelector: "spec.nodeName=node-a" }, ["db", "web-1"]);
    await expectListed(base, { fieldSelector: "spec.nodeName=" }, ["tool"]);
    await expectListed(base, { fieldSelector: "status.phase=Pending,spec.nodeName!=node-a" }, ["tool", "web-2"]);
    await expectListed(base, { fieldSelector: "spec.nodeName=node-a", labelSelector: "app=web" }, ["web-1"]);
    await expectListed("/api/v1/pods", { fieldSelector: `metadata.namespace=${ns}`, labelSelector: "tier=frontend" }, [
      "web-1",
      "web-2",
    ]);
    await expectListed("/api/v1/namespaces", { fieldSelector: `metadata.name=${ns}` }, [ns]);
  });

  it("filters Table answers too (what kubectl get asks for)", async () => {
    const res = await api("GET", `/api/v1/namespaces/${ns}/pods?labelSelector=app%3Dweb`, undefined, {
      Accept: "application/json;as=Table;v=v1;g=meta.k8s.io",
    });
    expect(res.status).toBe(200);
    expect(res.body.kind).toBe("Table");
    expect(res.body.rows.map((r: { cells: unknown[] }) => r.cells[0]).sort()).toEqual(["web-1", "web-2"]);
  });
});

describe("07.5 selectors in the apiserver: errors", () => {
  const bad: Array<[string, string, RegExp]> = [
    [
      "labelSelector",
      "app in (a",
      /unable to parse labelSelector "app in \(a": found the end of the selector, expected "," or "\)", at position 9/,
    ],
    ["labelSelector", "=x", /unable to parse labelSelector "=x": found "=", expected a label key, at position 0 \(near "=x"\)/],
    ["labelSelector", "a in ()", /"in" needs at least one value.*at position 5/],
    ["labelSelector", "app=we$b", /invalid label value "we\$b".*at position 4 \(near "we\$b"\)/],
    ["labelSelector", `app=${"v".repeat(64)}`, /no more than 63 characters/],
    ["fieldSelector", "status.phase", /unable to parse fieldSelector "status.phase": "status.phase" is not field=value/],
  ];
  it.each(bad)("%s=%j is a 400 BadRequest Status that points at the bad part", async (param, selector, message) => {
    for (const path of ["/api/v1/namespaces/default/pods", "/api/v1/pods?watch=1"]) {
      const res = await api("GET", `${path}${path.includes("?") ? "&" : "?"}${param}=${encodeURIComponent(selector)}`);
      expect(res.status, res.text).toBe(400);
      expect(res.body).toMatchObject({ kind: "Status", status: "Failure", reason: "BadRequest", code: 400 });
      expect(res.body.message).toMatch(message);
    }
  });

  it("refuses a field the resource cannot be selected by, naming it and what is supported", async () => {
    const res = await api("GET", "/api/v1/namespaces/default/pods?fieldSelector=spec.containers%3Dx");
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ kind: "Status", reason: "BadRequest", code: 400 });
    expect(res.body.message).toContain("field label not supported: spec.containers");
    expect(res.body.message).toContain('Unable to find "/v1, Resource=pods"');
    expect(res.body.message).toMatch(/supported: .*spec\.nodeName/);
    const nodes = await api("GET", "/api/v1/nodes?fieldSelector=status.phase%3DRunning");
    expect(nodes.status).toBe(400);
    expect(nodes.body.message).toContain("field label not supported: status.phase");
  });
});

describe("07.5 selectors in the apiserver: watch", () => {
  it("a filtered watch sees an object enter as ADDED and leave as DELETED", async () => {
    const ns = await namespace("sel-watch");
    const base = `/api/v1/namespaces/${ns}/pods`;
    await createPods(ns, [pod("already", { app: "web" }), pod("other", { app: "db" })]);
    const watch = await openWatch(`${cluster.url}${base}?watch=1&labelSelector=${encodeURIComponent("app=web")}`);
    try {
      expect(watch.status).toBe(200);
      const first = await watch.next();
      expect(`${first.type} ${first.object.metadata.name}`).toBe("ADDED already");

      await createPods(ns, [pod("newcomer", { app: "db" })]); // not selected: no event
      await api("PATCH", `${base}/newcomer`, { metadata: { labels: { app: "web" } } }, merge); // enters
      await api("PATCH", `${base}/newcomer`, { metadata: { labels: { version: "2" } } }, merge); // stays
      await api("PATCH", `${base}/already`, { metadata: { labels: { app: "db" } } }, merge); // leaves
      await api("PATCH", `${base}/already`, { metadata: { labels: { version: "3" } } }, merge); // still out: no event
      await api("DELETE", `${base}/other`); // never in: no event
      await api("DELETE", `${base}/newcomer`); // in: DELETED

      const events = [await watch.next(), await watch.next(), await watch.next(), await watch.next()];
      expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual([
        "ADDED newcomer",
        "MODIFIED newcomer",
        "DELETED already",
        "DELETED newcomer",
      ]);
      expect(events[0].object.metadata.labels).toEqual({ app: "web" });
      // DELETED for leaving carries the object as the watcher last saw it (Kubernetes' watch cache does the same).
      expect(events[2].object.metadata.labels).toEqual({ app: "web" });
    } finally {
      watch.close();
    }
  });

  it("a field-selected watch follows a pod as it is bound to a node (what a kubelet watches)", async () => {
    const ns = await namespace("sel-watch-field");
    const base = `/api/v1/namespaces/${ns}/pods`;
    const watch = await openWatch(
      `${cluster.url}/api/v1/pods?watch=1&fieldSelector=${encodeURIComponent("spec.nodeName=node-x")}`,
    );
    try {
      await createPods(ns, [pod("floating", {}), pod("bound", {}, { nodeName: "node-x" })]);
      const added = await watch.next();
      expect(`${added.type} ${added.object.metadata.name}`).toBe("ADDED bound");
      const binding = await api("POST", `${base}/floating/binding`, {
        apiVersion: "v1",
        kind: "Binding",
        metadata: { name: "floating" },
        target: { kind: "Node", name: "node-x" },
      });
      expect(binding.status, binding.text).toBeLessThan(300);
      const bound = await watch.next();
      expect(`${bound.type} ${bound.object.metadata.name} ${bound.object.spec.nodeName}`).toBe("ADDED floating node-x");
    } finally {
      watch.close();
    }
  });
});

describe("07.5 the client and the informer with selectors", () => {
  it("ResourceClient.list passes selectors; an informer with a selector holds only matching objects", async () => {
    const ns = await namespace("sel-informer");
    const pods = client.resource<Pod>(PODS);
    await pods.create(pod("a", { app: "web" }), ns);
    await pods.create(pod("b", { app: "db" }), ns);
    expect(names((await pods.list(ns, { labelSelector: "app=web" })).items)).toEqual(["a"]);
    expect(names((await pods.list(ns, { fieldSelector: "metadata.name=b" })).items)).toEqual(["b"]);

    const calls: string[] = [];
    const informer = new Informer(pods, { namespace: ns, labelSelector: "app=web" })
      .onAdd((p) => void calls.push(`add ${p.metadata?.name}`))
      .onUpdate((_, p) => void calls.push(`update ${p.metadata?.name}`))
      .onDelete((p) => void calls.push(`delete ${p.metadata?.name}`))
      .start();
    try {
      await informer.waitForSync(10_000);
      expect(names(informer.list())).toEqual(["a"]);
      await pods.patch("b", { metadata: { labels: { app: "web" } } }, ns); // b enters
      await waitFor("b to enter the informer's cache", () => informer.get("b", ns) !== undefined);
      await pods.patch("a", { metadata: { labels: { app: "db" } } }, ns); // a leaves
      await waitFor("a to leave the informer's cache", () => informer.get("a", ns) === undefined);
      await pods.create(pod("c", { app: "db" }), ns); // never enters
      await pods.create(pod("d", { app: "web" }), ns);
      await waitFor("d to enter", () => informer.get("d", ns) !== undefined);
      expect(names(informer.list())).toEqual(["b", "d"]);
      expect(calls).toEqual(["add a", "add b", "delete a", "add d"]);
    } finally {
      await informer.stop();
    }
  });
});

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Our kubectl, in-process, against the test cluster. */
function kubectl(args: string[]): Promise<Result> {
  return runOurKubectl(run, cluster.url, args, { plugins: [kubectlPlugin] });
}

const firstColumn = (out: string) =>
  out
    .trimEnd()
    .split("\n")
    .slice(1)
    .map((l) => l.split(/\s+/)[0]);

async function labelsOf(ns: string, name: string): Promise<Record<string, string> | undefined> {
  return (await client.resource<Pod>(PODS).get(name, ns)).metadata?.labels;
}

describe("07.6 our kubectl: get -l, --show-labels, label, annotate, delete -l", () => {
  let ns: string;
  beforeAll(async () => {
    ns = await namespace("sel-kubectl");
    await createPods(ns, [pod("web", { app: "web" }), pod("web-2", { app: "web", tier: "frontend" }), pod("db", { app: "db" })]);
  });

  it("get -l and --field-selector ask the server to filter", async () => {
    const table = await kubectl(["get", "pods", "-n", ns, "-l", "app=web"]);
    expect(table.stderr).toBe("");
    expect(firstColumn(table.stdout)).toEqual(["web", "web-2"]);
    expect(firstColumn((await kubectl(["get", "pods", "-n", ns, "--selector=app notin (web)"])).stdout)).toEqual(["db"]);
    expect((await kubectl(["get", "pods", "-n", ns, "-l", "tier", "-o", "name"])).stdout).toBe("pod/web-2\n");
    expect((await kubectl(["get", "pods", "-n", ns, "--field-selector", "metadata.name=db", "-o", "name"])).stdout).toBe(
      "pod/db\n",
    );
    expect(await kubectl(["get", "pods", "-n", ns, "-l", "app=none"])).toMatchObject({
      code: 0,
      stdout: "",
      stderr: `No resources found in ${ns} namespace.\n`,
    });
  });

  it("a malformed selector is one line from the server, pointing at the bad part", async () => {
    const bad = await kubectl(["get", "pods", "-n", ns, "-l", "app in (a"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(bad.stderr).toMatch(/^Error from server \(BadRequest\): unable to parse labelSelector "app in \(a": .*position 9/);
  });

  it("--show-labels adds a LABELS column to what the selector picks", async () => {
    const out = (await kubectl(["get", "pods", "-n", ns, "-l", "app=web", "--show-labels"])).stdout.trimEnd().split("\n");
    expect(out[0]).toMatch(/^NAME\s.*\sLABELS$/);
    expect(out).toHaveLength(3);
    expect(out[1]).toMatch(/^web\s.*\sapp=web$/);
    expect(out[2]).toMatch(/^web-2\s.*\sapp=web,tier=frontend$/);
  });

  it("label adds, refuses to overwrite without --overwrite, overwrites with it, removes with KEY-", async () => {
    expect(await kubectl(["label", "pod", "web", "-n", ns, "tier=frontend"])).toMatchObject({
      code: 0,
      stdout: "pod/web labeled\n",
    });
    expect(await labelsOf(ns, "web")).toEqual({ app: "web", tier: "frontend" });

    const refused = await kubectl(["label", "pod/web", "-n", ns, "tier=backend"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe("error: 'tier' already has a value (frontend), and --overwrite is false\n");
    expect(await labelsOf(ns, "web")).toEqual({ app: "web", tier: "frontend" });

    expect(await kubectl(["label", "pod", "web", "-n", ns, "tier=backend", "--overwrite"])).toMatchObject({
      code: 0,
      stdout: "pod/web labeled\n",
    });
    expect(await labelsOf(ns, "web")).toEqual({ app: "web", tier: "backend" });

    expect(await kubectl(["label", "pod", "web", "-n", ns, "tier-"])).toMatchObject({ code: 0, stdout: "pod/web labeled\n" });
    expect(await labelsOf(ns, "web")).toEqual({ app: "web" });

    const again = await kubectl(["label", "pod", "web", "-n", ns, "tier-"]);
    expect(again).toMatchObject({ code: 0, stdout: "pod/web not labeled\n", stderr: 'label "tier" not found.\n' });

    expect((await kubectl(["label", "pod", "web", "-n", ns, "bad=no way"])).stderr).toMatch(
      /^error: invalid label value "bad=no way"/,
    );
    expect((await kubectl(["label", "pod", "nope", "-n", ns, "a=b"])).stderr).toBe(
      'Error from server (NotFound): pods "nope" not found\n',
    );
  });

  it("label -l changes every selected pod, and the selection follows", async () => {
    const out = await kubectl(["label", "pods", "-n", ns, "-l", "app=web", "release=blue"]);
    expect(out).toMatchObject({ code: 0, stdout: "pod/web labeled\npod/web-2 labeled\n" });
    expect(firstColumn((await kubectl(["get", "pods", "-n", ns, "-l", "release=blue"])).stdout)).toEqual(["web", "web-2"]);
  });

  it("annotate adds free-text annotations that never affect selection", async () => {
    const out = await kubectl(["annotate", "pod", "db", "-n", ns, "description=the database, v2!", "example.com/commit=abc123"]);
    expect(out).toMatchObject({ code: 0, stdout: "pod/db annotated\n" });
    const db = await client.resource<Pod>(PODS).get("db", ns);
    expect(db.metadata?.annotations).toEqual({ description: "the database, v2!", "example.com/commit": "abc123" });
    expect(db.metadata?.labels).toEqual({ app: "db" });
    expect((await kubectl(["annotate", "pod", "db", "-n", ns, "description=other"])).stderr).toBe(
      "error: 'description' already has a value (the database, v2!), and --overwrite is false\n",
    );
    expect(await kubectl(["annotate", "pod", "db", "-n", ns, "description-"])).toMatchObject({
      code: 0,
      stdout: "pod/db annotated\n",
    });
    expect((await client.resource<Pod>(PODS).get("db", ns)).metadata?.annotations).toEqual({ "example.com/commit": "abc123" });
  });

  it("delete -l deletes what the selector picks, and only that", async () => {
    const out = await kubectl(["delete", "pods", "-n", ns, "-l", "release=blue"]);
    expect(out).toMatchObject({ code: 0, stdout: 'pod "web" deleted\npod "web-2" deleted\n' });
    await waitFor(
      "only db to be left",
      async () => (await kubectl(["get", "pods", "-n", ns, "-o", "name"])).stdout === "pod/db\n",
    );
  });
});

// Skipped only on a machine without kubectl; under CI=true a skip fails the run (test/harness/no-skips-reporter.ts).
const haveKubectl = kubectlAvailable();

describe.skipIf(!haveKubectl)("07 chapter > the real kubectl", () => {
  let k: Kubectl;
  let ns: string;
  beforeAll(async () => {
    ns = await namespace("sel-real");
    k = await kubectlFor(cluster.url, ns);
    await createPods(ns, [
      pod("web", { app: "web" }),
      pod("web-canary", { app: "web", track: "canary" }),
      pod("db", { app: "db" }),
    ]);
  });
  afterAll(async () => {
    await k?.cleanup();
  });

  it("get pods -l app=web lists only the selected pods", async () => {
    const out = await k.ok(["get", "pods", "-l", "app=web"]);
    expect(firstColumn(out)).toEqual(["web", "web-canary"]);
    expect(firstColumn(await k.ok(["get", "pods", "-l", "app=web,!track"]))).toEqual(["web"]);
    expect(firstColumn(await k.ok(["get", "pods", "--field-selector", "metadata.name=db"]))).toEqual(["db"]);
    const labels = await k.ok(["get", "pods", "-l", "track=canary", "--show-labels"]);
    expect(labels).toMatch(/\nweb-canary\s.*app=web,track=canary\n/);
    const bad = await k.run(["get", "pods", "-l", "app in (a"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/BadRequest|unable to parse/);
  });

  it("label pod adds, overwrites and removes a label", async () => {
    expect(await k.ok(["label", "pod", "web", "tier=frontend"])).toContain("pod/web labeled");
    expect(await labelsOf(ns, "web")).toEqual({ app: "web", tier: "frontend" });
    expect(await k.ok(["label", "pod", "web", "tier=backend", "--overwrite"])).toContain("pod/web labeled");
    expect(firstColumn(await k.ok(["get", "pods", "-l", "tier=backend"]))).toEqual(["web"]);
    await k.ok(["label", "pod", "web", "tier-"]);
    expect(await labelsOf(ns, "web")).toEqual({ app: "web" });
  });

  it("describe pod shows only that pod's events (it asks with a field selector)", async () => {
    const events = client.resource<KubeObject & Record<string, unknown>>(EVENTS);
    const now = new Date().toISOString();
    const event = (name: string, podName: string, uid: string | undefined, message: string) => ({
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace: ns },
      involvedObject: { apiVersion: "v1", kind: "Pod", name: podName, namespace: ns, uid },
      reason: "Testing",
      message,
      type: "Normal",
      source: { component: "chapter-07-test" },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    });
    const pods = client.resource<Pod>(PODS);
    await events.create(event("web.1", "web", (await pods.get("web", ns)).metadata?.uid, "about the web pod"), ns);
    await events.create(
      event("canary.1", "web-canary", (await pods.get("web-canary", ns)).metadata?.uid, "about the canary"),
      ns,
    );
    await events.create(event("db.1", "db", (await pods.get("db", ns)).metadata?.uid, "about the db"), ns);

    const described = await k.ok(["describe", "pod", "web"]);
    expect(described).toMatch(/^Name:\s+web$/m);
    expect(described).toMatch(/Normal\s+Testing\s+.*about the web pod/);
    expect(described).not.toContain("about the canary");
    expect(described).not.toContain("about the db");
  });
});
