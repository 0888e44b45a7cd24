/**
 * Chapter 17 on real time and real sockets: three replicas on loopback
 * (each its own HTTP server, timers and folder), chapter 03's apiserver on
 * the Store over them, and the leader killed in the middle of a stream of
 * writes.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startApiServer, type ApiServer } from "@tree/03-apiserver/index.ts";
import { startRaftCluster, sweepRaftDirs, type RaftCluster } from "@tree/17-consensus/server/cluster.ts";
import { pidAlive } from "../workshop/sweeper.ts";
import { http } from "./harness/http.ts";
import { waitFor } from "./harness/wait.ts";

let raft: RaftCluster | undefined;
let apiserver: ApiServer | undefined;

beforeAll(() => {
  sweepRaftDirs(pidAlive); // folders of earlier runs that were killed
});

afterAll(async () => {
  await apiserver?.close();
  await raft?.close();
});

describe("17 chapter", () => {
  test("the apiserver on three replicas keeps answering when the leader is killed; no acknowledged write is lost", async () => {
    raft = await startRaftCluster({ tickMs: 50 });
    apiserver = await startApiServer({ store: raft.store, host: "127.0.0.1", port: 0 });
    const api = http(apiserver.url);
    const NS = "/api/v1/namespaces";
    await waitFor("a Raft leader", () => raft!.leader(), { timeoutMs: 15_000 });

    const acknowledged: string[] = [];
    const refused: number[] = [];
    let stop = false;
    let i = 0;
    // One writer: each create is acknowledged (201) or refused while there is no leader (503).
    const writer = (async () => {
      while (!stop) {
        const name = `ns-${i++}`;
        const res = await api("POST", NS, namespace(name));
        if (res.status === 201) acknowledged.push(name);
        else if (res.status === 503) refused.push(res.status);
        else throw new Error(`creating namespace ${name}: ${res.status} ${res.text}`);
      }
    })();

    await waitFor("20 acknowledged writes before the kill", () => acknowledged.length >= 20, { timeoutMs: 20_000 });
    const old = raft.leader()!;
    const before = acknowledged.length;
    await raft.kill(old.id);
    const next = await waitFor(
      "a new leader among the two replicas left",
      () => {
        const l = raft!.leader();
        return l && l.id !== old.id ? l : undefined;
      },
      { timeoutMs: 20_000 },
    );
    expect(next.node.currentTerm, "the new leader's term").toBeGreaterThan(old.node.currentTerm);
    await waitFor("20 more acknowledged writes after the election", () => acknowledged.length >= before + 20, {
      timeoutMs: 20_000,
    });
    stop = true;
    await writer;

    const list = await api("GET", NS);
    expect(list.status, list.text).toBe(200);
    const stored = new Set((list.body.items as { metadata: { name: string } }[]).map((o) => o.metadata.name));
    const lost = acknowledged.filter((name) => !stored.has(name));
    expect(lost, "acknowledged namespaces missing after the leader was killed").toEqual([]);

    // The killed replica comes back from its folder and catches up.
    const back = await raft.restart(old.id);
    const revision = next.machine.kv.revision;
    await waitFor(`${old.id} restarted and caught up to revision ${revision}`, () => back.machine.kv.revision >= revision, {
      timeoutMs: 20_000,
    });
  });

  test("a watch through the apiserver goes on across the leader's death", async () => {
    raft ??= await startRaftCluster({ tickMs: 50 });
    apiserver ??= await startApiServer({ store: raft.store, host: "127.0.0.1", port: 0 });
    const api = http(apiserver.url);
    await waitFor("a Raft leader", () => raft!.leader(), { timeoutMs: 15_000 });
    const first = await api("POST", "/api/v1/namespaces", namespace("watch-before"));
    expect(first.status, first.text).toBe(201);
    const seen: string[] = [];
    const watcher = await raft.store.watch(
      "/registry/namespaces/",
      { fromRevision: Number(first.body.metadata.resourceVersion) },
      (events) => {
        for (const e of events) seen.push(e.kv.key.split("/").at(-1)!);
      },
    );
    try {
      await raft.kill(raft.leader()!.id);
      await waitFor("a new leader", () => raft!.leader(), { timeoutMs: 20_000 });
      await waitFor(
        "the write after the election",
        async () => (await api("POST", "/api/v1/namespaces", namespace("watch-after"))).status === 201,
        {
          timeoutMs: 20_000,
        },
      );
      await waitFor("both events on the watch", () => seen.includes("watch-before") && seen.includes("watch-after"), {
        timeoutMs: 10_000,
      });
      expect(seen.filter((n) => n === "watch-before").length, "watch-before delivered once").toBe(1);
    } finally {
      await watcher.cancel();
    }
  });
});

function namespace(name: string) {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name } };
}

describe("17 chapter > temp folders (given)", () => {
  test("a crashed run's replica folders are swept, a live run's are kept", () => {
    const dead = mkdtempSync(join(tmpdir(), "k8s-workshop-raft-999999999-"));
    const live = mkdtempSync(join(tmpdir(), `k8s-workshop-raft-${process.pid}-`));
    try {
      const removed = sweepRaftDirs((pid) => pid === process.pid);
      expect(removed, "folders swept").toContain(basename(dead));
      expect(existsSync(dead), `${dead} after the sweep`).toBe(false);
      expect(existsSync(live), `${live} (this process is alive) after the sweep`).toBe(true);
    } finally {
      rmSync(dead, { recursive: true, force: true });
      rmSync(live, { recursive: true, force: true });
    }
  });
});
