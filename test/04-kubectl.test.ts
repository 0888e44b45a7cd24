/**
 * Chapter 04, the learner's kubectl, called in-process through run() against
 * the chapter 03 apiserver; and the kubeconfig, checked with the real kubectl.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVENTS, NAMESPACES, PODS } from "@tree/04-kubectl/client/resources.ts";
import { isApiError, RestClient } from "@tree/04-kubectl/client/rest.ts";
import { writeKubeconfig } from "@tree/04-kubectl/kubectl/kubeconfig.ts";
import { run } from "@tree/04-kubectl/kubectl/main.ts";
import type { KubeObject, List, Pod } from "../shared/api/index.ts";
import { startCluster, type TestCluster } from "./harness/cluster.ts";
import { KUBECTL_PATH, kubectlAvailable } from "./harness/kubectl.ts";
import { startTcpProxy } from "./harness/tcp-proxy.ts";
import { waitFor } from "./harness/wait.ts";

let cluster: TestCluster;
let dir: string;

beforeAll(async () => {
  cluster = await startCluster();
  dir = await mkdtemp(join(tmpdir(), "k8s-04-kubectl-"));
});
afterAll(async () => {
  await cluster?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs our kubectl against the test cluster; output is captured, colour is off (not a TTY). */
async function kubectl(
  args: string[],
  options: { stdin?: string; signal?: AbortSignal; live?: { stdout: string } } = {},
): Promise<Result> {
  const out = options.live ?? { stdout: "" };
  let stderr = "";
  const code = await run(["--server", cluster.url, ...args], {
    stdout: { write: (s: string) => void (out.stdout += s) },
    stderr: { write: (s: string) => void (stderr += s) },
    stdin:
      options.stdin === undefined
        ? undefined
        : (async function* () {
            yield options.stdin!;
          })(),
    env: {},
    signal: options.signal,
  });
  return { code, stdout: out.stdout, stderr };
}

