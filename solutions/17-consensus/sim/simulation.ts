/**
 * The simulator: three replicas, clients and an unreliable network, on a
 * fake clock driven by a seeded random generator (given code: skim it, then
 * use it in the tests and in the Try it).
 *
 * Nothing here waits for real time. An event queue holds what happens next
 * (a replica's tick, a message's arrival, a client's request, a crash, a
 * partition); run() takes events in time order. The same seed gives the same
 * run, event for event, so a failure found once can be replayed and traced.
 *
 *   time ──>  tick n1   deliver n2→n1   client c1 put   crash n3   heal ...
 *
 * The network delays each message by a random time (so messages overtake
 * each other), loses some, and duplicates a few. A partition cuts the
 * replicas into two groups for a while. A crash throws a replica's RaftNode
 * and state machine away; the restart builds new ones from its disk
 * (MemoryStorage), exactly what a real process would find after a crash.
 */
import { RaftNode, type RaftNodeOptions } from "../raft/node.ts";
import { MemoryStorage } from "../raft/storage.ts";
import type { Message, RaftStorage } from "../raft/types.ts";
import { KvMachine } from "./kv.ts";
import { checkHistory, type CheckResult, type Operation } from "./linearizability.ts";
import { Random } from "./random.ts";

export interface SimulationOptions {
  seed: number;
  replicas?: number;
  clients?: number;
  keys?: number;
  /** How long the clients work, in time units (a tick is 10 units). */
  duration?: number;
  /** The chance that a message is lost. */
  loss?: number;
  partitions?: boolean;
  crashes?: boolean;
  /** Time between two rounds of faults, and how long a crashed replica stays down (time units). */
  faults?: { every: [number, number]; down: [number, number] };
  snapshotEvery?: number;
  /** Builds a replica: tests pass a deliberately broken one. */
  createNode?(options: RaftNodeOptions): RaftNode;
  /** Wraps a replica's disk: tests pass one that forgets. */
  wrapStorage?(storage: MemoryStorage): RaftStorage;
  /** A line per interesting event, with its time. */
  trace?(line: string): void;
}

export interface SimulationResult {
  seed: number;
  history: Operation[];
  check: CheckResult;
  /** Leaders seen: term -> replica. Two replicas for one term would break Election Safety. */
  leaders: Map<number, string>;
  /** Set when two leaders were seen in one term. */
  electionSafety?: string;
  /** Set when the cluster did not serve the final reads after healing. */
  liveness?: string;
  acknowledgedPuts: number;
}

const TICK = 10;
const CLIENT_TIMEOUT = 400;

interface QueuedEvent {
  time: number;
  seq: number;
  run(): void;
}

export class Simulation {
  now = 0;
  private seq = 0;
  private queue: QueuedEvent[] = [];
  readonly rng: Random;
  readonly ids: string[];
  readonly nodes = new Map<string, RaftNode | undefined>();
  readonly machines = new Map<string, KvMachine>();
  readonly disks = new Map<string, RaftStorage>();
  /** Pairs "a>b" that cannot talk now. */
  private cut = new Set<string>();
  readonly history: Operation[] = [];
  readonly leaders = new Map<number, string>();
  electionSafety: string | undefined;
  private stopClients = false;

  constructor(readonly options: SimulationOptions) {
    this.rng = new Random(options.seed);
    this.ids = Array.from({ length: options.replicas ?? 3 }, (_, i) => `n${i + 1}`);
    for (const id of this.ids) {
      const disk = new MemoryStorage();
      this.disks.set(id, options.wrapStorage ? options.wrapStorage(disk) : disk);
      this.start(id);
    }
  }

  trace(line: string): void {
    this.options.trace?.(`${String(this.now).padStart(6)}  ${line}`);
  }

