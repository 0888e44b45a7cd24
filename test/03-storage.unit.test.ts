/**
 * Chapter 03, steps 03.1 and 03.2 on their own: the storage layer and the
 * decoder, called directly, with no HTTP server. The apiserver itself cannot
 * start before step 03.3 (it creates its system namespaces through the create
 * path), so these tests are what a learner sees pass after 03.1 and 03.2.
 * The HTTP tests of the same behaviour are in 03-apiserver.test.ts, under 03.3.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { type ApiError, isApiError } from "../shared/api/index.ts";
import { thrownApiError } from "./harness/expect.ts";
import type { Store } from "../shared/store/types.ts";
import { openEmbeddedStore } from "@tree/02-etcd/index.ts";
import { registerCoreResources } from "@tree/03-apiserver/registry/core/index.ts";
import { ResourceRegistry } from "@tree/03-apiserver/registry/registry.ts";
import type { ApiObject, ResourceDefinition } from "@tree/03-apiserver/registry/types.ts";
import { decodeWithSchema } from "@tree/03-apiserver/rest/decode.ts";
import { objectKey, resourcePrefix } from "@tree/03-apiserver/storage/keys.ts";
import { ObjectStorage } from "@tree/03-apiserver/storage/object-storage.ts";
import { TransformerChain } from "@tree/03-apiserver/storage/transformers.ts";

let store: Store & { close(): Promise<void> };
let storage: ObjectStorage;
let pods: ResourceDefinition;
let nodes: ResourceDefinition;

beforeAll(async () => {
  store = await openEmbeddedStore(); // in memory
  storage = new ObjectStorage(store, new TransformerChain());
  const registry = new ResourceRegistry();
  registerCoreResources(registry);
  pods = registry.lookup("", "v1", "pods")!;
  nodes = registry.lookup("", "v1", "nodes")!;
});
afterAll(async () => {
  await store?.close();
});

function pod(name: string, namespace = "default"): ApiObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace, labels: { app: "web" } },
    spec: { containers: [{ name: "main", image: "busybox:1.36" }] },
  };
}

it("03.1 keeps each object under its key in the store", async () => {
  expect(objectKey(pods, "default", "web")).toBe("/registry/pods/default/web");
  expect(objectKey(nodes, undefined, "node-a")).toBe("/registry/nodes/node-a");
  expect(resourcePrefix(pods, "dev")).toBe("/registry/pods/dev/");
  expect(resourcePrefix(pods)).toBe("/registry/pods/");
  expect(resourcePrefix(nodes)).toBe("/registry/nodes/");

  // "dev" is the start of "dev2": a list of dev must not see dev2's pods.
  for (const ns of ["dev", "dev2"]) await storage.create(pods, pod(`in-${ns}`, ns));
  expect((await storage.list(pods, "dev")).items.map((p) => p.metadata?.name)).toEqual(["in-dev"]);
  expect(await store.get("/registry/pods/dev2/in-dev2")).toBeDefined();
});

it("03.1 storage > stores an object under its key and reads it back with the store revision as resourceVersion", async () => {
  const created = await storage.create(pods, pod("crud-1"));
  expect(created.metadata?.resourceVersion).toMatch(/^\d+$/);
  const kv = await store.get("/registry/pods/default/crud-1");
  expect(kv?.modRevision).toBe(Number(created.metadata?.resourceVersion));
  // The store's revision is the truth: the stored value carries no resourceVersion of its own.
  expect(JSON.parse(kv!.value).metadata).not.toHaveProperty("resourceVersion");

  const got = await storage.get(pods, "default", "crud-1");
  expect(got).toMatchObject({ apiVersion: "v1", kind: "Pod", metadata: { name: "crud-1", namespace: "default" } });
  expect(got.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
});

it("03.1 storage > answers 409 AlreadyExists for a taken name and 404 NotFound for a missing one", async () => {
  await storage.create(pods, pod("dup"));
  const again = await thrownApiError(storage.create(pods, pod("dup")));
  expect(isApiError(again, "AlreadyExists"), again.message).toBe(true);
  expect(again.message).toBe('pods "dup" already exists');
  const missing = await thrownApiError(storage.get(pods, "default", "nope"));
  expect(isApiError(missing, "NotFound"), missing.message).toBe(true);
  expect(missing.message).toBe('pods "nope" not found');
});

it("03.1 storage > lists one namespace or all, with the store revision as the list's resourceVersion", async () => {
  await storage.create(pods, pod("crud-2"));
  await storage.create(pods, pod("elsewhere", "other-ns"));
  const inDefault = await storage.list(pods, "default");
  expect(inDefault.revision).toBe(await store.revision());
  const names = inDefault.items.map((p) => p.metadata?.name);
  expect(names).toEqual(expect.arrayContaining(["crud-1", "crud-2"]));
  expect(names).not.toContain("elsewhere");
  for (const item of inDefault.items) expect(item.metadata?.resourceVersion).toMatch(/^\d+$/);
  const all = (await storage.list(pods)).items.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`);
  expect(all).toEqual(expect.arrayContaining(["default/crud-1", "other-ns/elsewhere"]));
});

it("03.1 storage > writes and deletes only at the expected resourceVersion", async () => {
  const created = await storage.create(pods, pod("rmw"));
  const rv = created.metadata!.resourceVersion!;
  const changed = { ...created, metadata: { ...created.metadata, labels: { app: "db" } } };
  const updated = await storage.update(pods, changed, rv);
  expect(Number(updated.metadata?.resourceVersion)).toBeGreaterThan(Number(rv));
  expect((await storage.get(pods, "default", "rmw")).metadata?.labels).toEqual({ app: "db" });
  // The object changed since rv: a second writer holding rv must not overwrite it.
  expect(isApiError(await thrownApiError(storage.update(pods, changed, rv)), "Conflict")).toBe(true);
  expect(isApiError(await thrownApiError(storage.delete(pods, updated, rv)), "Conflict")).toBe(true);
  // A version is text from a client: one that is not a number matches nothing.
  expect(isApiError(await thrownApiError(storage.update(pods, changed, "abc")), "Conflict")).toBe(true);
  expect(isApiError(await thrownApiError(storage.delete(pods, updated, "abc")), "Conflict")).toBe(true);

  await storage.delete(pods, updated, updated.metadata?.resourceVersion);
  expect(isApiError(await thrownApiError(storage.get(pods, "default", "rmw")), "NotFound")).toBe(true);
  expect(isApiError(await thrownApiError(storage.delete(pods, updated)), "NotFound")).toBe(true);
  expect(isApiError(await thrownApiError(storage.update(pods, changed, updated.metadata!.resourceVersion!)), "NotFound")).toBe(
    true,
  );
});

it("03.1 storage > keeps a cluster-scoped object under a key with no namespace", async () => {
  const node = await storage.create(nodes, { apiVersion: "v1", kind: "Node", metadata: { name: "node-a" } });
  expect(node.metadata?.namespace).toBeUndefined();
  expect(await store.get("/registry/nodes/node-a")).toBeDefined();
  expect((await storage.get(nodes, undefined, "node-a")).metadata?.name).toBe("node-a");
  expect((await storage.list(nodes)).items.map((n) => n.metadata?.name)).toEqual(["node-a"]);
});

const schema = {
  type: "object" as const,
  properties: {
    metadata: {
      type: "object" as const,
      properties: {
        name: { type: "string" as const },
        labels: { type: "object" as const, additionalProperties: { type: "string" as const } },
      },
    },
    spec: {
      type: "object" as const,
      properties: {
        replicas: { type: "integer" as const },
        port: { "x-kubernetes-int-or-string": true as const },
        items: { type: "array" as const, items: { type: "object" as const, properties: { name: { type: "string" as const } } } },
        extra: { type: "object" as const, "x-kubernetes-preserve-unknown-fields": true as const },
      },
    },
  },
};
const typeMeta = { apiVersion: "v1", kind: "Thing" };

it("03.2 decodes a body along the schema", () => {
  const body = {
    metadata: { name: "a", labels: { app: "web" }, bogus: 1 },
    spec: {
      replicas: 3,
      port: "http",
      items: [{ name: "x", color: "red" }, null],
      extra: { anything: [1, { deep: true }] },
      gone: null,
    },
  };
  const { obj, warnings } = decodeWithSchema(body, schema, "Thing cannot be handled", "Warn", typeMeta);
  expect(obj).toEqual({
    apiVersion: "v1",
    kind: "Thing",
    metadata: { name: "a", labels: { app: "web" } },
    spec: { replicas: 3, port: "http", items: [{ name: "x" }], extra: { anything: [1, { deep: true }] } },
  });
  expect(warnings.sort()).toEqual(['unknown field "metadata.bogus"', 'unknown field "spec.items[0].color"']);

  // Strict: the unknown fields are an error; Ignore: dropped without a word.
  expect(() => decodeWithSchema(body, schema, "Thing cannot be handled", "Strict", typeMeta)).toThrow(/spec\.items\[0\]\.color/);
  expect(decodeWithSchema(body, schema, "Thing cannot be handled", "Ignore", typeMeta).warnings).toEqual([]);

  // Wrong types are a 400 that names the field.
  for (const [bad, path] of [
    [{ spec: { replicas: "3" } }, "spec.replicas"],
    [{ spec: { replicas: 1.5 } }, "spec.replicas"],
    [{ spec: { port: 8.5 } }, "spec.port"],
    [{ spec: { items: { name: "x" } } }, "spec.items"],
    [{ metadata: { labels: { app: 7 } } }, "metadata.labels.app"],
  ] as const) {
    let err: unknown;
    try {
      decodeWithSchema(bad as Record<string, unknown>, schema, "Thing cannot be handled", "Ignore", typeMeta);
    } catch (e) {
      err = e;
    }
    expect(isApiError(err, "BadRequest"), `${JSON.stringify(bad)} must be a 400`).toBe(true);
    expect((err as ApiError).message).toContain(path);
  }
  expect(decodeWithSchema({ spec: { port: 8080 } }, schema, "x", "Strict", typeMeta).obj.spec).toEqual({ port: 8080 });
});
