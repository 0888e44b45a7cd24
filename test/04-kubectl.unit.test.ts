/**
 * Chapter 04, the parts that need no server: watch stream parsing, reading
 * manifests, apply's merge patch, table printing and the kubeconfig.
 */
import { mkdtemp, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Chalk } from "chalk";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseWatchEvent, readLines } from "@tree/04-kubectl/client/watch.ts";
import { readKubeconfig, writeKubeconfig } from "@tree/04-kubectl/kubectl/kubeconfig.ts";
import { ManifestError, parseManifests, readManifests } from "@tree/04-kubectl/kubectl/manifests.ts";
import { LAST_APPLIED, lastApplied, threeWayMergePatch, withLastApplied } from "@tree/04-kubectl/kubectl/merge-patch.ts";
import { formatTable, fromServerTable } from "@tree/04-kubectl/kubectl/printers.ts";
import type { Table } from "../shared/api/meta.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "k8s-04-unit-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function* chunks(...parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield part;
}

describe("04.2 watch stream parsing", () => {
  it("splits chunks into lines, whatever the cuts (even inside a UTF-8 character)", async () => {
    const bytes = new TextEncoder().encode('{"type":"ADDED","object":{"n":"é"}}\n\n{"type":"DELETED","object":{}}\n{"type":"MOD');
    // cut inside the two bytes of "é" and in the middle of every line
    const cut = bytes.indexOf(0xc3) + 1;
    const lines: string[] = [];
    for await (const line of readLines(chunks(bytes.slice(0, 5), bytes.slice(5, cut), bytes.slice(cut, 50), bytes.slice(50)))) {
      lines.push(line);
    }
    expect(lines).toEqual(['{"type":"ADDED","object":{"n":"é"}}', '{"type":"DELETED","object":{}}', '{"type":"MOD']);
  });

  it("parses events and rejects lines that are not events", () => {
    expect(parseWatchEvent('{"type":"ADDED","object":{"kind":"Pod"}}')).toEqual({ type: "ADDED", object: { kind: "Pod" } });
    expect(() => parseWatchEvent("<html>oops</html>")).toThrow(/<html>oops/);
    expect(() => parseWatchEvent('{"kind":"Pod"}')).toThrow(/not a watch event/);
    expect(() => parseWatchEvent('{"type":"ADDED","object":"x"}')).toThrow(/not a watch event/);
  });
});