  at(delay: number, run: () => void): void {
    const event = { time: this.now + delay, seq: this.seq++, run };
    // Binary search for the place: the queue stays sorted by (time, seq).
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const q = this.queue[mid]!;
      if (q.time < event.time || (q.time === event.time && q.seq < event.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.queue.splice(lo, 0, event);
  }

  /** Runs events until time `until`. */
  runUntil(until: number): void {
    while (this.queue.length > 0 && this.queue[0]!.time <= until) {
      const event = this.queue.shift()!;
      this.now = event.time;
      event.run();
    }
    this.now = until;
  }

  // ─── Replicas ──────────────────────────────────────────────────────────

  start(id: string): void {
    const machine = new KvMachine();
    const options: RaftNodeOptions = {
      id,
      peers: this.ids,
      storage: this.disks.get(id)!,
      stateMachine: machine,
      send: (m) => this.send(m),
      random: () => this.rng.next(),
      snapshotEvery: this.options.snapshotEvery ?? 16,
      trace: (line) => this.trace(line),
    };
    const node = this.options.createNode ? this.options.createNode(options) : new RaftNode(options);
    this.nodes.set(id, node);
    this.machines.set(id, machine);
    const generation = node;
    // Ticks, with a random phase so that replicas do not tick in lockstep.
    const tick = () => {
      if (this.nodes.get(id) !== generation) return; // crashed since
      node.tick();
      this.noteLeader(node);
      this.at(TICK, tick);
    };
    this.at(this.rng.int(1, TICK), tick);
  }

  crash(id: string): void {
    const node = this.nodes.get(id);
    if (!node) return;
    this.trace(`${id}: CRASH`);
    this.nodes.set(id, undefined);
    node.stop();
  }

  restart(id: string): void {
    if (this.nodes.get(id)) return;
    this.trace(`${id}: restart from its disk`);
    this.start(id);
  }

  private noteLeader(node: RaftNode): void {
    if (node.role !== "leader") return;
    const known = this.leaders.get(node.currentTerm);
    if (known === undefined) this.leaders.set(node.currentTerm, node.id);
    else if (known !== node.id && !this.electionSafety) {
      this.electionSafety = `two leaders in term ${node.currentTerm}: ${known} and ${node.id}`;
    }
  }

  // ─── Network ───────────────────────────────────────────────────────────

  send(m: Message): void {
    if (this.cut.has(`${m.from}>${m.to}`)) return;
    if (this.rng.chance(this.options.loss ?? 0.05)) return;
    const copies = this.rng.chance(0.02) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      this.at(this.rng.int(1, 2 * TICK), () => {
        const to = this.nodes.get(m.to);
        if (!to || this.cut.has(`${m.from}>${m.to}`)) return;
        to.receive(m);
        this.noteLeader(to);
      });
    }
  }

  partition(groupA: string[]): void {
    this.cut.clear();
    for (const a of this.ids) {
      for (const b of this.ids) {
        if (groupA.includes(a) !== groupA.includes(b)) this.cut.add(`${a}>${b}`);
      }
    }
    this.trace(`PARTITION ${groupA.join(",")} | ${this.ids.filter((id) => !groupA.includes(id)).join(",")}`);
  }

  heal(): void {
    if (this.cut.size > 0) this.trace("HEAL");
    this.cut.clear();
  }

  // ─── Faults ────────────────────────────────────────────────────────────

  private scheduleFaults(duration: number): void {
    const faults = this.options.faults ?? { every: [300, 900], down: [50, 600] };
    const nemesis = () => {
      if (this.now >= duration) return;
      if (this.options.partitions !== false && this.rng.chance(0.5)) {
        const shuffled = [...this.ids].sort(() => this.rng.next() - 0.5);
        this.partition(shuffled.slice(0, this.rng.int(1, this.ids.length - 1)));
        this.at(this.rng.int(100, 800), () => this.heal());
      }
      if (this.options.crashes !== false && this.rng.chance(0.5)) {
        const victim = this.rng.pick(this.ids);
        this.crash(victim);
        this.at(this.rng.int(...faults.down), () => this.restart(victim));
      }
      this.at(this.rng.int(...faults.every), nemesis);
    };
    this.at(this.rng.int(...faults.every), nemesis);
  }

  // ─── Clients ───────────────────────────────────────────────────────────

  /** A client: one operation at a time, to the replica it believes leads. */
  private client(name: string, keys: string[]): void {
    let counter = 0;
    let target = this.rng.pick(this.ids);
    const next = () => {
      if (this.stopClients) return;
      const key = this.rng.pick(keys);
      if (this.rng.chance(0.5)) this.put(name, key, `${name}-${++counter}`, () => this.at(this.rng.int(1, 30), next), pickTarget);
      else this.get(name, key, () => this.at(this.rng.int(1, 30), next), pickTarget);
    };
    const pickTarget = (): string => {
      const node = this.nodes.get(target);
      const hint = node?.leaderId;
      target = hint && hint !== target && this.rng.chance(0.8) ? hint : this.rng.pick(this.ids);
      return target;
    };
    this.at(this.rng.int(1, 50), next);
  }

  /** Proposes a put; retries on other replicas until one accepts it, then waits for the outcome. */
  put(client: string, key: string, value: string, then: () => void, pickTarget: () => string): void {
    const op: Operation = { client, kind: "put", key, value, call: this.now, answer: Infinity };
    this.history.push(op);
    let finished = false;
    const finish = (ok: boolean) => {
      if (finished) return;
      finished = true;
      if (ok) op.answer = this.now; // otherwise the outcome stays unknown: answer Infinity
      then();
    };
    this.at(CLIENT_TIMEOUT, () => finish(false));
    const attempt = () => {
      if (finished) return;
      const node = this.nodes.get(pickTarget());
      const accepted = node?.propose(JSON.stringify({ key, value }), (result) => finish(result.ok));
      if (!accepted) this.at(this.rng.int(5, 20), attempt);
    };
    attempt();
  }

  /** A linearizable read: read index on the leader, then the value from its state machine. */
  get(client: string, key: string, then: () => void, pickTarget: () => string, onValue?: (v: string | null) => void): void {
    const call = this.now;
    let finished = false;
    this.at(CLIENT_TIMEOUT, () => {
      if (finished) return;
      finished = true;
      then();
    });
    const attempt = () => {
      if (finished) return;
      const id = pickTarget();
      const node = this.nodes.get(id);
      if (!node) return this.at(this.rng.int(5, 20), attempt);
      node.readIndex((result) => {
        if (finished) return;
        if (!result.ok || this.nodes.get(id) !== node) return this.at(this.rng.int(5, 20), attempt);
        finished = true;
        const value = this.machines.get(id)!.get(key);
        this.history.push({ client, kind: "get", key, value, call, answer: this.now });
        onValue?.(value);
        then();
      });
    };
    attempt();
  }

  // ─── A whole run ───────────────────────────────────────────────────────

  run(): SimulationResult {
    const duration = this.options.duration ?? 3000;
    const keys = Array.from({ length: this.options.keys ?? 2 }, (_, i) => `k${i + 1}`);
    this.scheduleFaults(duration);
    for (let c = 1; c <= (this.options.clients ?? 3); c++) this.client(`c${c}`, keys);
    this.runUntil(duration);

    // The end: stop the clients, heal the network, restart every replica,
    // and read every key once more. Those reads must see every acknowledged write.
    this.stopClients = true;
    this.runUntil(this.now + CLIENT_TIMEOUT + 1); // let the last operations end
    this.heal();
    for (const id of this.ids) this.restart(id);
    let liveness: string | undefined;
    const finalReads = new Set(keys);
    for (const key of keys) {
      let target = this.ids[0]!;
      const pick = () => {
        const hint = this.nodes.get(target)?.leaderId;
        target = hint ?? this.rng.pick(this.ids);
        return target;
      };
      const read = () =>
        this.get(
          "final",
          key,
          () => {},
          pick,
          () => finalReads.delete(key),
        );
      read();
      for (let round = 0; round < 20 && finalReads.has(key); round++) {
        this.runUntil(this.now + CLIENT_TIMEOUT + 1);
        if (finalReads.has(key)) read();
      }
    }
    if (finalReads.size > 0) liveness = `no leader served the final reads of ${[...finalReads].join(", ")} after healing`;
    return {
      seed: this.options.seed,
      history: this.history,
      check: checkHistory(this.history),
      leaders: this.leaders,
      ...(this.electionSafety ? { electionSafety: this.electionSafety } : {}),
      ...(liveness ? { liveness } : {}),
      acknowledgedPuts: this.history.filter((op) => op.kind === "put" && op.answer !== Infinity).length,
    };
  }
}

/** One seeded run with partitions and crashes. */
export function simulate(options: SimulationOptions): SimulationResult {
  return new Simulation(options).run();
}
