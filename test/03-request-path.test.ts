/**
 * Chapter 03: the request path to storage, one step at a time. These tests pin
 * what the lesson decides for each step: what create does with generated names
 * and dry runs, how update retries a lost race, when delete refuses, and what a
 * filtered watch sees. Some call the
 * step's function directly, so a failure names the step and not the HTTP layer.
 * Where keys go (03.1) and how a body is decoded (03.2) are tested without a
 * server, in 03-storage.unit.test.ts: the apiserver starts only once 03.3 is done.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { thrownApiError } from "./harness/expect.ts";
import type { KeyValue, WatchEvent as StoreEvent } from "../shared/store/types.ts";
import { ADMIN } from "@tree/03-apiserver/chain/internal.ts";
import type { ApiObject, ResourceDefinition } from "@tree/03-apiserver/registry/types.ts";
import { createDecoded } from "@tree/03-apiserver/rest/create.ts";
import type { RequestScope, RestContext } from "@tree/03-apiserver/rest/context.ts";
import { generateNameFrom, initializeMetadata } from "@tree/03-apiserver/rest/metadata.ts";
import { guaranteedUpdate } from "@tree/03-apiserver/rest/update.ts";
import { toWatchEvent } from "@tree/03-apiserver/watch/events.ts";
import { startCluster, type TestCluster } from "./harness/cluster.ts";
import { http } from "./harness/http.ts";

let cluster: TestCluster;
let api: ReturnType<typeof http>;
let ctx: RestContext;
let pods: ResourceDefinition;
const scope: RequestScope = { user: ADMIN, fieldValidation: "Strict", dryRun: false };

beforeAll(async () => {
  cluster = await startCluster();
  api = http(cluster.url);
  const server = cluster.apiserver;
  ctx = { storage: server.storage, registry: server.registry, chain: server.chain };
  pods = server.registry.lookup("", "v1", "pods")!;
});
afterAll(async () => {
  vi.restoreAllMocks();
  await cluster?.close();
});

const PODS = "/api/v1/namespaces/default/pods";

function pod(name: string, extra: Record<string, unknown> = {}): ApiObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { app: "web" } },
    spec: { containers: [{ name: "main", image: "busybox:1.36", command: ["sleep", "3600"] }] },
    ...extra,
  };
}

it("03.3 a list of namespace dev does not see the pods of dev2, over HTTP", async () => {
  // "dev" is the start of "dev2": a list of dev must not see dev2's pods.
  for (const ns of ["dev", "dev2"]) {
    expect((await api("POST", "/api/v1/namespaces", { metadata: { name: ns } })).status).toBe(201);
    expect((await api("POST", `/api/v1/namespaces/${ns}/pods`, pod(`in-${ns}`))).status).toBe(201);
  }
  const dev = await api("GET", "/api/v1/namespaces/dev/pods");
  expect(dev.body.items.map((p: ApiObject) => p.metadata?.name)).toEqual(["in-dev"]);
  expect(await cluster.store.get("/registry/pods/dev2/in-dev2")).toBeDefined();
});

it("03.3 gives a new object its uid, creationTimestamp and generation", () => {
  const obj: ApiObject = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      generateName: "web-",
      resourceVersion: "12",
      uid: "chosen-by-client",
      deletionTimestamp: "2020-01-01T00:00:00Z",
      deletionGracePeriodSeconds: 30,
    },
  };
  initializeMetadata(obj);
  const meta = obj.metadata!;
  expect(meta.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  expect(meta.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  expect(Date.parse(meta.creationTimestamp ?? "")).not.toBeNaN();
  expect(meta.generation).toBe(1);
  expect(meta).not.toHaveProperty("resourceVersion");
  expect(meta).not.toHaveProperty("deletionTimestamp");
  expect(meta).not.toHaveProperty("deletionGracePeriodSeconds");

  const named: ApiObject = { apiVersion: "v1", kind: "Pod", metadata: { name: "chosen", generateName: "web-" } };
  initializeMetadata(named);
  expect(named.metadata?.name).toBe("chosen");
  // A long prefix is cut so the name stays a valid 63-character label.
  expect(generateNameFrom("a".repeat(80))).toHaveLength(63);
});

it("03.3 answers 422 for a client-set resourceVersion on create", async () => {
  const res = await api("POST", PODS, pod("rv-on-create", { metadata: { name: "rv-on-create", resourceVersion: "12" } }));
  expect(res.status, JSON.stringify(res.body)).toBe(422);
  expect(res.body).toMatchObject({ kind: "Status", reason: "Invalid" });
  expect(res.body.message).toContain("metadata.resourceVersion");
  expect((await api("GET", `${PODS}/rv-on-create`)).status).toBe(404);
});

it("03.3 retries a generated name that is taken", async () => {
  // With Math.random() at 0 the first candidate is "gen-bbbbb": make it taken.
  expect((await api("POST", PODS, pod("gen-bbbbb"))).status).toBe(201);
  const random = vi.spyOn(Math, "random");
  for (let i = 0; i < 5; i++) random.mockReturnValueOnce(0);
  try {
    const obj = pod("");
    obj.metadata = { generateName: "gen-", labels: { app: "web" } };
    const created = await createDecoded(ctx, pods, "default", obj, scope);
    expect(created.metadata?.name).toMatch(/^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(created.metadata?.name).not.toBe("gen-bbbbb");
    expect(random.mock.calls.length).toBeGreaterThanOrEqual(10);
  } finally {
    random.mockRestore();
  }
  // A name the client chose is not replaced: it gets the 409.
  const again = await thrownApiError(createDecoded(ctx, pods, "default", pod("gen-bbbbb"), scope));
  expect(again.status.reason).toBe("AlreadyExists");
});

it("03.3 a dry run creates nothing", async () => {
  const before = await cluster.store.range("/registry/pods/");
  const res = await api("POST", `${PODS}?dryRun=All`, pod("dry-1"));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect(res.body.metadata).toMatchObject({ name: "dry-1", namespace: "default", generation: 1 });
  expect((await api("GET", `${PODS}/dry-1`)).status).toBe(404);
  const after = await cluster.store.range("/registry/pods/");
  expect(after.revision).toBe(before.revision);
});

it("03.5 retries a write that lost a race when no resourceVersion was pinned", async () => {
  expect((await api("POST", PODS, pod("race-1"))).status).toBe(201);
  let calls = 0;
  const result = await guaranteedUpdate(ctx, pods, "default", "race-1", scope, "", false, async (current) => {
    calls++;
    if (calls === 1) {
      // Another writer gets in between this read and this write.
      const other = await api(
        "PATCH",
        `${PODS}/race-1`,
        { metadata: { labels: { other: "1" } } },
        { "Content-Type": "application/merge-patch+json" },
      );
      expect(other.status).toBe(200);
    }
    current.metadata = { ...current.metadata, labels: { ...current.metadata?.labels, mine: "2" } };
    return current;
  });
  expect(calls, "tryUpdate must run again on the fresh object after a conflict").toBe(2);
  expect(result.metadata?.labels).toMatchObject({ other: "1", mine: "2" });
  const stored = await api("GET", `${PODS}/race-1`);
  expect(stored.body.metadata.labels).toMatchObject({ other: "1", mine: "2" });

  // With a pinned version, the lost race is the client's to handle: 409, no retry.
  calls = 0;
  const err = await thrownApiError(
    guaranteedUpdate(ctx, pods, "default", "race-1", scope, "", true, async (current) => {
      calls++;
      await api(
        "PATCH",
        `${PODS}/race-1`,
        { metadata: { labels: { other: String(calls + 1) } } },
        { "Content-Type": "application/merge-patch+json" },
      );
      current.metadata = { ...current.metadata, labels: { ...current.metadata?.labels, pinned: "yes" } };
      return current;
    }),
  );
  expect(err.status.reason).toBe("Conflict");
  expect(calls).toBe(1);
});

it("03.5 counts generation only for changes of the desired state", async () => {
  const created = await api("POST", PODS, pod("gen-count"));
  expect(created.body.metadata.generation).toBe(1);
  const relabeled = structuredClone(created.body);
  relabeled.metadata.labels = { app: "web", tier: "front" };
  const r1 = await api("PUT", `${PODS}/gen-count`, relabeled);
  expect(r1.status, JSON.stringify(r1.body)).toBe(200);
  expect(r1.body.metadata.generation, "a label is metadata, not desired state").toBe(1);
  const withoutDefaults = structuredClone(r1.body);
  delete withoutDefaults.spec.restartPolicy; // defaulted to Always on create
  delete withoutDefaults.spec.schedulerName;
  const r1b = await api("PUT", `${PODS}/gen-count`, withoutDefaults);
  expect(r1b.status, JSON.stringify(r1b.body)).toBe(200);
  expect(r1b.body.metadata.generation, "a body without the defaulted fields is defaulted first, then compared").toBe(1);
  expect(r1b.body.spec.restartPolicy).toBe("Always");
  const newImage = structuredClone(r1.body);
  newImage.spec.containers[0].image = "busybox:1.37";
  const r2 = await api("PUT", `${PODS}/gen-count`, newImage);
  expect(r2.status, JSON.stringify(r2.body)).toBe(200);
  expect(r2.body.metadata.generation).toBe(2);
  // The server keeps the fields it owns, whatever the body says.
  const forged = structuredClone(r2.body);
  forged.metadata.uid = "forged";
  forged.metadata.creationTimestamp = "2001-01-01T00:00:00Z";
  forged.metadata.generation = 40;
  const r3 = await api("PUT", `${PODS}/gen-count`, forged);
  expect(r3.body.metadata).toMatchObject({
    uid: created.body.metadata.uid,
    creationTimestamp: created.body.metadata.creationTimestamp,
    generation: 2,
  });
});

it("03.6 refuses a delete whose preconditions do not hold", async () => {
  const created = await api("POST", PODS, pod("pre-1"));
  const { uid, resourceVersion } = created.body.metadata;
  const options = (preconditions: Record<string, string>) => ({ kind: "DeleteOptions", apiVersion: "v1", preconditions });

  const wrongUid = await api("DELETE", `${PODS}/pre-1`, options({ uid: "not-the-uid" }));
  expect(wrongUid.status, JSON.stringify(wrongUid.body)).toBe(409);
  expect(wrongUid.body.reason).toBe("Conflict");
  const wrongVersion = await api("DELETE", `${PODS}/pre-1`, options({ resourceVersion: "1" }));
  expect(wrongVersion.status, JSON.stringify(wrongVersion.body)).toBe(409);
  expect((await api("GET", `${PODS}/pre-1`)).status, "a refused delete leaves the object").toBe(200);

  const right = await api("DELETE", `${PODS}/pre-1`, options({ uid, resourceVersion }));
  expect(right.status, JSON.stringify(right.body)).toBe(200);
  expect((await api("GET", `${PODS}/pre-1`)).status).toBe(404);
});

const kv = (obj: ApiObject | undefined, modRevision: number): KeyValue => ({
  key: "/registry/pods/default/w",
  value: obj ? JSON.stringify(obj) : "",
  createRevision: 2,
  modRevision,
  version: 1,
});
const decode = async (k: KeyValue): Promise<ApiObject> => ({
  ...(JSON.parse(k.value) as ApiObject),
  metadata: { ...(JSON.parse(k.value) as ApiObject).metadata, resourceVersion: String(k.modRevision) },
});
const labeled = (tier: string): ApiObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "w", namespace: "default", labels: { tier } },
});
const front = (o: ApiObject) => o.metadata?.labels?.tier === "front";

it("03.7 an object that leaves a label selector is DELETED for that watch", async () => {
  const put = (before: ApiObject | undefined, after: ApiObject, rev: number): StoreEvent => ({
    type: "PUT",
    kv: kv(after, rev),
    ...(before ? { prevKv: kv(before, rev - 1) } : {}),
  });

  expect(await toWatchEvent(put(undefined, labeled("front"), 5), decode, undefined)).toMatchObject({ type: "ADDED" });
  expect(await toWatchEvent(put(labeled("front"), labeled("back"), 6), decode, undefined)).toMatchObject({ type: "MODIFIED" });
  // With a selector: in -> out is DELETED, out -> in is ADDED, out -> out is nothing.
  expect(await toWatchEvent(put(labeled("front"), labeled("back"), 6), decode, front)).toMatchObject({
    type: "DELETED",
    object: { metadata: { resourceVersion: "6" } },
  });
  expect(await toWatchEvent(put(labeled("back"), labeled("front"), 7), decode, front)).toMatchObject({
    type: "ADDED",
    object: { metadata: { labels: { tier: "front" } } },
  });
  expect(await toWatchEvent(put(labeled("back"), labeled("back"), 8), decode, front)).toBeUndefined();
  // A delete carries the last state with the delete's revision; outside the selection it is not sent.
  const del = (before: ApiObject, rev: number): StoreEvent => ({
    type: "DELETE",
    kv: kv(undefined, rev),
    prevKv: kv(before, rev - 3),
  });
  expect(await toWatchEvent(del(labeled("front"), 9), decode, front)).toEqual({
    type: "DELETED",
    object: { ...labeled("front"), metadata: { ...labeled("front").metadata, resourceVersion: "9" } },
  });
  expect(await toWatchEvent(del(labeled("back"), 10), decode, front)).toBeUndefined();
});
