/**
 * The Store interface of chapter 02, served by three replicas (given code:
 * read it; it is how the apiserver meets Raft).
 *
 *   create/update/delete/compact ──> the leader's log ──> applied on every replica
 *   get/range/revision           ──> read index on the leader, then its state machine
 *   watch                        ──> one replica's watchers; if that replica dies,
 *                                    the watch moves to another from the next revision
 *
 * Like an etcd client, it finds the leader itself and tries again while there
 * is none (an election takes a second or so). A write whose replica died
 * before answering has an unknown outcome: it may be in the log. It is not
 * retried (a retried create could fail with "exists" for our own write); the
 * caller hears 503 and decides.
 */
import { serviceUnavailable } from "../../../shared/api/errors.ts";
import {
  checkWrite,
  StoreError,
  type KeyValue,
  type RangeOptions,
  type RangeResult,
  type Store,
  type WatchErrorHandler,
  type WatchHandler,
  type WatchOptions,
  type Watcher,
} from "../../../shared/store/types.ts";
import { NOT_LEADER } from "../raft/node.ts";
import type { Replica } from "./replica.ts";
import { fromOutcome, type StoreCommand } from "./store-machine.ts";

export interface RaftStoreOptions {
  /** How long to look for a leader before answering 503 (default 5000 ms). */
  leaderTimeoutMs?: number;
}

export class RaftStore implements Store {
  private closed = false;
  private readonly watchers = new Set<Watcher>();

  /** replicas() is asked again each time: a restarted replica is a new object. */
  constructor(
    private readonly replicas: () => readonly Replica[],
    private readonly options: RaftStoreOptions = {},
  ) {}

  async revision(): Promise<number> {
    return (await this.linearizable()).machine.kv.revision;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    return (await this.linearizable()).machine.kv.get(key);
  }

  /** As the embedded store reads a range (pages from a key, at a revision), on the leader's state machine. */
  async range(prefix: string, options: RangeOptions = {}): Promise<RangeResult> {
    const kv = (await this.linearizable()).machine.kv;
    const { limit, fromKey, revision } = options;
    const at = revision ?? kv.revision;
    const all = at === kv.revision ? kv.range(prefix) : kv.rangeAt(prefix, at);
    const rest = fromKey === undefined ? all : all.filter((item) => item.key >= fromKey);
    return { kvs: limit ? rest.slice(0, limit) : rest, revision: at, count: rest.length };
  }

  async create(key: string, value: string): Promise<KeyValue> {
    checkWrite(key, value);
    return this.write({ op: "create", key, value });
  }

  async update(key: string, value: string, expectedModRevision?: number): Promise<KeyValue> {
    checkWrite(key, value);
    return this.write({ op: "update", key, value, ...(expectedModRevision === undefined ? {} : { expectedModRevision }) });
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    return this.write({ op: "delete", key, ...(expectedModRevision === undefined ? {} : { expectedModRevision }) });
  }

  async compact(revision: number): Promise<void> {
    await this.write({ op: "compact", revision });
  }

  async watch(prefix: string, options: WatchOptions, onEvents: WatchHandler, onError?: WatchErrorHandler): Promise<Watcher> {
    this.checkOpen();
    let from = options.fromRevision || (await this.revision()) + 1;
    let current: Watcher | undefined;
    let cancelled = false;
    const attach = async (): Promise<void> => {
      // Any live replica serves a watch: it sees every committed event, in order.
      const replica = (await this.findLeader().catch(() => undefined)) ?? this.replicas().find((r) => !r.isStopped());
      if (!replica) throw serviceUnavailable("no Raft replica is running: start one, then watch again");
      const kv = replica.machine.kv;
      if (from <= kv.compactRevision) {
        throw new StoreError("Compacted", `revision ${from} is compacted`, kv.compactRevision + 1);
      }
      const history = from <= kv.revision ? kv.eventsSince(from) : [];
      current = replica.machine.hub.add(
        prefix,
        from,
        history,
        (events) => {
          from = events.at(-1)!.kv.modRevision + 1;
          onEvents(events);
        },
        () => {
          // That replica stopped or installed a snapshot: carry on elsewhere.
          if (cancelled || this.closed) return;
          attach().catch((err: Error) => onError?.(err));
        },
      );
    };
    await attach();
    const watcher: Watcher = {
      cancel: async () => {
        cancelled = true;
        this.watchers.delete(watcher);
        await current?.cancel();
      },
    };
    this.watchers.add(watcher);
    return watcher;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of [...this.watchers]) await w.cancel();
  }

  /** Proposes on the leader, waiting for one if there is none. */
  private async write(command: StoreCommand): Promise<KeyValue> {
    this.checkOpen();
    const deadline = Date.now() + (this.options.leaderTimeoutMs ?? 5000);
    for (;;) {
      const leader = await this.findLeader(deadline);
      // A leader cut off from the others never commits: give up at the deadline.
      const outcome = await Promise.race([
        leader.propose(command),
        sleep(Math.max(deadline - Date.now(), 0)).then(() => ({ ok: false as const, retry: "no answer in time" })),
      ]);
      if (!("retry" in outcome)) return fromOutcome(outcome);
      if (outcome.retry !== NOT_LEADER) throw serviceUnavailable(`the write's outcome is unknown (${outcome.retry})`);
      if (Date.now() > deadline)
        throw serviceUnavailable("no Raft leader accepted the write in time: is a majority of replicas running?");
    }
  }

  /** A leader whose state machine may be read now (read index done). */
  private async linearizable(): Promise<Replica> {
    this.checkOpen();
    const deadline = Date.now() + (this.options.leaderTimeoutMs ?? 5000);
    for (;;) {
      const leader = await this.findLeader(deadline);
      try {
        await leader.readIndex();
        return leader;
      } catch (err) {
        if (Date.now() > deadline) throw serviceUnavailable(`no linearizable read in time: ${(err as Error).message}`);
        await sleep(20);
      }
    }
  }

  private async findLeader(deadline = Date.now()): Promise<Replica> {
    for (;;) {
      const leader = this.replicas().find((r) => r.isLeader());
      if (leader) return leader;
      if (Date.now() > deadline) throw serviceUnavailable("no Raft leader: is a majority of the replicas running and connected?");
      await sleep(20);
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreError("Closed", "the Raft store is closed: open it again with startRaftCluster()");
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
