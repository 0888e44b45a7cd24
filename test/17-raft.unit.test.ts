/**
 * Chapter 17, one replica at a time: each test builds a RaftNode, hands it
 * messages as a peer would, and looks at what it sends and what it saved.
 * No network and no clock: a test calls tick() itself.
 */
import { describe, expect, test } from "vitest";
import { RaftNode, type ProposalResult, type ReadResult } from "@tree/17-consensus/raft/node.ts";
import { MemoryStorage } from "@tree/17-consensus/raft/storage.ts";
import { KvMachine } from "@tree/17-consensus/sim/kv.ts";
import type {
  AppendEntries,
  AppendEntriesReply,
  Entry,
  HardState,
  Message,
  PersistedState,
} from "@tree/17-consensus/raft/types.ts";

interface Sent {
  message: Message;
  /** What the disk held when the message left. */
  disk: PersistedState;
}

function replica(
  options: {
    peers?: string[];
    random?: () => number;
    hard?: HardState;
    entries?: Entry[];
    snapshotEvery?: number;
  } = {},
) {
  const disk = new MemoryStorage();
  if (options.hard || options.entries) {
    disk.save({
      hard: options.hard ?? { currentTerm: 0, votedFor: null },
      snapshot: { index: 0, term: 0, data: "" },
      entries: options.entries ?? [],
    });
  }
  const sent: Sent[] = [];
  const machine = new KvMachine();
  const node = new RaftNode({
    id: "n1",
    peers: options.peers ?? ["n1", "n2", "n3"],
    storage: disk,
    stateMachine: machine,
    send: (message) => sent.push({ message, disk: disk.load() }),
    random: options.random ?? (() => 0),
    electionTicks: 10,
    snapshotEvery: options.snapshotEvery ?? 1000,
  });
  const take = <T extends Message["type"]>(type: T): (Sent & { message: Extract<Message, { type: T }> })[] => {
    const found = sent.filter((s) => s.message.type === type) as (Sent & { message: Extract<Message, { type: T }> })[];
    sent.length = 0;
    return found;
  };
  return { node, disk, machine, sent, take };
}

const put = (index: number, term: number, key = "k", value = `v${index}`): Entry => ({
  index,
  term,
  command: JSON.stringify({ key, value }),
});

function ticks(node: RaftNode, n: number): void {
  for (let i = 0; i < n; i++) node.tick();
}

/** n1 leads term `term` of n1..n3 (n2 voted for it), with a no-op at the end of its log. */
function leader(options: { entries?: Entry[]; term?: number } = {}) {
  const r = replica({ hard: { currentTerm: (options.term ?? 1) - 1, votedFor: null }, entries: options.entries ?? [] });
  ticks(r.node, 10);
  r.node.receive({ type: "RequestVoteReply", from: "n2", to: "n1", term: r.node.currentTerm, voteGranted: true });
  expect(r.node.role, "n1 with the votes of n1 and n2 out of 3").toBe("leader");
  r.sent.length = 0;
  return r;
}

function append(term: number, prevLogIndex: number, prevLogTerm: number, entries: Entry[], leaderCommit = 0): AppendEntries {
  return { type: "AppendEntries", from: "n2", to: "n1", term, prevLogIndex, prevLogTerm, entries, leaderCommit };
}

