/**
 * Chapter 08 without a server: step 08.3's manageReplicas(), the part of the
 * replication controller's sync that creates and deletes pods, on a fake
 * client and fake informers. A sync (08.2) also writes the RC's status
 * (08.4), so these tests call manageReplicas() itself: a learner sees 08.3
 * pass before 08.4 is done. The whole loop against a real apiserver is in
 * test/08-controllers.test.ts.
 *
 * The fake pod client can show a created pod to the informer BEFORE the
 * create returns, as a fast watch does: the race expectations exist for.
 */
import { describe, expect, it } from "vitest";
import type { ControllerContext } from "@tree/08-replication/controller-manager/controller-manager.ts";
import { ReplicationManager } from "@tree/08-replication/replication/replication-controller.ts";
import type { ReplicaFailure } from "@tree/08-replication/replication/status.ts";
import { ApiError, statusOf, type Pod } from "../shared/api/index.ts";
import type { ReplicationController } from "../shared/api/replication.ts";

type Handler<T> = (obj: T) => void;

/** The few methods of an Informer the controller uses: a cache and its handlers. */
class FakeInformer<T extends { metadata?: { name?: string; namespace?: string } }> {
  readonly objects = new Map<string, T>();
  private readonly added: Handler<T>[] = [];
  private readonly deleted: Handler<T>[] = [];
  onAdd(h: Handler<T>): this {
    this.added.push(h);
    return this;
  }
  onUpdate(): this {
    return this;
  }
  onDelete(h: Handler<T>): this {
    this.deleted.push(h);
    return this;
  }
  get(name: string, namespace?: string): T | undefined {
    return this.objects.get(`${namespace ?? ""}/${name}`);
  }
  list(): T[] {
    return [...this.objects.values()];
  }
  /** A watch event ADDED reaches the cache and the handlers. */
  add(obj: T): void {
    this.objects.set(`${obj.metadata?.namespace ?? ""}/${obj.metadata?.name}`, obj);
    for (const h of this.added) h(obj);
  }
  /** A watch event DELETED. */
  remove(obj: T): void {
    this.objects.delete(`${obj.metadata?.namespace ?? ""}/${obj.metadata?.name}`);
    for (const h of this.deleted) h(obj);
  }
}

interface FakeOptions {
  /** Show each created pod to the informer before create() returns (a watch faster than the POST's answer). */
  seenBeforeCreateReturns?: boolean;
  /** create() number n (1-based) fails. */
  failCreate?: number;
  /** delete() number n (1-based) fails. */
  failDelete?: number;
}

const RC: ReplicationController = {
  apiVersion: "v1",
  kind: "ReplicationController",
  metadata: { name: "web", namespace: "shop", uid: "uid-web", generation: 1 },
  spec: {
    replicas: 3,
    selector: { app: "web" },
    template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "main", image: "busybox" }] } },
  },
};
const KEY = "shop/web";

function setUp(options: FakeOptions = {}) {
  const rcs = new FakeInformer<ReplicationController>();
  const pods = new FakeInformer<Pod>();
  const created: Pod[] = [];
  const deleted: string[] = [];
  const asked: string[] = [];
  let creates = 0;
  const podClient = {
    async create(pod: Pod, namespace?: string): Promise<Pod> {
      const n = ++creates;
      if (n === options.failCreate) {
        throw new ApiError(statusOf(403, "Forbidden", `pods "${pod.metadata?.generateName}" is forbidden: exceeded quota`));
      }
      const stored: Pod = {
        ...pod,
        metadata: {
          ...pod.metadata,
          name: `${pod.metadata?.generateName}${n}`,
          namespace,
          uid: `pod-${n}`,
          resourceVersion: String(n),
        },
      };
      created.push(stored);
      if (options.seenBeforeCreateReturns) pods.add(stored);
      return stored;
    },
    async delete(name: string): Promise<unknown> {
      asked.push(name);
      if (asked.length === options.failDelete)
        throw new ApiError(statusOf(500, "InternalError", `etcd is down, ${name} not deleted`));
      deleted.push(name);
      return {};
    },
  };
  const client = {
    resource: (type: { resource: string }) => (type.resource === "pods" ? podClient : {}),
  };
  const informers = {
    forResource: (type: { resource: string }) => (type.resource === "pods" ? pods : rcs),
  };
  const ctx = { client, informers, log: () => {} } as unknown as ControllerContext;
  const manager = new ReplicationManager(ctx);
  rcs.objects.set(KEY, RC);
  // manageReplicas() is private: it is the part of sync() that is step 08.3.
  const manage = (rc: ReplicationController, owned: Pod[]) =>
    (
      manager as unknown as {
        manageReplicas(key: string, rc: ReplicationController, owned: Pod[]): Promise<ReplicaFailure | undefined>;
      }
    ).manageReplicas(KEY, rc, owned);
  return { manager, pods, created, deleted, asked, manage };
}

