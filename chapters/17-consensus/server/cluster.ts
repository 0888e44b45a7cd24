/**
 * Three replicas on loopback and the Store over them (given code: skim it).
 *
 *   const raft = await startRaftCluster();
 *   await startApiServer({ store: raft.store, ... });
 *   await raft.kill(raft.leader()!.id);     // like kill -9 of that process
 *   await raft.restart(id);                 // a new replica from the same folder
 *   await raft.close();                     // stops all and removes the folders
 *
 * The folders live under the system temp folder, named
 * k8s-workshop-raft-<pid>-*, so that sweepRaftDirs() can remove those of a
 * run that was killed before it could clean up.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RaftStore } from "./raft-store.ts";
import { Replica } from "./replica.ts";

export interface RaftClusterOptions {
  replicas?: number;
  tickMs?: number;
  snapshotEvery?: number;
  log?(line: string): void;
}

export interface RaftCluster {
  store: RaftStore;
  replicas(): readonly Replica[];
  leader(): Replica | undefined;
  kill(id: string): Promise<void>;
  restart(id: string): Promise<Replica>;
  close(): Promise<void>;
}

const PREFIX = "k8s-workshop-raft-";

export async function startRaftCluster(options: RaftClusterOptions = {}): Promise<RaftCluster> {
  const root = mkdtempSync(join(tmpdir(), `${PREFIX}${process.pid}-`));
  const ids = Array.from({ length: options.replicas ?? 3 }, (_, i) => `r${i + 1}`);
  const secret = randomBytes(16).toString("hex");
  const running = new Map<string, Replica>();
  // Ctrl-C or a kill ends the process without afterAll: remove the folder then too.
  const onSignal = (signal: NodeJS.Signals) => {
    rmSync(root, { recursive: true, force: true });
    // Alone, end the process as the signal would have; else the other listeners decide.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const onExit = () => rmSync(root, { recursive: true, force: true });
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  process.once("exit", onExit);

  const wire = () => {
    for (const r of running.values()) {
      r.peers = new Map([...running.values()].filter((p) => p !== r).map((p) => [p.id, p.url]));
    }
  };
  const startOne = async (id: string): Promise<Replica> => {
    const replica = new Replica({
      id,
      ids,
      dir: join(root, id),
      secret,
      ...(options.tickMs === undefined ? {} : { tickMs: options.tickMs }),
      ...(options.snapshotEvery === undefined ? {} : { snapshotEvery: options.snapshotEvery }),
      log: (line) => options.log?.(line),
    });
    await replica.start();
    running.set(id, replica);
    wire();
    return replica;
  };
  try {
    for (const id of ids) await startOne(id);
  } catch (err) {
    for (const r of running.values()) await r.stop();
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
  const replicas = () => [...running.values()];
  const store = new RaftStore(replicas);
  return {
    store,
    replicas,
    leader: () => replicas().find((r) => r.isLeader()),
    async kill(id) {
      await running.get(id)?.stop();
      running.delete(id);
      wire();
    },
    async restart(id) {
      await running.get(id)?.stop();
      return startOne(id);
    },
    async close() {
      await store.close();
      for (const r of running.values()) await r.stop();
      running.clear();
      rmSync(root, { recursive: true, force: true });
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      process.off("exit", onExit);
    },
  };
}

/** Removes the folders of runs whose process is gone (a crash, a kill -9). */
export function sweepRaftDirs(alive: (pid: number) => boolean): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(tmpdir())) {
    const m = new RegExp(`^${PREFIX}(\\d+)-`).exec(name);
    if (!m || alive(Number(m[1]))) continue;
    rmSync(join(tmpdir(), name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