describe("04.6 reading manifests", () => {
  it("reads every document of a multi-document file, skips empty ones, expands a List, keeps lines", () => {
    const text = [
      "# a comment",
      "apiVersion: v1",
      "kind: Pod",
      "metadata: {name: a}",
      "---",
      "---",
      "apiVersion: v1",
      "kind: List",
      "items:",
      "- {apiVersion: v1, kind: Pod, metadata: {name: b}}",
      "- {apiVersion: v1, kind: Namespace, metadata: {name: c}}",
    ].join("\n");
    const manifests = parseManifests(text, "pods.yaml");
    expect(manifests.map((m) => [m.object.kind, m.object.metadata?.name, m.source])).toEqual([
      ["Pod", "a", "pods.yaml"],
      ["Pod", "b", "pods.yaml"],
      ["Namespace", "c", "pods.yaml"],
    ]);
    expect(manifests[1]!.line).toBe(7);
  });

  it("reads a folder's .yaml, .yml and .json files in name order, and stdin for -", async () => {
    const folder = join(dir, "manifests");
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, "b.yml"), "apiVersion: v1\nkind: Pod\nmetadata:\n  name: b\n");
    await writeFile(join(folder, "a.json"), '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"}}');
    await writeFile(join(folder, "notes.txt"), "not a manifest");
    const manifests = await readManifests([folder, "-"], async () => "apiVersion: v1\nkind: Pod\nmetadata: {name: s}\n");
    expect(manifests.map((m) => m.object.metadata?.name)).toEqual(["a", "b", "s"]);
    expect(manifests[0]!.source).toBe(join(folder, "a.json"));
    expect(manifests[2]!.source).toBe("-");
  });

  it("names the file, line and column of bad YAML, and the path that does not exist", async () => {
    const bad = join(dir, "bad.yaml");
    await writeFile(bad, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [oops\n");
    const err = await readManifests([bad]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ManifestError);
    expect((err as Error).message).toMatch(new RegExp(`^${bad}:\\d+:\\d+: invalid YAML: `));
    expect((err as Error).message).not.toContain("\n");
    await expect(readManifests([join(dir, "missing.yaml")])).rejects.toThrow(/missing\.yaml" does not exist/);
    expect(() => parseManifests("kind: Pod\nmetadata: {name: x}\n", "x.yaml")).toThrow(/x\.yaml:1: the Pod has no "apiVersion"/);
    expect(() => parseManifests("- a\n- b\n", "l.yaml")).toThrow(/l\.yaml:1: a manifest must be an object/);
  });
});

describe("04.7 apply's three-way merge patch", () => {
  const live = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web", uid: "u1", labels: { app: "web", tier: "front" }, resourceVersion: "7" },
    spec: { containers: [{ name: "c", image: "busybox", imagePullPolicy: "IfNotPresent" }], nodeName: "n1" },
    status: { phase: "Running" },
  };

  it("sets what changed, removes what the manifest dropped, leaves fields nobody applied alone", () => {
    const original = {
      metadata: { name: "web", labels: { app: "web", tier: "front" } },
      spec: { containers: [{ name: "c", image: "busybox" }] },
    };
    const modified = {
      metadata: { name: "web", labels: { app: "web", color: "blue" } },
      spec: { containers: [{ name: "c", image: "busybox" }] },
    };
    expect(threeWayMergePatch(original, modified, live)).toEqual({ metadata: { labels: { color: "blue", tier: null } } });
  });

  it("is empty when the live object already has everything (server defaults do not count as changes)", () => {
    const manifest = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web", labels: { app: "web", tier: "front" } },
      spec: { containers: [{ name: "c", image: "busybox" }] },
    };
    expect(threeWayMergePatch(manifest, manifest, live)).toEqual({});
  });

  it("replaces a list whole when an element changed or lost a field", () => {
    const original = { spec: { containers: [{ name: "c", image: "busybox", imagePullPolicy: "IfNotPresent" }] } };
    const dropped = { spec: { containers: [{ name: "c", image: "busybox" }] } };
    expect(threeWayMergePatch(original, dropped, live)).toEqual({ spec: { containers: [{ name: "c", image: "busybox" }] } });
    const changed = { spec: { containers: [{ name: "c", image: "nginx" }] } };
    expect(threeWayMergePatch(changed, changed, live)).toEqual({ spec: { containers: [{ name: "c", image: "nginx" }] } });
  });

  it("sets whole objects the live object lacks, and removes a dropped field only if it is still there", () => {
    const original = { spec: { hostname: "h" } }; // applied once, but no longer on the live object
    const modified = { spec: { restartPolicy: "Never" } };
    expect(threeWayMergePatch(original, modified, live)).toEqual({ spec: { restartPolicy: "Never" } });
    expect(threeWayMergePatch(undefined, { spec: { dnsConfig: { nameservers: ["1.1.1.1"] } } }, live)).toEqual({
      spec: { dnsConfig: { nameservers: ["1.1.1.1"] } },
    });
  });

  it("records the manifest in the last-applied annotation, so that applying it again changes nothing", () => {
    const manifest = { apiVersion: "v1", kind: "Pod", metadata: { name: "web", annotations: { team: "a" } } };
    const applied = withLastApplied(manifest);
    const annotations = (applied.metadata as { annotations: Record<string, string> }).annotations;
    expect(annotations.team).toBe("a");
    expect(JSON.parse(annotations[LAST_APPLIED]!)).toEqual(manifest);
    expect(manifest.metadata.annotations).toEqual({ team: "a" }); // the input is not modified

    // what the server stored: the applied object plus its own fields
    const stored = {
      ...applied,
      metadata: { ...applied.metadata, uid: "u1", resourceVersion: "3" },
      status: { phase: "Pending" },
    };
    expect(lastApplied(stored)).toEqual(manifest);
    expect(threeWayMergePatch(lastApplied(stored), withLastApplied(manifest), stored)).toEqual({});

    const edited = { apiVersion: "v1", kind: "Pod", metadata: { name: "web" } }; // the annotation "team" is gone
    expect(threeWayMergePatch(lastApplied(stored), withLastApplied(edited), stored)).toEqual({
      metadata: { annotations: { team: null, [LAST_APPLIED]: JSON.stringify(edited) } },
    });
  });
});

