/**
 * Chapter 03, given code: managedFields and server-side apply
 * (solutions/03-apiserver/fieldmanager/), with the real kubectl where it
 * matters: two appliers, a conflict, a forced take-over.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type TestCluster } from "./harness/cluster.ts";
import { http } from "./harness/http.ts";
import { kubectlAvailable, kubectlFor, type Kubectl } from "./harness/kubectl.ts";

const available = kubectlAvailable();
if (!available && process.env.CI === "true")
  throw new Error("CI=true but /usr/bin/kubectl is missing: CI must run the kubectl tests");

let cluster: TestCluster;
let api: ReturnType<typeof http>;
let kubectl: Kubectl | undefined;
let dir: string;

beforeAll(async () => {
  cluster = await startCluster();
  api = http(cluster.url);
  if (available) kubectl = await kubectlFor(cluster.url);
  dir = await mkdtemp(join(tmpdir(), "k8s-03-apply-"));
});
afterAll(async () => {
  await kubectl?.cleanup();
  await cluster?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function podYaml(name: string, image: string, labels: Record<string, string> = {}): string {
  const labelLines = Object.entries(labels).map(([k, v]) => `    ${k}: "${v}"`);
  return [
    "apiVersion: v1",
    "kind: Pod",
    "metadata:",
    `  name: ${name}`,
    ...(labelLines.length ? ["  labels:", ...labelLines] : []),
    "spec:",
    "  containers:",
    "  - name: main",
    `    image: ${image}`,
    "",
  ].join("\n");
}

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

interface Entry {
  manager: string;
  operation: string;
  apiVersion: string;
  time?: string;
  fieldsType: string;
  fieldsV1: Record<string, any>;
  subresource?: string;
}

async function managedFields(name: string): Promise<Entry[]> {
  const res = await api("GET", `/api/v1/namespaces/default/pods/${name}`);
  expect(res.status, res.text).toBe(200);
  return res.body.metadata.managedFields ?? [];
}

function entryOf(entries: Entry[], manager: string, operation = "Apply"): Entry {
  const e = entries.find((x) => x.manager === manager && x.operation === operation);
  if (!e)
    throw new Error(
      `no ${operation} entry of "${manager}" in managedFields: ${JSON.stringify(entries.map((x) => `${x.manager}/${x.operation}`))}`,
    );
  return e;
}

const IMAGE = 'k:{"name":"main"}';

function apply(name: string, body: string, query: string) {
  return api("PATCH", `/api/v1/namespaces/default/pods/${name}?${query}`, body, {
    "Content-Type": "application/apply-patch+yaml",
  });
}

describe("03 chapter > server-side apply", () => {
  it.skipIf(!available)(
    "03 chapter > kubectl apply --server-side: a second manager conflicts, then takes the field with --force-conflicts",
    async () => {
      const alice = await file("alice.yaml", podYaml("ssa", "busybox:1.36", { tier: "web" }));
      expect(await kubectl!.ok(["apply", "--server-side", "--field-manager=alice", "-f", alice])).toContain(
        "pod/ssa serverside-applied",
      );

      const bob = await file("bob.yaml", podYaml("ssa", "busybox:1.37"));
      const refused = await kubectl!.run(["apply", "--server-side", "--field-manager=bob", "-f", bob]);
      expect(refused.code, "a conflicting apply exits non-zero").not.toBe(0);
      expect(refused.stderr).toContain(
        'Apply failed with 1 conflict: conflict with "alice": .spec.containers[name="main"].image',
      );
      expect(
        (await api("GET", "/api/v1/namespaces/default/pods/ssa")).body.spec.containers[0].image,
        "a refused apply changes nothing",
      ).toBe("busybox:1.36");

      expect(await kubectl!.ok(["apply", "--server-side", "--field-manager=bob", "--force-conflicts", "-f", bob])).toContain(
        "pod/ssa serverside-applied",
      );
      const out = parse(await kubectl!.ok(["get", "pod", "ssa", "-o", "yaml", "--show-managed-fields"]));
      expect(out.spec.containers[0].image).toBe("busybox:1.37");
      const entries: Entry[] = out.metadata.managedFields;
      const bobs = entryOf(entries, "bob");
      expect(bobs.fieldsType).toBe("FieldsV1");
      expect(bobs.apiVersion).toBe("v1");
      expect(bobs.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(bobs.fieldsV1["f:spec"]?.["f:containers"]?.[IMAGE]?.["f:image"], "bob owns the image now").toEqual({});
      const alices = entryOf(entries, "alice");
      expect(alices.fieldsV1["f:spec"]["f:containers"][IMAGE]["f:image"], "alice lost the image").toBeUndefined();
      expect(alices.fieldsV1["f:metadata"]["f:labels"]["f:tier"], "alice still owns her label").toEqual({});
      // Both still say the container exists: shared ownership of the element and its name.
      for (const e of [alices, bobs]) expect(e.fieldsV1["f:spec"]["f:containers"][IMAGE]["f:name"]).toEqual({});

      // Without --show-managed-fields, kubectl hides them (they are still on the object).
      expect(parse(await kubectl!.ok(["get", "pod", "ssa", "-o", "yaml"])).metadata.managedFields).toBeUndefined();
    },
  );

  it.skipIf(!available)(
    "03 chapter > a client-side apply is an Update that a server-side apply then conflicts with",
    async () => {
      const csa = await file("csa.yaml", podYaml("csa", "busybox:1.36", { app: "csa" }));
      expect(await kubectl!.ok(["apply", "-f", csa])).toContain("pod/csa created");
      expect(
        await kubectl!.ok(["apply", "-f", await file("csa2.yaml", podYaml("csa", "busybox:1.37", { app: "csa" }))]),
      ).toContain("pod/csa configured");
      const entries = await managedFields("csa");
      const update = entryOf(entries, "kubectl-client-side-apply", "Update");
      expect(update.fieldsV1["f:spec"]["f:containers"][IMAGE]["f:image"]).toEqual({});

      const r = await kubectl!.run([
        "apply",
        "--server-side",
        "--field-manager=carol",
        "-f",
        await file("carol.yaml", podYaml("csa", "busybox:1.38")),
      ]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('conflict with "kubectl-client-side-apply" using v1: .spec.containers[name="main"].image');
    },
  );

  it("03 chapter > a conflict is a 409 Status with one cause per field", async () => {
    expect((await apply("two", podYaml("two", "busybox:1.36", { a: "1", b: "2" }), "fieldManager=alice")).status).toBe(201);
    const res = await apply("two", podYaml("two", "busybox:1.37", { a: "9", b: "2" }), "fieldManager=bob");
    expect(res.status, res.text).toBe(409);
    expect(res.body.reason).toBe("Conflict");
    expect(res.body.message).toBe(
      'Apply failed with 2 conflicts: conflicts with "alice":\n- .metadata.labels.a\n- .spec.containers[name="main"].image',
    );
    expect(res.body.details.causes).toEqual([
      { reason: "FieldManagerConflict", message: 'conflict with "alice"', field: ".metadata.labels.a" },
      { reason: "FieldManagerConflict", message: 'conflict with "alice"', field: '.spec.containers[name="main"].image' },
    ]);
  });

  it("03 chapter > a field an applier leaves out is removed, unless another manager owns it", async () => {
    expect((await apply("drop", podYaml("drop", "busybox:1.36", { a: "1", b: "2", c: "3" }), "fieldManager=alice")).status).toBe(
      201,
    );
    // bob applies c with the same value: no conflict, c is now shared.
    expect((await apply("drop", podYaml("drop", "busybox:1.36", { c: "3" }), "fieldManager=bob")).status).toBe(200);
    const res = await apply("drop", podYaml("drop", "busybox:1.36", { a: "1" }), "fieldManager=alice");
    expect(res.status, res.text).toBe(200);
    expect(res.body.metadata.labels, "b was only alice's: gone; c is bob's too: kept").toEqual({ a: "1", c: "3" });
  });

  it("03 chapter > apply creates a missing object (201) and records every write's manager", async () => {
    const created = await apply("made", podYaml("made", "busybox:1.36"), "fieldManager=maker");
    expect(created.status, created.text).toBe(201);
    const applied = entryOf(created.body.metadata.managedFields, "maker");
    expect(applied.fieldsV1).toEqual({
      "f:spec": { "f:containers": { [IMAGE]: { ".": {}, "f:image": {}, "f:name": {} } } },
    });

    // An Update without ?fieldManager is recorded under the user agent's first word.
    const patched = await api(
      "PATCH",
      "/api/v1/namespaces/default/pods/made",
      { metadata: { labels: { x: "y" } } },
      {
        "Content-Type": "application/merge-patch+json",
        "User-Agent": "curl/8.5.0",
      },
    );
    expect(patched.status, patched.text).toBe(200);
    const update = entryOf(patched.body.metadata.managedFields, "curl", "Update");
    expect(update.fieldsV1).toEqual({ "f:metadata": { "f:labels": { ".": {}, "f:x": {} } } });
    expect(entryOf(patched.body.metadata.managedFields, "maker").fieldsV1, "the applier keeps what it applied").toEqual(
      applied.fieldsV1,
    );
  });

  it("03 chapter > applying the same configuration again changes nothing (ports keyed by containerPort and protocol)", async () => {
    const config = [
      "apiVersion: v1",
      "kind: Pod",
      "metadata:",
      "  name: again",
      "spec:",
      "  containers:",
      "  - name: main",
      "    image: busybox:1.36",
      "    ports:",
      "    - containerPort: 80",
      "    env:",
      "    - name: A",
      '      value: "1"',
      "",
    ].join("\n");
    const first = await apply("again", config, "fieldManager=alice");
    expect(first.status, first.text).toBe(201);
    const second = await apply("again", config, "fieldManager=alice");
    expect(second.status, second.text).toBe(200);
    expect(second.body.spec.containers[0].ports, "the port the server defaulted (protocol TCP) is the one applied").toEqual([
      { containerPort: 80, protocol: "TCP" },
    ]);
    expect(second.body.metadata.resourceVersion, "an apply that changes nothing does not write").toBe(
      first.body.metadata.resourceVersion,
    );
    const fields = entryOf(second.body.metadata.managedFields, "alice").fieldsV1;
    expect(Object.keys(fields["f:spec"]["f:containers"][IMAGE]["f:ports"])).toEqual(['k:{"containerPort":80,"protocol":"TCP"}']);
    expect(Object.keys(fields["f:spec"]["f:containers"][IMAGE]["f:env"])).toEqual(['k:{"name":"A"}']);
  });

  it("03 chapter > apply requires a fieldManager; force is only for apply", async () => {
    const none = await apply("nope", podYaml("nope", "busybox:1.36"), "");
    expect(none.status, none.text).toBe(422);
    expect(none.body.message).toContain("fieldManager: Required value: is required for apply patch");
    const force = await api(
      "PATCH",
      "/api/v1/namespaces/default/pods/made?force=true",
      { metadata: { labels: { x: "z" } } },
      {
        "Content-Type": "application/merge-patch+json",
      },
    );
    expect(force.status, force.text).toBe(422);
    expect(force.body.message).toContain("force: Forbidden: may not be specified for non-apply patch");
  });
});
