/**
 * Chapter 17 on the simulated network: seeded runs with message loss,
 * reordering, duplicates, partitions and crashes, each client history
 * checked for linearizability. A failing seed is printed: replay it with
 *   npx tsx chapters/17-consensus/sim/main.ts --seed N --trace
 */
import { describe, expect, test } from "vitest";
import { RaftNode, type RaftNodeOptions } from "@tree/17-consensus/raft/node.ts";
import type { MemoryStorage } from "@tree/17-consensus/raft/storage.ts";
import type { PersistedState, RaftStorage, RequestVote } from "@tree/17-consensus/raft/types.ts";
import { simulate, type SimulationOptions } from "@tree/17-consensus/sim/simulation.ts";
import { checkHistory, type Operation } from "@tree/17-consensus/sim/linearizability.ts";

const RUNS = Number(process.env.RAFT_RUNS ?? 500);

/** The first seeds (up to `max`) whose run is not linearizable. */
function failingSeeds(options: Omit<SimulationOptions, "seed">, max: number, stopAfter = 1): number[] {
  const found: number[] = [];
  for (let seed = 1; seed <= max && found.length < stopAfter; seed++) {
    if (!simulate({ seed, ...options }).check.ok) found.push(seed);
  }
  return found;
}

/** Many quick crashes: what a replica has not saved is lost often. */
const CRASHY: Pick<SimulationOptions, "faults"> = { faults: { every: [20, 200], down: [1, 40] } };

describe("17 chapter", () => {
  test(`${RUNS} seeded runs with partitions and crashes: every history linearizable, no acknowledged write lost`, () => {
    const problems: string[] = [];
    let acknowledged = 0;
    let terms = 0;
    for (let seed = 1; seed <= RUNS; seed++) {
      const run = simulate({ seed, ...(seed % 2 === 0 ? CRASHY : {}) });
      acknowledged += run.acknowledgedPuts;
      terms += run.leaders.size;
      if (!run.check.ok) {
        const ops = run.check.operations!.map((o) => `${o.client} ${o.kind} ${o.value} [${o.call}, ${o.answer}]`);
        problems.push(`seed ${seed}: the history of ${run.check.key} is not linearizable:\n    ${ops.join("\n    ")}`);
      }
      if (run.electionSafety) problems.push(`seed ${seed}: ${run.electionSafety}`);
      if (run.liveness) problems.push(`seed ${seed}: ${run.liveness}`);
      if (problems.length >= 3) break;
    }
    expect(problems, "seeds that broke (replay one with sim/main.ts --seed N --trace)").toEqual([]);
    // Not a vacuous pass: writes were acknowledged and leaders changed.
    expect(acknowledged, "acknowledged writes over all runs").toBeGreaterThan(RUNS * 10);
    expect(terms, "leaders elected over all runs").toBeGreaterThan(RUNS * 2);
  });

  test("the checker catches a Raft that answers before its disk has the state", () => {
    /** A disk one save behind: what the replica just saved is lost if it crashes now. */
    class LaggingDisk implements RaftStorage {
      private pending: PersistedState | undefined;
      constructor(private readonly disk: MemoryStorage) {}
      load(): PersistedState {
        this.pending = undefined;
        return this.disk.load();
      }
      save(state: PersistedState): void {
        if (this.pending) this.disk.save(this.pending);
        this.pending = { hard: { ...state.hard }, snapshot: state.snapshot, entries: [...state.entries] };
      }
    }
    const seeds = failingSeeds({ ...CRASHY, wrapStorage: (disk) => new LaggingDisk(disk) }, 200);
    expect(seeds.length, "seeds (of 200) where a Raft with a lagging disk broke linearizability").toBe(1);
  });

  test("the checker catches a Raft that votes for a candidate with an older log", () => {
    class VotesForAnyLog extends RaftNode {
      constructor(options: RaftNodeOptions) {
        super(options);
        const send = options.send;
        this.handleRequestVote = (m: RequestVote) => {
          const grant = m.term === this.currentTerm && (this.votedFor === null || this.votedFor === m.from);
          if (grant) {
            this.votedFor = m.from;
            this.persist();
            this.resetElectionTimer();
          }
          send({ type: "RequestVoteReply", from: this.id, to: m.from, term: this.currentTerm, voteGranted: grant });
        };
      }
    }
    const seeds = failingSeeds({ createNode: (options) => new VotesForAnyLog(options) }, 200);
    expect(seeds.length, "seeds (of 200) where a Raft without the up-to-date check broke linearizability").toBe(1);
  });

  test("the same seed gives the same run", () => {
    const a = simulate({ seed: 42 });
    const b = simulate({ seed: 42 });
    expect(b.history, "the history of a second run of seed 42").toEqual(a.history);
    expect(a.history.length).toBeGreaterThan(10);
  });
});

describe("17 chapter > the checker (given)", () => {
  const op = (client: string, kind: "put" | "get", value: string | null, call: number, answer: number): Operation => ({
    client,
    kind,
    key: "x",
    value,
    call,
    answer,
  });

  test("accepts concurrent operations in either order", () => {
    expect(checkHistory([op("a", "put", "1", 0, 10), op("b", "get", null, 1, 5), op("c", "get", "1", 2, 8)]).ok).toBe(true);
  });

  test("refuses a read of a value overwritten before the read began", () => {
    const history = [op("a", "put", "1", 0, 1), op("a", "put", "2", 2, 3), op("b", "get", "1", 4, 5)];
    expect(checkHistory(history).ok).toBe(false);
  });

  test("a write with no answer may have happened, or not", () => {
    const lost = op("a", "put", "1", 0, Infinity);
    expect(checkHistory([lost, op("b", "get", "1", 5, 6)]).ok, "read after it sees it").toBe(true);
    expect(checkHistory([lost, op("b", "get", null, 5, 6)]).ok, "read after it does not see it").toBe(true);
    expect(checkHistory([lost, op("b", "get", "1", 5, 6), op("b", "get", null, 7, 8)]).ok, "seen, then gone").toBe(false);
  });
});