/** A failure is one readable line on stderr and exit code 1. */
function expectOneLineError(result: Result, pattern: RegExp): void {
  expect(result.code).toBe(1);
  expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(result.stderr.trimEnd()).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

const podYaml = (name: string, labels = "app: shop", ns = "shop") => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ${ns}
  labels:
    ${labels}
spec:
  containers:
  - name: main
    image: busybox
    command: ["sleep", "3600"]
`;

/**
 * Makes sure a namespace and its pods exist, written with the REST client
 * (04.1). When the whole file runs, the tests share the "shop" namespace that
 * apply (04.7) and create (04.6) fill. But `npm run check 04.k` runs only the
 * tests of step k: so a test first creates what it reads, and skips what an
 * earlier test already created.
 */
async function given(namespace: string, podNames: string[] = []): Promise<void> {
  const client = new RestClient({ server: cluster.url });
  const unlessExists = (err: unknown) => {
    if (!isApiError(err, "AlreadyExists")) throw err;
  };
  await client
    .resource(NAMESPACES)
    .create({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } })
    .catch(unlessExists);
  for (const name of podNames) {
    await client
      .resource<Pod>(PODS)
      .create(parse(podYaml(name, "app: shop", namespace)) as Pod, namespace)
      .catch(unlessExists);
  }
}

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await mkdir(join(path, ".."), { recursive: true });
  await writeFile(path, text);
  return path;
}

it("04.7 kubectl > applies a multi-document file: created, then unchanged, then configured (a removed label is removed)", async () => {
  const app = await file(
    "app.yaml",
    `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\n${podYaml("web")}---\n${podYaml("db")}`,
  );
  const first = await kubectl(["apply", "-f", app]);
  expect(first.stderr).toBe("");
  expect(first).toMatchObject({ code: 0, stdout: "namespace/shop created\npod/web created\npod/db created\n" });

  const again = await kubectl(["apply", "-f", app]);
  expect(again).toMatchObject({ code: 0, stdout: "namespace/shop unchanged\npod/web unchanged\npod/db unchanged\n" });

  await file(
    "app.yaml",
    `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\n${podYaml("web", "tier: front")}---\n${podYaml("db")}`,
  );
  const changed = await kubectl(["apply", "-f", app]);
  expect(changed).toMatchObject({ code: 0, stdout: "namespace/shop unchanged\npod/web configured\npod/db unchanged\n" });
  const web = JSON.parse((await kubectl(["get", "pod", "web", "-n", "shop", "-o", "json"])).stdout) as Pod;
  expect(web.metadata?.labels).toEqual({ tier: "front" });
  expect(web.metadata?.annotations?.["kubectl.kubernetes.io/last-applied-configuration"]).toContain('"tier":"front"');
});

it("04.6 kubectl > creates from a folder and from stdin; creating again is AlreadyExists", async () => {
  await given("shop");
  await file("folder/a.yaml", podYaml("a", "app: folder"));
  await file("folder/b.yml", podYaml("b", "app: folder"));
  await file("folder/README.md", "not a manifest");
  const created = await kubectl(["create", "-f", join(dir, "folder")]);
  expect(created).toMatchObject({ code: 0, stdout: "pod/a created\npod/b created\n" });

  const fromStdin = await kubectl(["create", "-f", "-"], { stdin: podYaml("s", "app: stdin") });
  expect(fromStdin).toMatchObject({ code: 0, stdout: "pod/s created\n" });

  const twice = await kubectl(["create", "-f", join(dir, "folder", "a.yaml")]);
  expectOneLineError(twice, /^Error from server \(AlreadyExists\): pods "a" already exists/);
});

it("04.8 kubectl > gets tables by resource name and short name, and -o yaml, json, name, wide", async () => {
  await given("shop", ["a", "b", "db", "s", "web"]);
  const table = await kubectl(["get", "pods", "-n", "shop"]);
  expect(table.code).toBe(0);
  const lines = table.stdout.trimEnd().split("\n");
  expect(lines[0]).toMatch(/^NAME\s+.*AGE/);
  expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(["a", "b", "db", "s", "web"]);
  // columns are aligned: each column starts at the same place in every line
  const starts = [...lines[0]!.matchAll(/(?<=^|\s{3})\S/g)].map((m) => m.index);
  expect(starts.length).toBeGreaterThanOrEqual(2);
  for (const line of lines) {
    for (const at of starts) expect(at === 0 ? line[0] : line.slice(at! - 1, at! + 1)).toMatch(at === 0 ? /^\S$/ : /^ \S$/);
  }

  const firstColumn = (r: Result) => r.stdout.split("\n").map((l) => l.split(/\s/)[0]);
  expect(firstColumn(await kubectl(["get", "po", "-n", "shop"]))).toEqual(firstColumn(table));
  expect((await kubectl(["get", "pod/web", "-n", "shop"])).stdout.split("\n")[1]).toMatch(/^web\s/);

  const yaml = parse((await kubectl(["get", "pod", "web", "-n", "shop", "-o", "yaml"])).stdout) as Pod;
  expect(yaml).toMatchObject({ apiVersion: "v1", kind: "Pod", metadata: { name: "web", namespace: "shop" } });

  const json = JSON.parse((await kubectl(["get", "pods", "-n", "shop", "-o", "json"])).stdout) as List<Pod>;
  expect(json.kind).toBe("List");
  expect(json.items.map((p) => `${p.kind}/${p.metadata?.name}`)).toEqual(["Pod/a", "Pod/b", "Pod/db", "Pod/s", "Pod/web"]);

  expect((await kubectl(["get", "pods", "-n", "shop", "-o", "name"])).stdout).toBe("pod/a\npod/b\npod/db\npod/s\npod/web\n");

  const all = await kubectl(["get", "pods", "-A"]);
  expect(all.stdout.split("\n")[0]).toMatch(/^NAMESPACE\s+NAME\s/);
  expect(all.stdout).toMatch(/\nshop\s+web\s/);

  const namespaces = await kubectl(["get", "ns"]);
  expect(namespaces.stdout).toMatch(/\nshop\s/);
  expect(namespaces.stdout).toMatch(/\ndefault\s/);

  const none = await kubectl(["get", "pods", "-n", "empty"]);
  expect(none).toMatchObject({ code: 0, stdout: "", stderr: "No resources found in empty namespace.\n" });
});

it("04 chapter > kubectl > describes a pod with its events", async () => {
  const web = JSON.parse((await kubectl(["get", "pod", "web", "-n", "shop", "-o", "json"])).stdout) as Pod;
  const events = new RestClient({ server: cluster.url }).resource<KubeObject & Record<string, unknown>>(EVENTS);
  const event = (name: string, involvedObject: Record<string, string | undefined>, message: string) => ({
    apiVersion: "v1",
    kind: "Event",
    metadata: { name, namespace: "shop" },
    involvedObject,
    reason: "Testing",
    message,
    type: "Normal",
    source: { component: "chapter-04-test" },
    firstTimestamp: new Date().toISOString(),
    lastTimestamp: new Date().toISOString(),
    count: 1,
  });
  await events.create(
    event("web.1", { kind: "Pod", name: "web", namespace: "shop", uid: web.metadata?.uid }, "about web"),
    "shop",
  );
  await events.create(event("db.1", { kind: "Pod", name: "db", namespace: "shop" }, "about db"), "shop");

  const described = await kubectl(["describe", "pod", "web", "-n", "shop"]);
  expect(described.code).toBe(0);
  expect(described.stdout).toMatch(/^Name:\s+web$/m);
  expect(described.stdout).toMatch(/^Namespace:\s+shop$/m);
  expect(described.stdout).toMatch(/^Labels:\s+tier=front$/m);
  expect(described.stdout).toMatch(/Image:\s+busybox/);
  expect(described.stdout).toMatch(
    /^Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message\n\s+Normal\s+Testing\s+\S+\s+chapter-04-test\s+about web$/m,
  );
  expect(described.stdout).not.toContain("about db");
});

it("04 chapter > kubectl > deletes by name, by TYPE/NAME and by -f", async () => {
  expect(await kubectl(["delete", "pod", "s", "-n", "shop"])).toMatchObject({ code: 0, stdout: 'pod "s" deleted\n' });
  expect(await kubectl(["delete", "po/db", "-n", "shop"])).toMatchObject({ code: 0, stdout: 'pod "db" deleted\n' });
  expect(await kubectl(["delete", "-f", join(dir, "folder")])).toMatchObject({
    code: 0,
    stdout: 'pod "a" deleted\npod "b" deleted\n',
  });
  await waitFor(
    "only web to be left",
    async () => (await kubectl(["get", "pods", "-n", "shop", "-o", "name"])).stdout === "pod/web\n",
  );
  expectOneLineError(await kubectl(["delete", "pod", "s", "-n", "shop"]), /^Error from server \(NotFound\): pods "s" not found$/);
  expectOneLineError(await kubectl(["get", "pod", "s", "-n", "shop"]), /^Error from server \(NotFound\): pods "s" not found$/);
});

/**
 * Runs `kubectl get pods -w` in a namespace of its own, with pods written by
 * the REST client (04.1): the watch tests must not depend on the apply and
 * create tests (04.6, 04.7) running first. Returns the result after Ctrl-C.
 */
async function watchPods(namespace: string, extraArgs: string[], shows: (name: string) => RegExp): Promise<Result> {
  const client = new RestClient({ server: cluster.url });
  const pod = (name: string): Pod => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name },
    spec: { containers: [{ name: "main", image: "busybox:latest" }] },
  });
  await client.resource(NAMESPACES).create({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
  await client.resource<Pod>(PODS).create(pod("first"), namespace);
  const abort = new AbortController();
  const live = { stdout: "" };
  const watching = kubectl(["get", "pods", "-n", namespace, "-w", ...extraArgs], { signal: abort.signal, live });
  await waitFor("the first pod to be printed", () => shows("first").test(live.stdout));
  await client.resource<Pod>(PODS).create(pod("watched"), namespace);
  await waitFor("the new pod to show up in the watch", () => shows("watched").test(live.stdout));
  abort.abort();
  return watching;
}

// -o name prints no table, so this part needs only the watch (04.3); the
// table rows of a watch come from the server's Table (04.8), tested below.
it("04.3 kubectl > get -w -o name prints changes as they happen until interrupted", async () => {
  const result = await watchPods("watching-names", ["-o", "name"], (name) => new RegExp(`(^|\\n)pod/${name}\\n`));
  expect(result.code).toBe(0);
  expect(result.stdout.split("\n")[0]).toBe("pod/first");
});

it("04.8 kubectl > get -w prints changes as table rows as they happen until interrupted", async () => {
  const result = await watchPods("watching", [], (name) => new RegExp(`\\n${name}\\s`));
  expect(result.code).toBe(0);
  expect(result.stdout.split("\n")[0]).toMatch(/^NAME\s/);
});

it("04.6 kubectl bad input, one line, exit 1 > a missing file", async () => {
  expectOneLineError(await kubectl(["apply", "-f", join(dir, "nope.yaml")]), /^error: the path ".*nope\.yaml" does not exist$/);
});

it("04.6 kubectl bad input, one line, exit 1 > malformed YAML and malformed JSON name the file and line", async () => {
  const yaml = await file("broken.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels: {a: b\n");
  expectOneLineError(await kubectl(["apply", "-f", yaml]), /^error: .*broken\.yaml:\d+:\d+: invalid YAML: /);
  const json = await file("broken.json", '{"apiVersion": "v1",\n "kind": "Pod",\n "metadata": {"name": "x"},,\n}');
  expectOneLineError(await kubectl(["create", "-f", json]), /^error: .*broken\.json:3:\d+: invalid YAML: /);
});

it("04 chapter > kubectl bad input, one line, exit 1 > an unknown kind and an unknown resource type", async () => {
  const odd = await file("odd.yaml", "apiVersion: v1\nkind: Unicorn\nmetadata:\n  name: x\n");
  expectOneLineError(await kubectl(["apply", "-f", odd]), /^error: .*odd\.yaml:1: unknown kind "Unicorn" in version "v1"/);
  expectOneLineError(await kubectl(["get", "unicorns"]), /^error: the server doesn't have a resource type "unicorns"$/);
  expectOneLineError(await kubectl(["get", "pods", "--bogus"]), /^error: unknown flag: --bogus/);
});

it("04.1 kubectl bad input, one line, exit 1 > a server that is down", async () => {
  const doomed = await startTcpProxy(cluster.url);
  const url = doomed.url;
  await doomed.close();
  let stderr = "";
  const code = await run(["get", "pods", "--server", url], {
    stdout: { write: () => true },
    stderr: { write: (s: string) => void (stderr += s) },
    env: {},
  });
  expectOneLineError(
    { code, stdout: "", stderr },
    new RegExp(`^The connection to the server ${new URL(url).host} was refused - did you specify the right host or port\\?$`),
  );
});

describe("04 chapter > the launcher", () => {
  it("`npm run kubectl` (workshop/kubectl.ts) runs the kubectl of the tree under test", async () => {
    const tree = process.env.WORKSHOP_TREE ?? "solutions";
    const launcher = join(import.meta.dirname, "..", "workshop", "kubectl.ts");
    const result = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", launcher, "--tree", tree, "get", "pods", "-n", "shop", "-o", "name", "--server", cluster.url],
      { env: { ...process.env, NO_COLOR: "1" }, timeout: 30_000 },
    );
    expect(result.stdout).toContain("pod/web\n");
  });
});

describe("04.9 kubeconfig", () => {
  const realKubectl = KUBECTL_PATH;
  const haveKubectl = kubectlAvailable();
  if (!haveKubectl && process.env.CI !== "true") console.warn(`${realKubectl} is missing: skipping the real-kubectl test`);

  it.skipIf(!haveKubectl && process.env.CI !== "true")(
    "the kubeconfig we write works for our kubectl and for the real one",
    async () => {
      await given("shop", ["web"]);
      const path = join(dir, "kube", "config");
      await writeKubeconfig(path, { server: cluster.url, namespace: "shop" });
      let stdout = "";
      const code = await run(["get", "pods", "-o", "name"], {
        stdout: { write: (s: string) => void (stdout += s) },
        stderr: { write: () => true },
        env: { KUBECONFIG: path },
      });
      expect({ code, stdout }).toEqual({ code: 0, stdout: expect.stringContaining("pod/web\n") });

      const real = await promisify(execFile)(realKubectl, ["get", "pods", "-o", "name"], {
        env: { ...process.env, KUBECONFIG: path, HOME: dir },
        timeout: 30_000,
      });
      expect(real.stdout).toContain("pod/web");
    },
  );
});