describe("17.1 election", () => {
  test("timeouts are randomized between one and two election timeouts", () => {
    for (const [random, expected] of [
      [0, 10],
      [0.5, 15],
      [0.999, 19],
    ] as const) {
      const r = replica({ random: () => random });
      let waited = 0;
      while (r.take("RequestVote").length === 0 && waited < 100) {
        r.node.tick();
        waited++;
      }
      expect(waited, `ticks before standing for election when random() gives ${random}`).toBe(expected);
    }
  });

  test("a follower that hears no leader stands in a new term", () => {
    const r = replica({ hard: { currentTerm: 4, votedFor: "n3" }, entries: [put(1, 2), put(2, 4)] });
    ticks(r.node, 9);
    expect(r.take("RequestVote"), "requests before the timeout").toEqual([]);
    r.node.tick();
    expect(r.node.role).toBe("candidate");
    expect(r.node.currentTerm).toBe(5);
    expect(r.node.votedFor).toBe("n1");
    const requests = r.take("RequestVote");
    expect(requests.map((s) => s.message.to).sort(), "RequestVote sent to").toEqual(["n2", "n3"]);
    for (const { message, disk } of requests) {
      expect(message).toMatchObject({ term: 5, lastLogIndex: 2, lastLogTerm: 4 });
      expect(disk.hard, "the disk when the request left: term and vote must be saved first").toEqual({
        currentTerm: 5,
        votedFor: "n1",
      });
    }
  });

  test("a single replica elects itself", () => {
    const r = replica({ peers: ["n1"] });
    ticks(r.node, 10);
    expect(r.node.role).toBe("leader");
    expect(r.node.currentTerm).toBe(1);
  });
});

describe("17.2 vote", () => {
  const request = (from: string, term: number, lastLogIndex: number, lastLogTerm: number): Message => ({
    type: "RequestVote",
    from,
    to: "n1",
    term,
    lastLogIndex,
    lastLogTerm,
  });

  test("grants one vote per term, and saves it before answering", () => {
    const r = replica();
    r.node.receive(request("n2", 1, 0, 0));
    const [first] = r.take("RequestVoteReply");
    expect(first?.message, "the answer to n2, the first candidate of term 1").toMatchObject({
      to: "n2",
      term: 1,
      voteGranted: true,
    });
    expect(first?.disk.hard, "the disk when the vote left").toEqual({ currentTerm: 1, votedFor: "n2" });
    r.node.receive(request("n3", 1, 0, 0));
    expect(r.take("RequestVoteReply")[0]?.message, "the answer to n3, a second candidate of term 1").toMatchObject({
      voteGranted: false,
    });
    r.node.receive(request("n2", 1, 0, 0));
    expect(r.take("RequestVoteReply")[0]?.message, "n2 asking again (a duplicate)").toMatchObject({ voteGranted: true });
  });

  test("refuses a candidate whose log is behind", () => {
    const r = replica({ hard: { currentTerm: 2, votedFor: null }, entries: [put(1, 1), put(2, 2)] });
    const cases: [Message, boolean, string][] = [
      [request("n2", 3, 5, 1), false, "an older last term, even with a longer log"],
      [request("n2", 4, 1, 2), false, "the same last term, a shorter log"],
      [request("n2", 5, 2, 2), true, "the same last term, the same length"],
      [request("n3", 6, 1, 3), true, "a newer last term, even with a shorter log"],
    ];
    for (const [message, granted, what] of cases) {
      r.node.receive(message);
      expect(r.take("RequestVoteReply")[0]?.message.voteGranted, what).toBe(granted);
    }
  });

  test("refuses a candidate of an older term and answers with its own term", () => {
    const r = replica({ hard: { currentTerm: 5, votedFor: null } });
    r.node.receive(request("n2", 4, 0, 0));
    expect(r.take("RequestVoteReply")[0]?.message).toMatchObject({ term: 5, voteGranted: false });
    expect(r.node.votedFor).toBe(null);
  });

  test("a candidate with a majority leads, a stale vote does not count", () => {
    const r = replica({ peers: ["n1", "n2", "n3", "n4", "n5"] });
    ticks(r.node, 10); // candidate in term 1
    ticks(r.node, 10); // no answer: candidate in term 2
    expect(r.node.currentTerm).toBe(2);
    const vote = (from: string, term: number): Message => ({ type: "RequestVoteReply", from, to: "n1", term, voteGranted: true });
    r.node.receive(vote("n2", 1));
    r.node.receive(vote("n3", 1));
    expect(r.node.role, "after two votes of term 1, while standing in term 2").toBe("candidate");
    r.node.receive(vote("n2", 2));
    r.node.receive(vote("n2", 2));
    expect(r.node.role, "after n2 voted twice in term 2 (3 of 5 needed)").toBe("candidate");
    r.node.receive(vote("n4", 2));
    expect(r.node.role, "after n2 and n4 voted in term 2").toBe("leader");
  });
});

