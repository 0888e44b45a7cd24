/**
 * Chapter 03: the apiserver over HTTP. CRUD with Kubernetes paths and shapes,
 * optimistic concurrency, the status subresource, patches, namespaces,
 * validation, Tables, discovery and errors as Status objects.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type TestCluster } from "./harness/cluster.ts";
import { http } from "./harness/http.ts";
import { waitFor } from "./harness/wait.ts";

let cluster: TestCluster;
let api: ReturnType<typeof http>;

beforeAll(async () => {
  cluster = await startCluster();
  api = http(cluster.url);
});
afterAll(async () => {
  await cluster?.close();
});

const PODS = "/api/v1/namespaces/default/pods";

function pod(name: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { app: "web" } },
    spec: { containers: [{ name: "main", image: "busybox:1.36", command: ["sleep", "3600"] }] },
    ...extra,
  };
}

function expectStatus(res: { status: number; body: any }, code: number, reason: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(code);
  expect(res.body).toMatchObject({ kind: "Status", apiVersion: "v1", status: "Failure", code, reason });
  expect(typeof res.body.message).toBe("string");
}

it("03.3 create > creates a pod with server-set metadata and reads it back", async () => {
  const created = await api("POST", PODS, pod("crud-1"));
  expect(created.status).toBe(201);
  const meta = created.body.metadata;
  expect(meta).toMatchObject({ name: "crud-1", namespace: "default" });
  expect(meta.uid).toMatch(/^[0-9a-f-]{36}$/);
  expect(meta.resourceVersion).toMatch(/^\d+$/);
  expect(Date.parse(meta.creationTimestamp)).not.toBeNaN();
  expect(created.body.status.phase).toBe("Pending");
  expect(created.body.spec.restartPolicy).toBe("Always"); // a default

  const got = await api("GET", `${PODS}/crud-1`);
  expect(got.status).toBe(200);
  expect(got.body).toMatchObject({ apiVersion: "v1", kind: "Pod" });
  expect(got.body.metadata.uid).toBe(meta.uid);
  expect(got.body.metadata.resourceVersion).toBe(meta.resourceVersion);
  // The object is stored under the Kubernetes key.
  const kv = await cluster.store.get("/registry/pods/default/crud-1");
  expect(kv?.modRevision).toBe(Number(meta.resourceVersion));
});

it("03.3 create > lists with the store revision as the list's resourceVersion", async () => {
  await api("POST", PODS, pod("crud-2"));
  const list = await api("GET", PODS);
  expect(list.status).toBe(200);
  expect(list.body.kind).toBe("PodList");
  expect(list.body.metadata.resourceVersion).toBe(String(await cluster.store.revision()));
  const names = list.body.items.map((p: any) => p.metadata.name);
  expect(names).toEqual(expect.arrayContaining(["crud-1", "crud-2"]));
  for (const item of list.body.items) expect(item.metadata.resourceVersion).toMatch(/^\d+$/);
});

it("03.3 create > lists across all namespaces at /api/v1/pods", async () => {
  expect((await api("POST", "/api/v1/namespaces", { metadata: { name: "other-ns" } })).status).toBe(201);
  expect((await api("POST", "/api/v1/namespaces/other-ns/pods", pod("elsewhere"))).status).toBe(201);
  const inDefault = await api("GET", PODS);
  expect(inDefault.body.items.map((p: any) => p.metadata.name)).not.toContain("elsewhere");
  const all = await api("GET", "/api/v1/pods");
  const keys = all.body.items.map((p: any) => `${p.metadata.namespace}/${p.metadata.name}`);
  expect(keys).toEqual(expect.arrayContaining(["default/crud-1", "other-ns/elsewhere"]));
});

it("03.3 create > creates a cluster-scoped node and rejects a namespaced path for it", async () => {
  const created = await api("POST", "/api/v1/nodes", { apiVersion: "v1", kind: "Node", metadata: { name: "node-a" } });
  expect(created.status).toBe(201);
  expect(created.body.metadata.namespace).toBeUndefined();
  expect((await api("GET", "/api/v1/nodes/node-a")).body.metadata.name).toBe("node-a");
  expect(await cluster.store.get("/registry/nodes/node-a")).toBeDefined();
  expectStatus(await api("GET", "/api/v1/namespaces/default/nodes/node-a"), 404, "NotFound");
});

it("03.3 create > generates names from generateName", async () => {
  const a = await api("POST", PODS, { ...pod(""), metadata: { generateName: "gen-" } });
  const b = await api("POST", PODS, { ...pod(""), metadata: { generateName: "gen-" } });
  expect(a.status).toBe(201);
  expect(a.body.metadata.name).toMatch(/^gen-[a-z0-9]{5}$/);
  expect(b.body.metadata.name).not.toBe(a.body.metadata.name);
});

it("03.3 create > answers 409 AlreadyExists for a taken name and 404 NotFound for a missing one", async () => {
  await api("POST", PODS, pod("dup"));
  const again = await api("POST", PODS, pod("dup"));
  expectStatus(again, 409, "AlreadyExists");
  expect(again.body.message).toBe('pods "dup" already exists');
  const missing = await api("GET", `${PODS}/nope`);
  expectStatus(missing, 404, "NotFound");
  expect(missing.body.message).toBe('pods "nope" not found');
  expect(missing.body.details).toMatchObject({ name: "nope", kind: "pods" });
});

it("03.6 delete > deletes an unbound pod at once and returns it", async () => {
  await api("POST", PODS, pod("gone"));
  const del = await api("DELETE", `${PODS}/gone`);
  expect(del.status).toBe(200);
  expect(del.body.metadata.name).toBe("gone");
  expectStatus(await api("GET", `${PODS}/gone`), 404, "NotFound");
  expectStatus(await api("DELETE", `${PODS}/gone`), 404, "NotFound");
});

it("03.6 delete > deletes a bound pod gracefully: deletionTimestamp first, gone after gracePeriodSeconds=0", async () => {
  await api("POST", PODS, pod("graceful", { spec: { ...pod("x").spec, terminationGracePeriodSeconds: 20 } }));
  const bind = await api("POST", `${PODS}/graceful/binding`, {
    apiVersion: "v1",
    kind: "Binding",
    metadata: { name: "graceful" },
    target: { kind: "Node", name: "node-a" },
  });
  expect(bind.status).toBe(201);
  const first = await api("DELETE", `${PODS}/graceful`);
  expect(first.status).toBe(200);
  expect(first.body.metadata.deletionGracePeriodSeconds).toBe(20);
  expect(first.body.metadata.deletionTimestamp).toBeDefined();
  expect((await api("GET", `${PODS}/graceful`)).status).toBe(200);
  // What the kubelet does once the containers are stopped:
  const final = await api("DELETE", `${PODS}/graceful`, { apiVersion: "v1", kind: "DeleteOptions", gracePeriodSeconds: 0 });
  expect(final.status).toBe(200);
  expectStatus(await api("GET", `${PODS}/graceful`), 404, "NotFound");
});

it("03.6 delete > keeps an object with finalizers until the last finalizer is removed", async () => {
  await api("POST", PODS, pod("fin", { metadata: { name: "fin", finalizers: ["example.com/hold"] } }));
  const del = await api("DELETE", `${PODS}/fin`);
  expect(del.status).toBe(200);
  expect(del.body.metadata.deletionTimestamp).toBeDefined();
  expect((await api("GET", `${PODS}/fin`)).status).toBe(200);
  const patched = await api(
    "PATCH",
    `${PODS}/fin`,
    { metadata: { finalizers: null } },
    { "Content-Type": "application/merge-patch+json" },
  );
  expect(patched.status).toBe(200);
  expectStatus(await api("GET", `${PODS}/fin`), 404, "NotFound");
});

it("03 chapter > binding > binds a pod to a node once; a second binding is a 409", async () => {
  await api("POST", PODS, pod("bind-me"));
  const binding = {
    apiVersion: "v1",
    kind: "Binding",
    metadata: { name: "bind-me" },
    target: { apiVersion: "v1", kind: "Node", name: "node-a" },
  };
  expect((await api("POST", `${PODS}/bind-me/binding`, binding)).status).toBe(201);
  const got = await api("GET", `${PODS}/bind-me`);
  expect(got.body.spec.nodeName).toBe("node-a");
  expect(got.body.status.conditions).toEqual(
    expect.arrayContaining([expect.objectContaining({ type: "PodScheduled", status: "True" })]),
  );
  expectStatus(
    await api("POST", `${PODS}/bind-me/binding`, { ...binding, target: { kind: "Node", name: "node-b" } }),
    409,
    "Conflict",
  );
});

it("03 chapter > binding > a binding for a pod that does not exist is a 404; one being deleted is a 409", async () => {
  const binding = (name: string) => ({ kind: "Binding", metadata: { name }, target: { kind: "Node", name: "node-a" } });
  expectStatus(await api("POST", `${PODS}/no-such-pod/binding`, binding("no-such-pod")), 404, "NotFound");
  await api("POST", PODS, pod("leaving", { metadata: { name: "leaving", finalizers: ["example.com/hold"] } }));
  expect((await api("DELETE", `${PODS}/leaving`)).status).toBe(200);
  expectStatus(await api("POST", `${PODS}/leaving/binding`, binding("leaving")), 409, "Conflict");
  expect((await api("GET", `${PODS}/leaving`)).body.spec.nodeName).toBeUndefined();
  await api("PATCH", `${PODS}/leaving`, { metadata: { finalizers: null } }, { "Content-Type": "application/merge-patch+json" });
});

it("03 chapter > paths > a percent-encoded segment is decoded; a bad encoding is a 400", async () => {
  expect((await api("POST", PODS, pod("enc-1"))).status).toBe(201);
  const got = await api("GET", `${PODS}/enc%2D1`);
  expect(got.status, JSON.stringify(got.body)).toBe(200);
  expect(got.body.metadata.name).toBe("enc-1");
  const bad = await api("GET", `${PODS}/bad%zzname`);
  expectStatus(bad, 400, "BadRequest");
  expect(bad.body.message).toContain("not valid URL encoding");
});

it("03.5 update > accepts an update at the current resourceVersion and refuses a stale one with 409", async () => {
  const created = (await api("POST", PODS, pod("occ"))).body;
  const first = { ...created, metadata: { ...created.metadata, labels: { app: "web", v: "1" } } };
  const ok = await api("PUT", `${PODS}/occ`, first);
  expect(ok.status).toBe(200);
  expect(Number(ok.body.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
  expect(ok.body.metadata.labels.v).toBe("1");

  const stale = { ...created, metadata: { ...created.metadata, labels: { app: "web", v: "2" } } };
  const res = await api("PUT", `${PODS}/occ`, stale);
  const at = `${created.metadata.resourceVersion} (the pod is at ${ok.body.metadata.resourceVersion})`;
  expect(res.status, `a PUT at the stale resourceVersion ${at} must be refused`).toBe(409);
  expectStatus(res, 409, "Conflict");
  expect(res.body.message).toContain("the object has been modified");
  expect((await api("GET", `${PODS}/occ`)).body.metadata.labels.v).toBe("1");
});

it("03.5 update > refuses a body whose name does not match the URL", async () => {
  const created = (await api("POST", PODS, pod("named"))).body;
  expectStatus(
    await api("PUT", `${PODS}/named`, { ...created, metadata: { ...created.metadata, name: "other" } }),
    400,
    "BadRequest",
  );
});

it("03.5 update > updates of a missing object are 404", async () => {
  expectStatus(await api("PUT", `${PODS}/never`, pod("never")), 404, "NotFound");
});

it("03.5 update > a pod's spec is immutable except images", async () => {
  const created = (await api("POST", PODS, pod("immut"))).body;
  const changedCmd = structuredClone(created);
  changedCmd.spec.containers[0].command = ["sleep", "1"];
  expectStatus(await api("PUT", `${PODS}/immut`, changedCmd), 422, "Invalid");
  const changedImage = structuredClone(created);
  changedImage.spec.containers[0].image = "busybox:1.37";
  const ok = await api("PUT", `${PODS}/immut`, changedImage);
  expect(ok.status).toBe(200);
  expect(ok.body.metadata.generation).toBe(2);
});

// Over HTTP the status split also needs the update path, so these tests are named 03.5.
// The strategy alone (step 03.4) is tested in 03-status.unit.test.ts.
it("03.5 status > a PUT to /status changes only status; a PUT to the pod changes only spec and metadata", async () => {
  const created = (await api("POST", PODS, pod("split"))).body;
  // The kubelet writes status, and also (wrongly) a different image: only status is taken.
  const kubelet = structuredClone(created);
  kubelet.status = { phase: "Running", podIP: "10.0.0.7" };
  kubelet.spec.containers[0].image = "evil:1";
  kubelet.metadata.labels = { hacked: "yes" };
  const st = await api("PUT", `${PODS}/split/status`, kubelet);
  expect(st.status).toBe(200);
  expect(st.body.status).toMatchObject({ phase: "Running", podIP: "10.0.0.7" });
  expect(st.body.spec.containers[0].image).toBe("busybox:1.36");
  expect(st.body.metadata.labels).toEqual({ app: "web" });

  // The user updates the image from an object that has an old status: status stays.
  const user = structuredClone(st.body);
  user.spec.containers[0].image = "busybox:1.37";
  user.status = { phase: "Failed" };
  const up = await api("PUT", `${PODS}/split`, user);
  expect(up.status).toBe(200);
  expect(up.body.spec.containers[0].image).toBe("busybox:1.37");
  expect(up.body.status.phase).toBe("Running");
});

it("03.3 create > a new pod's status is set by the server, whatever the client sends", async () => {
  const created = await api("POST", PODS, pod("fake-status", { status: { phase: "Running", podIP: "1.2.3.4" } }));
  expect(created.body.status.phase).toBe("Pending");
  expect(created.body.status.podIP).toBeUndefined();
});

it("03.5 status > merge-patches status through /status", async () => {
  await api("POST", PODS, pod("st-patch"));
  const res = await api(
    "PATCH",
    `${PODS}/st-patch/status`,
    { status: { phase: "Running" } },
    { "Content-Type": "application/merge-patch+json" },
  );
  expect(res.status).toBe(200);
  expect(res.body.status.phase).toBe("Running");
  expect(res.body.status.qosClass).toBe("BestEffort");
});

it("03 chapter > patch > applies a JSON merge patch (null removes a field)", async () => {
  await api("POST", PODS, pod("mp", { metadata: { name: "mp", labels: { app: "web", tier: "front" } } }));
  const res = await api(
    "PATCH",
    `${PODS}/mp`,
    { metadata: { labels: { tier: null, color: "blue" } } },
    { "Content-Type": "application/merge-patch+json" },
  );
  expect(res.status).toBe(200);
  expect(res.body.metadata.labels).toEqual({ app: "web", color: "blue" });
});

it("03 chapter > patch > applies a JSON patch, and a failing test operation is a 4xx", async () => {
  await api("POST", PODS, pod("jp"));
  const ct = { "Content-Type": "application/json-patch+json" };
  const ok = await api(
    "PATCH",
    `${PODS}/jp`,
    [
      { op: "replace", path: "/spec/containers/0/image", value: "busybox:1.37" },
      { op: "add", path: "/metadata/labels/x", value: "y" },
    ],
    ct,
  );
  expect(ok.status).toBe(200);
  expect(ok.body.spec.containers[0].image).toBe("busybox:1.37");
  expect(ok.body.metadata.labels.x).toBe("y");
  const failed = await api("PATCH", `${PODS}/jp`, [{ op: "test", path: "/metadata/labels/x", value: "z" }], ct);
  expect(failed.status).toBe(422);
  expect(failed.body.kind).toBe("Status");
});

it("03 chapter > patch > applies a strategic merge patch by merge key with $setElementOrder", async () => {
  const twoContainers = pod("smp", {
    spec: {
      containers: [
        { name: "a", image: "busybox:1" },
        { name: "b", image: "busybox:1" },
      ],
    },
  });
  await api("POST", PODS, twoContainers);
  const patch = {
    metadata: { labels: { app: null, role: "db" } },
    spec: { "$setElementOrder/containers": [{ name: "a" }, { name: "b" }], containers: [{ name: "b", image: "busybox:2" }] },
  };
  const res = await api("PATCH", `${PODS}/smp`, patch, { "Content-Type": "application/strategic-merge-patch+json" });
  expect(res.status).toBe(200);
  expect(res.body.spec.containers.map((c: any) => `${c.name}=${c.image}`)).toEqual(["a=busybox:1", "b=busybox:2"]);
  expect(res.body.metadata.labels).toEqual({ role: "db" });
});

it("03 chapter > patch > merges node conditions by type and deletes one with $patch: delete", async () => {
  await api("POST", "/api/v1/nodes", { metadata: { name: "node-smp" } });
  const ct = { "Content-Type": "application/strategic-merge-patch+json" };
  await api(
    "PATCH",
    "/api/v1/nodes/node-smp/status",
    {
      status: {
        conditions: [
          { type: "Ready", status: "True" },
          { type: "DiskPressure", status: "False" },
        ],
      },
    },
    ct,
  );
  const res = await api(
    "PATCH",
    "/api/v1/nodes/node-smp/status",
    {
      status: {
        conditions: [
          { type: "Ready", status: "False" },
          { type: "DiskPressure", $patch: "delete" },
        ],
      },
    },
    ct,
  );
  expect(res.status).toBe(200);
  expect(res.body.status.conditions).toEqual([{ type: "Ready", status: "False" }]);
});

it("03.5 patch > a patch with a stale resourceVersion is a 409; an unknown patch type is a 415", async () => {
  const created = (await api("POST", PODS, pod("patch-rv"))).body;
  await api(
    "PATCH",
    `${PODS}/patch-rv`,
    { metadata: { labels: { a: "1" } } },
    { "Content-Type": "application/merge-patch+json" },
  );
  const stale = await api(
    "PATCH",
    `${PODS}/patch-rv`,
    { metadata: { resourceVersion: created.metadata.resourceVersion, labels: { a: "2" } } },
    { "Content-Type": "application/merge-patch+json" },
  );
  expectStatus(stale, 409, "Conflict");
  expectStatus(await api("PATCH", `${PODS}/patch-rv`, "{}", { "Content-Type": "text/plain" }), 415, "UnsupportedMediaType");
  expectStatus(await api("PATCH", `${PODS}/missing`, {}, { "Content-Type": "application/merge-patch+json" }), 404, "NotFound");
});

it("03.5 update > a patch that changes nothing does not write", async () => {
  const created = (await api("POST", PODS, pod("noop"))).body;
  const res = await api(
    "PATCH",
    `${PODS}/noop`,
    { metadata: { labels: { app: "web" } } },
    { "Content-Type": "application/merge-patch+json" },
  );
  expect(res.body.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
});

it("03.3 create > default and kube-system exist from the start", async () => {
  for (const name of ["default", "kube-system"]) {
    const ns = await api("GET", `/api/v1/namespaces/${name}`);
    expect(ns.status).toBe(200);
    expect(ns.body.status.phase).toBe("Active");
  }
});

it("03.3 create > creating in a missing namespace is 404 for the namespace", async () => {
  const res = await api("POST", "/api/v1/namespaces/does-not-exist/pods", pod("orphan"));
  expectStatus(res, 404, "NotFound");
  expect(res.body.message).toBe('namespaces "does-not-exist" not found');
});

it("03.6 delete > deleting a namespace makes it Terminating, removes its objects, then itself", async () => {
  expect(
    (await api("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "doomed" } })).status,
  ).toBe(201);
  for (const n of ["p1", "p2"]) expect((await api("POST", "/api/v1/namespaces/doomed/pods", pod(n))).status).toBe(201);
  // A bound pod is deleted gracefully; a finalizer-free namespace must still wait for it.
  await api("POST", "/api/v1/namespaces/doomed/pods/p2/binding", { target: { kind: "Node", name: "node-a" } });
  const del = await api("DELETE", "/api/v1/namespaces/doomed");
  expect(del.status).toBe(200);
  expect(del.body.status.phase).toBe("Terminating");
  const refused = await api("POST", "/api/v1/namespaces/doomed/pods", pod("late"));
  expectStatus(refused, 403, "Forbidden");
  expect(refused.body.message).toContain("being terminated");
  await waitFor("unbound pod p1 removed", async () => (await api("GET", "/api/v1/namespaces/doomed/pods/p1")).status === 404);
  // p2 waits for its kubelet; play the kubelet:
  await waitFor(
    "p2 marked for deletion",
    async () => (await api("GET", "/api/v1/namespaces/doomed/pods/p2")).body.metadata?.deletionTimestamp,
  );
  expect((await api("GET", "/api/v1/namespaces/doomed")).status).toBe(200);
  await api("DELETE", "/api/v1/namespaces/doomed/pods/p2?gracePeriodSeconds=0");
  await waitFor("namespace doomed removed", async () => (await api("GET", "/api/v1/namespaces/doomed")).status === 404);
});

it("03.6 delete > a namespace removed and made again: creates follow its life, not a cached answer", async () => {
  const ns = { apiVersion: "v1", kind: "Namespace", metadata: { name: "phoenix" } };
  expect((await api("POST", "/api/v1/namespaces", ns)).status).toBe(201);
  expect((await api("POST", "/api/v1/namespaces/phoenix/pods", pod("first"))).status).toBe(201);
  expect((await api("DELETE", "/api/v1/namespaces/phoenix")).status).toBe(200);
  expectStatus(await api("POST", "/api/v1/namespaces/phoenix/pods", pod("while-terminating")), 403, "Forbidden");
  await waitFor("namespace phoenix removed", async () => (await api("GET", "/api/v1/namespaces/phoenix")).status === 404);
  const gone = await api("POST", "/api/v1/namespaces/phoenix/pods", pod("after-removal"));
  expectStatus(gone, 404, "NotFound");
  expect(gone.body.message).toBe('namespaces "phoenix" not found');
  expect((await api("POST", "/api/v1/namespaces", ns)).status).toBe(201);
  expect((await api("POST", "/api/v1/namespaces/phoenix/pods", pod("second"))).status).toBe(201);
});

it("03.6 delete > default may not be deleted", async () => {
  expectStatus(await api("DELETE", "/api/v1/namespaces/default"), 403, "Forbidden");
});

it("03.3 create > rejects invalid names and missing fields with 422 Invalid and field paths", async () => {
  const res = await api("POST", PODS, {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "Bad_Name" },
    spec: { containers: [{ name: "c1" }, { name: "c1", image: "x" }] },
  });
  expectStatus(res, 422, "Invalid");
  expect(res.body.message).toMatch(/^Pod "Bad_Name" is invalid: /);
  const fields = res.body.details.causes.map((c: any) => c.field);
  expect(fields).toEqual(expect.arrayContaining(["metadata.name", "spec.containers[0].image", "spec.containers[1].name"]));
  expect(res.body.details).toMatchObject({ kind: "Pod", name: "Bad_Name" });
});

it("03.3 create > requires a name or generateName, and spec.containers", async () => {
  const res = await api("POST", PODS, { apiVersion: "v1", kind: "Pod", metadata: {}, spec: { containers: [] } });
  expectStatus(res, 422, "Invalid");
  expect(res.body.message).toContain("metadata.name: Required value");
  expect(res.body.message).toContain("spec.containers: Required value");
});

it("03.3 create > namespaces must be DNS-1123 labels", async () => {
  const res = await api("POST", "/api/v1/namespaces", { metadata: { name: "has.dot" } });
  expectStatus(res, 422, "Invalid");
  expect(res.body.message).toContain("RFC 1123 label");
});

it("03.3 create > wrong types are 400; unknown fields are 400 under fieldValidation=Strict and dropped otherwise", async () => {
  const wrongType = await api("POST", PODS, { ...pod("types"), spec: { containers: "busybox" } });
  expectStatus(wrongType, 400, "BadRequest");
  expect(wrongType.body.message).toContain("spec.containers");

  const withUnknown = { ...pod("unknown"), spec: { ...pod("x").spec, bogus: true } };
  const strict = await api("POST", `${PODS}?fieldValidation=Strict`, withUnknown);
  expectStatus(strict, 400, "BadRequest");
  expect(strict.body.message).toBe('strict decoding error: unknown field "spec.bogus"');

  const lenient = await api("POST", PODS, withUnknown);
  expect(lenient.status).toBe(201);
  expect(lenient.body.spec.bogus).toBeUndefined();
  expect(lenient.headers.get("warning")).toContain('unknown field \\"spec.bogus\\"');
});

it("03 chapter > validation > a body of another kind or version is a 400", async () => {
  expectStatus(await api("POST", PODS, { apiVersion: "v1", kind: "Node", metadata: { name: "n" } }), 400, "BadRequest");
  expectStatus(await api("POST", PODS, { ...pod("v"), apiVersion: "v2" }), 400, "BadRequest");
});

it("03 chapter > errors > a body over 3 MiB is 413 RequestEntityTooLarge", async () => {
  const big = pod("big", { metadata: { name: "big", annotations: { blob: "x".repeat(3 * 1024 * 1024 + 10) } } });
  expectStatus(await api("POST", PODS, big), 413, "RequestEntityTooLarge");
});

it("03.3 create > an object over the store's 1.5 MiB limit is a clear 4xx, not a 500", async () => {
  const parts: Record<string, string> = {};
  for (let i = 0; i < 8; i++) parts[`example.com/part${i}`] = "y".repeat(250 * 1024);
  const res = await api("POST", PODS, pod("huge", { metadata: { name: "huge", annotations: parts } }));
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  expect(res.body.kind).toBe("Status");
});

it("03 chapter > errors > unknown paths and resources are a 404 Status", async () => {
  expectStatus(await api("GET", "/nothing/here"), 404, "NotFound");
  expectStatus(await api("GET", "/api/v1/namespaces/default/widgets"), 404, "NotFound");
  expectStatus(await api("GET", "/apis/apps/v1/deployments"), 404, "NotFound");
});

it("03 chapter > errors > malformed JSON is a 400, an unsupported content type a 415, a wrong method a 405", async () => {
  expectStatus(await api("POST", PODS, '{"metadata": {', { "Content-Type": "application/json" }), 400, "BadRequest");
  expectStatus(await api("POST", PODS, "<pod/>", { "Content-Type": "application/xml" }), 415, "UnsupportedMediaType");
  expectStatus(await api("OPTIONS", PODS), 405, "MethodNotAllowed");
});

it("03 chapter > errors > accepts YAML bodies", async () => {
  const yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: from-yaml\nspec:\n  containers:\n  - name: c\n    image: busybox\n";
  const res = await api("POST", PODS, yaml, { "Content-Type": "application/yaml" });
  expect(res.status).toBe(201);
  expect(res.body.metadata.name).toBe("from-yaml");
});

const TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

it("03 chapter > tables > answers kubectl's Accept header with a Table of pods", async () => {
  await api("POST", PODS, pod("tab-1"));
  const res = await api("GET", PODS, undefined, { Accept: TABLE });
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ kind: "Table", apiVersion: "meta.k8s.io/v1" });
  const columns = res.body.columnDefinitions.map((c: any) => c.name);
  expect(columns.slice(0, 5)).toEqual(["Name", "Ready", "Status", "Restarts", "Age"]);
  expect(res.body.columnDefinitions.find((c: any) => c.name === "Node").priority).toBe(1);
  const row = res.body.rows.find((r: any) => r.cells[0] === "tab-1");
  expect(row.cells.slice(0, 4)).toEqual(["tab-1", "0/1", "Pending", "0"]);
  expect(row.object).toMatchObject({ kind: "PartialObjectMetadata", metadata: { name: "tab-1" } });
  expect(res.body.metadata.resourceVersion).toMatch(/^\d+$/);
});

it("03 chapter > tables > has per-resource columns for nodes and namespaces, and a one-row Table for a GET", async () => {
  const nodes = await api("GET", "/api/v1/nodes", undefined, { Accept: TABLE });
  expect(nodes.body.columnDefinitions.filter((c: any) => c.priority === 0).map((c: any) => c.name)).toEqual([
    "Name",
    "Status",
    "Roles",
    "Age",
    "Version",
  ]);
  const ns = await api("GET", "/api/v1/namespaces/default", undefined, { Accept: TABLE });
  expect(ns.body.columnDefinitions.map((c: any) => c.name)).toEqual(["Name", "Status", "Age"]);
  expect(ns.body.rows).toHaveLength(1);
  expect(ns.body.rows[0].cells.slice(0, 2)).toEqual(["default", "Active"]);
});

it("03 chapter > tables > includes the whole object with includeObject=Object", async () => {
  const res = await api("GET", `${PODS}/tab-1?includeObject=Object`, undefined, { Accept: TABLE });
  expect(res.body.rows[0].object).toMatchObject({ kind: "Pod", spec: { containers: [{ name: "main" }] } });
});

it("03 chapter > discovery > serves /api, /api/v1, /apis and /version", async () => {
  const versions = await api("GET", "/api");
  expect(versions.body).toMatchObject({ kind: "APIVersions", versions: ["v1"] });
  const v1 = await api("GET", "/api/v1");
  expect(v1.body).toMatchObject({ kind: "APIResourceList", groupVersion: "v1" });
  const byName = Object.fromEntries(v1.body.resources.map((r: any) => [r.name, r]));
  expect(byName.pods).toMatchObject({ kind: "Pod", namespaced: true, shortNames: ["po"] });
  expect(byName.pods.verbs).toEqual(expect.arrayContaining(["create", "get", "list", "watch", "update", "patch", "delete"]));
  expect(byName.nodes).toMatchObject({ kind: "Node", namespaced: false });
  expect(byName.namespaces).toMatchObject({ kind: "Namespace", namespaced: false });
  expect(byName.events).toMatchObject({ kind: "Event", namespaced: true });
  expect(byName["pods/status"]).toMatchObject({ kind: "Pod", verbs: ["get", "patch", "update"] });
  expect(byName["pods/binding"]).toMatchObject({ kind: "Binding", verbs: ["create"] });
  expect((await api("GET", "/apis")).body).toMatchObject({ kind: "APIGroupList", groups: [] });
  const version = await api("GET", "/version");
  expect(version.body).toMatchObject({ major: "1", minor: expect.any(String), gitVersion: expect.stringMatching(/^v1\./) });
});

it("03 chapter > discovery > publishes OpenAPI v3 with a PATCH operation that takes fieldValidation for each kind", async () => {
  const root = await api("GET", "/openapi/v3");
  const url = root.body.paths["api/v1"].serverRelativeURL;
  expect(url).toMatch(/^\/openapi\/v3\/api\/v1\?hash=/);
  const doc = (await api("GET", url)).body;
  for (const kind of ["Pod", "Node", "Namespace", "Event"]) {
    const patchOps = Object.values(doc.paths as Record<string, any>)
      .map((p) => p.patch)
      .filter((op) => op?.["x-kubernetes-group-version-kind"]?.kind === kind);
    expect(patchOps.length, kind).toBeGreaterThan(0);
    expect(patchOps[0].parameters.map((p: any) => p.name)).toContain("fieldValidation");
  }
  expect(doc.components.schemas["io.k8s.api.core.v1.Pod"].properties.spec).toBeDefined();
});
