/**
 * Chapter 03: the real kubectl (v1.32) against our apiserver, with no extra
 * flags (in particular no --validate=false): discovery, OpenAPI, Tables,
 * strict field validation, create, get, describe, apply, delete.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type TestCluster } from "./harness/cluster.ts";
import { kubectlAvailable, kubectlFor, type Kubectl } from "./harness/kubectl.ts";

const available = kubectlAvailable();
if (!available && process.env.CI === "true")
  throw new Error("CI=true but /usr/bin/kubectl is missing: CI must run the kubectl tests");
if (!available) console.warn("skipping the real-kubectl tests: /usr/bin/kubectl is not installed");

let cluster: TestCluster;
let kubectl: Kubectl;
let dir: string;

beforeAll(async () => {
  if (!available) return;
  cluster = await startCluster();
  kubectl = await kubectlFor(cluster.url);
  dir = await mkdtemp(join(tmpdir(), "k8s-03-manifests-"));
});
afterAll(async () => {
  await kubectl?.cleanup();
  await cluster?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function manifest(name: string, image: string, labels: Record<string, string>): string {
  const labelLines = Object.entries(labels)
    .map(([k, v]) => `    ${k}: ${v}`)
    .join("\n");
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels:
${labelLines}
spec:
  containers:
  - name: web
    image: ${image}
    ports:
    - containerPort: 80
`;
}

describe.skipIf(!available)("03 chapter > the real kubectl", () => {
  it("creates from a manifest and lists with the server's table columns", async () => {
    const file = join(dir, "web.yaml");
    await writeFile(file, manifest("web", "nginx:1.25", { app: "web" }));
    expect(await kubectl.ok(["create", "-f", file])).toContain("pod/web created");
    const out = await kubectl.ok(["get", "pods"]);
    const [header, ...rows] = out.trim().split("\n");
    expect(header!.split(/\s{2,}/)).toEqual(["NAME", "READY", "STATUS", "RESTARTS", "AGE"]);
    expect(rows.find((r) => r.startsWith("web "))).toMatch(/^web\s+0\/1\s+Pending\s+0\s+\d+s$/);
    const wide = await kubectl.ok(["get", "pods", "-o", "wide"]);
    expect(wide.split("\n")[0]).toMatch(/IP\s+NODE/);
  });

  it("gets -o yaml and describes", async () => {
    const obj = parse(await kubectl.ok(["get", "pod", "web", "-o", "yaml"]));
    expect(obj).toMatchObject({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web", namespace: "default" },
      spec: { containers: [{ image: "nginx:1.25" }] },
    });
    expect(obj.metadata.uid).toBeTruthy();
    const described = await kubectl.ok(["describe", "pod", "web"]);
    expect(described).toMatch(/Name:\s+web/);
    expect(described).toMatch(/Image:\s+nginx:1\.25/);
    expect(described).toMatch(/Status:\s+Pending/);
  });

  it("rejects unknown fields in a manifest (kubectl asks for strict validation)", async () => {
    const file = join(dir, "typo.yaml");
    await writeFile(file, manifest("typo", "nginx", { app: "typo" }).replace("    ports:", "    portz:"));
    const res = await kubectl.run(["create", "-f", file]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('unknown field "spec.containers[0].portz"');
  });

  it("applies twice: create, then a patch that keeps last-applied-configuration", async () => {
    const file = join(dir, "app.yaml");
    await writeFile(file, manifest("app", "nginx:1.25", { app: "shop" }));
    expect(await kubectl.ok(["apply", "-f", file])).toContain("pod/app created");
    await writeFile(file, manifest("app", "nginx:1.27", { app: "shop", tier: "front" }));
    expect(await kubectl.ok(["apply", "-f", file])).toContain("pod/app configured");
    const obj = parse(await kubectl.ok(["get", "pod", "app", "-o", "yaml"]));
    expect(obj.spec.containers[0].image).toBe("nginx:1.27");
    expect(obj.metadata.labels).toEqual({ app: "shop", tier: "front" });
    const last = JSON.parse(obj.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]);
    expect(last.metadata.labels).toEqual({ app: "shop", tier: "front" });
    // Removing a label from the manifest removes it from the object (apply computes a deletion).
    await writeFile(file, manifest("app", "nginx:1.27", { app: "shop" }));
    await kubectl.ok(["apply", "-f", file]);
    expect(parse(await kubectl.ok(["get", "pod", "app", "-o", "yaml"])).metadata.labels).toEqual({ app: "shop" });
    expect((await kubectl.ok(["apply", "-f", file])).trim()).toBe("pod/app unchanged");
  });

  it("gets nodes and namespaces with their columns", async () => {
    const ns = await kubectl.ok(["get", "namespaces"]);
    expect(ns.split("\n")[0]!.split(/\s{2,}/)).toEqual(["NAME", "STATUS", "AGE"]);
    expect(ns).toMatch(/default\s+Active/);
    await fetch(`${cluster.url}/api/v1/nodes`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ metadata: { name: "n1" } }),
    });
    const nodes = await kubectl.ok(["get", "nodes"]);
    expect(nodes.split("\n")[0]!.split(/\s{2,}/)).toEqual(["NAME", "STATUS", "ROLES", "AGE", "VERSION"]);
    expect(nodes).toMatch(/n1\s+Unknown\s+<none>/);
  });

  it("deletes", async () => {
    expect(await kubectl.ok(["delete", "pod", "web"])).toContain('pod "web" deleted');
    expect(await kubectl.ok(["delete", "-f", join(dir, "app.yaml")])).toContain('pod "app" deleted');
    const res = await kubectl.run(["get", "pod", "web"]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('pods "web" not found');
  });
});