describe("17.3 append", () => {
  test("refuses when the log has no entry at prevLogIndex with prevLogTerm", () => {
    const r = replica({ hard: { currentTerm: 2, votedFor: null }, entries: [put(1, 1), put(2, 1)] });
    r.node.receive(append(2, 3, 2, [put(4, 2)]));
    expect(r.take("AppendEntriesReply")[0]?.message, "an append after index 3, which n1 does not have").toMatchObject({
      success: false,
    });
    r.node.receive(append(2, 2, 2, [put(3, 2)]));
    const reply = r.take("AppendEntriesReply")[0]?.message;
    expect(reply, "an append after index 2 of term 2 (n1 has term 1 there)").toMatchObject({ success: false });
    expect(reply!.conflictIndex, "conflictIndex: where the leader should try next").toBeGreaterThanOrEqual(1);
    expect(reply!.conflictIndex).toBeLessThanOrEqual(2);
    expect(r.node.log.lastIndex(), "the log after refused appends").toBe(2);
  });

  test("appends after a match and saves before answering", () => {
    const r = replica();
    r.node.receive(append(1, 0, 0, [put(1, 1), put(2, 1)]));
    const [reply] = r.take("AppendEntriesReply");
    expect(reply?.message).toMatchObject({ success: true, matchIndex: 2, term: 1 });
    expect(reply?.disk.entries.length, "entries on disk when the success left").toBe(2);
  });

  test("cuts a conflicting suffix and keeps the rest", () => {
    const r = replica({ hard: { currentTerm: 2, votedFor: null }, entries: [put(1, 1), put(2, 1), put(3, 2), put(4, 2)] });
    r.node.receive(append(3, 2, 1, [put(3, 3, "k", "new")]));
    expect(r.take("AppendEntriesReply")[0]?.message).toMatchObject({ success: true, matchIndex: 3 });
    expect(
      r.node.log.slice(1).map((e) => `${e.index}@${e.term}`),
      "the log",
    ).toEqual(["1@1", "2@1", "3@3"]);
    expect(
      r.disk.load().entries.map((e) => `${e.index}@${e.term}`),
      "the log on disk",
    ).toEqual(["1@1", "2@1", "3@3"]);
  });

  test("a delayed, shorter append does not shorten the log", () => {
    const r = replica({ hard: { currentTerm: 1, votedFor: null }, entries: [put(1, 1), put(2, 1), put(3, 1)] });
    r.node.receive(append(1, 0, 0, [put(1, 1)]));
    expect(r.take("AppendEntriesReply")[0]?.message).toMatchObject({ success: true, matchIndex: 1 });
    expect(r.node.log.lastIndex(), "entries 2 and 3 match the leader too: they stay").toBe(3);
  });

  // Handed to handleAppendEntries itself, not to receive(): receive() then applies
  // what is committed (step 17.5), and this test checks the commit index alone.
  test("commits up to leaderCommit, not past what the append proves", () => {
    const r = replica({ hard: { currentTerm: 2, votedFor: null }, entries: [put(1, 1), put(2, 1), put(3, 1)] });
    r.node.handleAppendEntries(append(2, 1, 1, [], 3));
    expect(r.node.commitIndex, "a heartbeat that proves entry 1 only, leaderCommit 3").toBe(1);
    r.node.handleAppendEntries(append(2, 1, 1, [put(2, 1)], 3));
    expect(r.node.commitIndex, "after an append that proves entry 2").toBe(2);
    r.node.handleAppendEntries(append(2, 3, 1, [], 1));
    expect(r.node.commitIndex, "a commit index never goes back").toBe(2);
  });

  test("a stale leader gets our term back and changes nothing", () => {
    const r = replica({ hard: { currentTerm: 3, votedFor: null } });
    r.node.receive(append(2, 0, 0, [put(1, 2)], 1));
    expect(r.take("AppendEntriesReply")[0]?.message).toMatchObject({ success: false, term: 3 });
    expect(r.node.log.lastIndex()).toBe(0);
  });
});