function ownedPod(name: string): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "shop",
      uid: `uid-${name}`,
      labels: { app: "web" },
      ownerReferences: [{ apiVersion: "v1", kind: "ReplicationController", name: "web", uid: "uid-web", controller: true }],
    },
    spec: { containers: [{ name: "main", image: "busybox" }] },
    status: { phase: "Pending" },
  };
}

describe("08.3 manageReplicas", () => {
  it("expects its creations before it sends them: pods the watch shows before the POST returns are counted", async () => {
    const { manager, created, manage } = setUp({ seenBeforeCreateReturns: true });
    expect(await manage(RC, [])).toBeUndefined();
    expect(created, "pods created for 3 replicas and none owned").toHaveLength(3);
    expect(
      manager.expectations.pending(KEY),
      "every creation was seen (during its POST): nothing left to wait for",
    ).toMatchObject({ adds: 0, deletes: [] });
    expect(manager.expectations.satisfied(KEY), "the next sync may act").toBe(true);
  });

  it("waits for the creations it has not seen yet, and acts again once the watch shows them all", async () => {
    const { manager, pods, created, manage } = setUp();
    await manage(RC, []);
    expect(created).toHaveLength(3);
    expect(manager.expectations.satisfied(KEY), "no pod seen yet: the next sync must not create again").toBe(false);
    pods.add(created[0]!);
    pods.add(created[1]!);
    expect(manager.expectations.satisfied(KEY), "2 of 3 seen").toBe(false);
    pods.add(created[2]!);
    expect(manager.expectations.satisfied(KEY), "3 of 3 seen").toBe(true);
  });

  it("does not wait for a creation that failed or was never tried, and returns the failure instead of throwing it", async () => {
    const { manager, pods, created, manage } = setUp({ failCreate: 2 });
    const failure = await manage({ ...RC, spec: { ...RC.spec, replicas: 10 } }, []);
    expect(failure, "a failed create is reported (the status shows it as ReplicaFailure)").toMatchObject({
      reason: "FailedCreate",
    });
    expect(failure?.message).toContain("exceeded quota");
    expect(created.length, "it stops creating after a failure (slow start)").toBeLessThan(10);
    expect(manager.expectations.pending(KEY)?.adds, "the creations to wait for: those that succeeded").toBe(created.length);
    for (const p of created) pods.add(p);
    expect(manager.expectations.satisfied(KEY), "every pod that was created was seen").toBe(true);
  });

  it("deletes exactly the surplus and waits for those pods to go; a delete that failed is not waited for", async () => {
    const owned = ["a", "b", "c", "d", "e"].map(ownedPod);
    const { manager, pods, deleted, asked, manage } = setUp({ failDelete: 2 });
    for (const p of owned) pods.objects.set(`shop/${p.metadata!.name}`, p);
    const failure = await manage({ ...RC, spec: { ...RC.spec, replicas: 1 } }, owned);
    expect(new Set(asked).size, `5 pods for 1 replica: 4 different pods to delete, asked ${JSON.stringify(asked)}`).toBe(4);
    expect(asked, "each pod deleted once").toHaveLength(4);
    expect(failure, "a failed delete is reported").toMatchObject({ reason: "FailedDelete" });
    expect(
      [...(manager.expectations.pending(KEY)?.deletes ?? [])].sort(),
      "the deletions to wait for: the pods really deleted",
    ).toEqual(deleted.map((n) => `shop/${n}`).sort());
    for (const name of deleted) pods.remove(owned.find((p) => p.metadata?.name === name)!);
    expect(manager.expectations.satisfied(KEY), "every deleted pod was seen to go").toBe(true);
  });
});