describe("04.8 printing the server's Table", () => {
  const table: Table = {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: { resourceVersion: "9" },
    columnDefinitions: [
      { name: "Name", type: "string", format: "name", description: "", priority: 0 },
      { name: "Status", type: "string", format: "", description: "", priority: 0 },
      { name: "Node", type: "string", format: "", description: "", priority: 1 },
      { name: "Age", type: "string", format: "", description: "", priority: 0 },
    ],
    rows: [
      { cells: ["web", "Running", "node-1", "5m"], object: { metadata: { name: "web", namespace: "shop" } } },
      { cells: ["database-0", "Pending", null, "12s"], object: { metadata: { name: "database-0", namespace: "data" } } },
    ],
  };
  const plain = new Chalk({ level: 0 });

  it("shows the priority-0 columns, aligned, with upper-case headers", () => {
    expect(formatTable(fromServerTable(table), plain)).toBe(
      ["NAME         STATUS    AGE", "web          Running   5m", "database-0   Pending   12s", ""].join("\n"),
    );
  });

  it("adds the wide columns with -o wide and NAMESPACE with -A", () => {
    const printable = fromServerTable(table, { wide: true, withNamespace: true });
    expect(printable.headers).toEqual(["NAMESPACE", "NAME", "STATUS", "NODE", "AGE"]);
    expect(printable.rows).toEqual([
      ["shop", "web", "Running", "node-1", "5m"],
      ["data", "database-0", "Pending", "<none>", "12s"],
    ]);
  });
});

describe("04.9 kubeconfig", () => {
  it("writes a kubeconfig with one cluster, user and context, readable only by its owner, and reads it back", async () => {
    const path = join(dir, "kube", "config");
    await writeKubeconfig(path, { server: "http://127.0.0.1:6443", token: "s3cret", namespace: "shop" });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const doc = parse(await readFile(path, "utf8")) as Record<string, unknown>;
    expect(doc.kind).toBe("Config");
    expect(doc["current-context"]).toBeTruthy();
    expect(await readKubeconfig(path)).toEqual({ server: "http://127.0.0.1:6443", token: "s3cret", namespace: "shop" });
  });

  it("is a kubeconfig that @kubernetes/client-node accepts for an http:// server, with the token", async () => {
    // client-node 1.x refuses a plain-http server unless its cluster entry
    // says insecure-skip-tls-verify; the real kubectl does not care. Checked
    // here, so that a missing flag fails with client-node's own words instead
    // of a time-out in the whole-chapter test of client-node's informer.
    const { KubeConfig } = await import("@kubernetes/client-node");
    const path = join(dir, "client-node", "config");
    await writeKubeconfig(path, { server: "http://127.0.0.1:6443", token: "s3cret", namespace: "shop" });
    const kc = new KubeConfig();
    kc.loadFromString(await readFile(path, "utf8"));
    expect(kc.getCurrentCluster()?.server).toBe("http://127.0.0.1:6443");
    // client-node fills a fetch Headers object (its types name node-fetch's).
    const headers = (await kc.applyToFetchOptions({})).headers as unknown as Headers;
    expect(headers.get("authorization")).toBe("Bearer s3cret");
  });
});