describe("17.4 commit", () => {
  // Handed to handleAppendReply itself, not to receive(): receive() then applies
  // what is committed (step 17.5), and these tests check the commit rule alone.
  const ok = (from: string, term: number, matchIndex: number): AppendEntriesReply => ({
    type: "AppendEntriesReply",
    from,
    to: "n1",
    term,
    success: true,
    matchIndex,
    conflictIndex: 0,
  });

  test("commits an entry of the current term once a majority stores it", () => {
    const r = leader(); // term 1, no-op at 1
    r.node.propose(JSON.stringify({ key: "k", value: "a" }), () => {});
    expect(r.node.commitIndex, "before any follower stored it").toBe(0);
    r.node.handleAppendReply(ok("n2", 1, 2));
    expect(r.node.commitIndex, "n1 and n2 store entries 1-2").toBe(2);
  });

  test("never commits an older term's entry by counting", () => {
    const r = leader({ term: 2, entries: [put(1, 1), put(2, 1)] }); // no-op at 3, term 2
    r.node.handleAppendReply(ok("n3", 2, 2));
    expect(r.node.commitIndex, "entries 1-2 (term 1) on n1 and n3: not by counting").toBe(0);
    r.node.handleAppendReply(ok("n3", 2, 3));
    expect(r.node.commitIndex, "the no-op of term 2 on n1 and n3 commits it and what is before it").toBe(3);
  });
});

describe("17.5 apply", () => {
  test("applies committed entries once, in log order, and answers each proposal", () => {
    const r = replica({ peers: ["n1"] });
    ticks(r.node, 10);
    const results: ProposalResult[] = [];
    for (const value of ["a", "b", "c"]) r.node.propose(JSON.stringify({ key: "k", value }), (res) => results.push(res));
    expect(results).toEqual([
      { ok: true, index: 2, result: "a" },
      { ok: true, index: 3, result: "b" },
      { ok: true, index: 4, result: "c" },
    ]);
    expect(r.machine.get("k")).toBe("c");
    expect(r.node.lastApplied).toBe(4);
  });

  test("a proposal whose place another leader took fails", () => {
    const r = leader(); // term 1, no-op at 1 (not committed)
    const results: ProposalResult[] = [];
    r.node.propose(JSON.stringify({ key: "k", value: "mine" }), (res) => results.push(res));
    r.node.receive(append(2, 1, 1, [put(2, 2, "k", "theirs")], 2));
    expect(r.machine.get("k"), "the value after the term 2 leader's entry at index 2 committed").toBe("theirs");
    expect(results.length, "answers to the proposal").toBe(1);
    expect(results[0]!.ok, "the proposal's answer").toBe(false);
  });

  test("takes a snapshot after snapshotEvery applied entries", () => {
    const r = replica({ peers: ["n1"], snapshotEvery: 4 });
    ticks(r.node, 10);
    for (let i = 1; i <= 5; i++) r.node.propose(JSON.stringify({ key: `k${i}`, value: `v${i}` }), () => {});
    const saved = r.disk.load();
    expect(saved.snapshot.index, "the snapshot's last index on disk").toBeGreaterThanOrEqual(4);
    const restored = new KvMachine();
    restored.restore(saved.snapshot.data);
    expect(restored.get("k3"), "k3 in the snapshot's state").toBe("v3");
    expect(r.node.log.snapshot.index + r.node.log.entries.length).toBe(6);
  });
});

