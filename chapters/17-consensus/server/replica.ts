/**
 * One replica on loopback: the RaftNode of raft/node.ts on real time, real
 * HTTP and a real disk (given code: skim it).
 *
 *   setInterval(tick)  ──> node.tick()
 *   POST /raft (JSON)  ──> node.receive(message)
 *   node.send(m)       ──> POST http://127.0.0.1:<peer port>/raft   (fire and forget:
 *                          a lost message is just lost, Raft retries by itself)
 *   node saves         ──> FileStorage in this replica's folder (fsync)
 *
 * Replicas share a secret: a message without it is refused with 401, so
 * another user of the machine cannot vote in our elections.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { NOT_LEADER, RaftNode, type ProposalResult } from "../raft/node.ts";
import { FileStorage } from "../raft/storage.ts";
import type { Message } from "../raft/types.ts";
import { StoreMachine, type StoreCommand, type StoreOutcome } from "./store-machine.ts";

export interface ReplicaOptions {
  id: string;
  /** Every replica's id, this one's included. */
  ids: readonly string[];
  /** This replica's folder: its Raft state and snapshot. */
  dir: string;
  /** The shared secret of the replicas. */
  secret: string;
  /** Milliseconds per tick (default 50): an election timeout is 10-20 ticks. */
  tickMs?: number;
  snapshotEvery?: number;
  log?(line: string): void;
}

export class Replica {
  readonly id: string;
  readonly machine = new StoreMachine();
  readonly node: RaftNode;
  url = "";
  /** The other replicas' URLs, by id (set once all listen). */
  peers = new Map<string, string>();
  private server: Server | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private batch: { command: string; done(result: ProposalResult): void }[] = [];

  constructor(private readonly options: ReplicaOptions) {
    this.id = options.id;
    this.node = new RaftNode({
      id: options.id,
      peers: options.ids,
      storage: new FileStorage(options.dir),
      stateMachine: this.machine,
      send: (m) => this.send(m),
      random: Math.random,
      ...(options.snapshotEvery === undefined ? {} : { snapshotEvery: options.snapshotEvery }),
      trace: (line) => options.log?.(line),
    });
  }

  /** Listens on a free loopback port and starts the clock. */
  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      if (req.method !== "POST" || req.url !== "/raft") return void res.writeHead(404).end("only POST /raft here\n");
      if (req.headers.authorization !== `Bearer ${this.options.secret}`)
        return void res.writeHead(401).end("wrong or no secret\n");
      readBody(req)
        .then((body) => {
          res.writeHead(204).end();
          if (!this.stopped) this.node.receive(JSON.parse(body) as Message);
        })
        .catch(() => res.writeHead(400).end("a message is one JSON object\n"));
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(0, "127.0.0.1", resolve);
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.timer = setInterval(() => this.node.tick(), this.options.tickMs ?? 50);
    return this.url;
  }

  isStopped(): boolean {
    return this.stopped;
  }

  isLeader(): boolean {
    return !this.stopped && this.node.role === "leader";
  }

  /**
   * Puts a write in the log; resolves with its outcome once applied here.
   * Writes that arrive in the same turn of the event loop share one save
   * (one fsync) and one append round.
   */
  propose(command: StoreCommand): Promise<StoreOutcome | { ok: false; retry: string }> {
    return new Promise((resolve) => {
      if (this.stopped) return resolve({ ok: false, retry: NOT_LEADER });
      this.batch.push({
        command: JSON.stringify(command),
        done: (r) => resolve(r.ok ? (r.result as StoreOutcome) : { ok: false, retry: r.reason }),
      });
      if (this.batch.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.batch.splice(0);
    if (batch.length === 0) return;
    const accepted = !this.stopped && this.node.proposeAll(batch);
    if (!accepted) for (const p of batch) p.done({ ok: false, reason: NOT_LEADER });
  }

  /** Resolves once this replica's state machine may be read linearizably; rejects with the reason otherwise. */
  readIndex(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.stopped) return reject(new Error(NOT_LEADER));
      this.node.readIndex((r) => (r.ok ? resolve() : reject(new Error(r.reason))));
    });
  }

  private send(m: Message): void {
    const url = this.peers.get(m.to);
    if (!url || this.stopped) return;
    fetch(`${url}/raft`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${this.options.secret}` },
      body: JSON.stringify(m),
      signal: AbortSignal.timeout(2000),
    })
      .then((res) => res.body?.cancel())
      .catch(() => {}); // lost: the next heartbeat or election tries again
  }

  /** Stops at once, like a killed process: no goodbye to the others. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    this.flush(); // what waits in the batch fails: this replica no longer leads
    this.node.stop();
    this.machine.hub.closeAll(new Error(`replica ${this.id} stopped`));
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