describe("17.6 snapshot", () => {
  const kv = (pairs: [string, string][]) => JSON.stringify(pairs);
  const install = (term: number, index: number, snapTerm: number, data: string): Message => ({
    type: "InstallSnapshot",
    from: "n2",
    to: "n1",
    term,
    snapshot: { index, term: snapTerm, data },
  });

  test("installs a newer snapshot and drops a log that disagrees", () => {
    const r = replica({ hard: { currentTerm: 1, votedFor: null }, entries: [put(1, 1), put(2, 1)] });
    r.node.receive(install(2, 5, 2, kv([["k", "from-snapshot"]])));
    const [reply] = r.take("InstallSnapshotReply");
    expect(reply?.message).toMatchObject({ matchIndex: 5, term: 2 });
    expect(reply?.disk.snapshot.index, "the snapshot on disk when the reply left").toBe(5);
    expect(r.machine.get("k")).toBe("from-snapshot");
    expect(r.node.log.lastIndex()).toBe(5);
    expect(r.node.commitIndex).toBe(5);
    expect(r.node.lastApplied).toBe(5);
  });

  test("keeps the entries after a snapshot it agrees with", () => {
    const r = replica({ hard: { currentTerm: 1, votedFor: null }, entries: [put(1, 1), put(2, 1), put(3, 1), put(4, 1)] });
    r.node.receive(install(1, 2, 1, kv([["k", "v2"]])));
    expect(r.node.log.lastIndex(), "entries 3-4 follow the snapshot's last entry (2@1)").toBe(4);
    expect(r.node.log.termAt(4)).toBe(1);
  });

  test("ignores a snapshot older than what it has committed", () => {
    const r = replica({ hard: { currentTerm: 1, votedFor: null } });
    r.node.receive(append(1, 0, 0, [put(1, 1, "k", "a"), put(2, 1, "k", "b"), put(3, 1, "k", "c")], 3));
    expect(r.machine.get("k")).toBe("c");
    r.node.receive(install(1, 2, 1, kv([["k", "b"]])));
    expect(r.machine.get("k"), "the state after an old snapshot arrived").toBe("c");
    expect(r.node.log.lastIndex()).toBe(3);
  });
});

describe("17.7 read index", () => {
  const ack = (from: string, term: number, readId: number | undefined): Message => ({
    type: "AppendEntriesReply",
    from,
    to: "n1",
    term,
    success: true,
    matchIndex: 1,
    conflictIndex: 0,
    ...(readId === undefined ? {} : { readId }),
  });

  test("a leader answers only after a majority confirms it still leads", () => {
    const r = leader();
    r.node.receive(ack("n2", 1, undefined)); // the no-op commits
    r.sent.length = 0;
    const reads: ReadResult[] = [];
    r.node.readIndex((res) => reads.push(res));
    expect(reads, "answers before any peer confirmed").toEqual([]);
    const round = r.take("AppendEntries").map((s) => s.message.readId);
    expect(round.length, "heartbeats sent for the read").toBe(2);
    expect(
      round.every((id) => id !== undefined),
      "each heartbeat carries the read's id",
    ).toBe(true);
    r.node.receive(ack("n3", 1, round[0]));
    expect(reads).toEqual([{ ok: true, index: 1 }]);
  });

  test("a new leader refuses reads until it commits an entry of its term", () => {
    const r = leader({ term: 2, entries: [put(1, 1)] });
    const reads: ReadResult[] = [];
    r.node.readIndex((res) => reads.push(res));
    expect(reads.length, "answers to a read on a leader whose no-op is not committed").toBe(1);
    expect(reads[0]!.ok).toBe(false);
  });

  test("a follower refuses, and a deposed leader's pending read fails", () => {
    const f = replica();
    const refused: ReadResult[] = [];
    f.node.readIndex((res) => refused.push(res));
    expect(
      refused.map((x) => x.ok),
      "a follower's answer",
    ).toEqual([false]);

    const r = leader();
    r.node.receive(ack("n2", 1, undefined));
    const reads: ReadResult[] = [];
    r.node.readIndex((res) => reads.push(res));
    r.node.receive(append(2, 1, 1, [], 1)); // a leader of term 2 exists
    expect(
      reads.map((x) => x.ok),
      "the read of the deposed leader",
    ).toEqual([false]);
  });

  test("a stale answer of an older term does not confirm a read", () => {
    const r = leader({ term: 3 });
    r.node.receive(ack("n2", 3, undefined));
    const reads: ReadResult[] = [];
    r.node.readIndex((res) => reads.push(res));
    const id = r.take("AppendEntries")[0]!.message.readId;
    r.node.receive(ack("n2", 2, id));
    expect(reads, "answers after an ack of term 2 to a leader of term 3").toEqual([]);
  });
});
