/**
 * One Raft replica, as a state machine driven from outside (read this file;
 * the steps of the chapter are here).
 *
 *   tick()        one unit of time passed (the simulator's fake clock, or a real timer)
 *   receive(m)    a message arrived from a peer
 *   propose(c)    a client wants command c in the log (leader only)
 *   readIndex()   a client wants a linearizable read (leader only)
 *
 * The node never reads a clock, opens a socket or touches a file itself. It
 * calls options.send() for messages, options.storage.save() for the disk and
 * options.stateMachine.apply() for committed entries. That is what lets the
 * simulator (sim/) replay the same run from a seed, and the loopback
 * servers (server/) run the very same code on real timers and HTTP.
 */
import { RaftLog } from "./log.ts";
import type {
  AppendEntries,
  AppendEntriesReply,
  Entry,
  InstallSnapshot,
  InstallSnapshotReply,
  Message,
  RaftStorage,
  RequestVote,
  RequestVoteReply,
  Role,
  StateMachine,
} from "./types.ts";

export interface RaftNodeOptions {
  id: string;
  /** Every replica's id, this one's included. */
  peers: readonly string[];
  storage: RaftStorage;
  stateMachine: StateMachine;
  send(message: Message): void;
  /** A number in [0, 1): the simulator passes a seeded generator, so a run can be replayed. */
  random(): number;
  /** The base election timeout in ticks (default 10); each wait is randomized in [electionTicks, 2 x electionTicks). */
  electionTicks?: number;
  /** A leader sends heartbeats every this many ticks (default 1). */
  heartbeatTicks?: number;
  /** Take a snapshot once this many applied entries are not in one yet (default 64). */
  snapshotEvery?: number;
  /** At most this many entries in one AppendEntries (default 32). */
  maxEntriesPerAppend?: number;
  /** Trace lines (elections, role changes) for the simulator's output. */
  trace?(line: string): void;
}

export type ProposalResult = { ok: true; index: number; result: unknown } | { ok: false; reason: string };
export type ReadResult = { ok: true; index: number } | { ok: false; reason: string };

/** A read waiting for a majority to confirm this leader, then for the state machine to catch up (step 17.7). */
interface PendingRead {
  id: number;
  /** The commit index when the read arrived: the read must see at least this. */
  index: number;
  acks: Set<string>;
  done(result: ReadResult): void;
}

export const NOT_LEADER = "not the leader";

export class RaftNode {
  readonly id: string;
  role: Role = "follower";
  currentTerm: number;
  votedFor: string | null;
  readonly log: RaftLog;
  /** The highest index known to be committed (volatile: relearned from the leader after a restart). */
  commitIndex: number;
  /** The highest index applied to the state machine. */
  lastApplied: number;
  /** Who this replica believes leads currentTerm, if anyone. */
  leaderId: string | undefined;

  /** Candidate: who voted for us in currentTerm. */
  votes = new Set<string>();
  /** Leader: the next index to send to each peer, and the highest index known to match there. */
  nextIndex = new Map<string, number>();
  matchIndex = new Map<string, number>();

  electionElapsed = 0;
  /** This wait's election timeout, drawn again at every reset (step 17.1). */
  randomizedElectionTimeout = 0;
  heartbeatElapsed = 0;

  /** Proposals of this leader, by log index, waiting to be applied. */
  private readonly waiting = new Map<number, { term: number; done(result: ProposalResult): void }>();
  private reads: PendingRead[] = [];
  private nextReadId = 1;

  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly snapshotEvery: number;
  readonly maxEntriesPerAppend: number;

  constructor(private readonly options: RaftNodeOptions) {
    this.id = options.id;
    this.electionTicks = options.electionTicks ?? 10;
    this.heartbeatTicks = options.heartbeatTicks ?? 1;
    this.snapshotEvery = options.snapshotEvery ?? 64;
    this.maxEntriesPerAppend = options.maxEntriesPerAppend ?? 32;
    // A restart: what was saved comes back; everything else is relearned.
    const saved = options.storage.load();
    this.currentTerm = saved.hard.currentTerm;
    this.votedFor = saved.hard.votedFor;
    this.log = new RaftLog(saved.snapshot, [...saved.entries]);
    if (saved.snapshot.index > 0) options.stateMachine.restore(saved.snapshot.data);
    this.commitIndex = saved.snapshot.index;
    this.lastApplied = saved.snapshot.index;
    this.resetElectionTimer();
  }

  /** More than half of the replicas, this one included. */
  quorum(): number {
    return Math.floor(this.options.peers.length / 2) + 1;
  }

  others(): string[] {
    return this.options.peers.filter((p) => p !== this.id);
  }

  // ─── Time ──────────────────────────────────────────────────────────────

  tick(): void {
    if (this.role === "leader") {
      this.heartbeatElapsed++;
      if (this.heartbeatElapsed >= this.heartbeatTicks) {
        this.heartbeatElapsed = 0;
        this.broadcastAppend();
      }
      return;
    }
    this.electionElapsed++;
    if (this.electionElapsed >= this.randomizedElectionTimeout) this.campaign();
  }

  resetElectionTimer(): void {
    this.electionElapsed = 0;
    // STEP(17.1): draw this wait's timeout. If every replica waited the same
    // time, they would all stand at once and split the vote again and again.
    // The timeout must lie in [electionTicks, 2 x electionTicks), from options.random().
    // Tests: "17.1 election > timeouts are randomized between one and two election timeouts".
    //#solution
    this.randomizedElectionTimeout = this.electionTicks + Math.floor(this.options.random() * this.electionTicks);
    //#end
  }

  /**
   * No leader was heard for a whole timeout: stand for election.
   */
  campaign(): void {
    // STEP(17.1): become a candidate of a new term that votes for itself, and
    // ask every other replica for its vote. The new term and the vote must be
    // on disk before the first request leaves: after a crash this replica must
    // not vote again in the same term. A cluster of one wins at once.
    // Tests: "17.1 election > a follower that hears no leader stands in a new term",
    // "17.1 election > a single replica elects itself".
    //#solution
    this.role = "candidate";
    this.currentTerm++;
    this.votedFor = this.id;
    this.leaderId = undefined;
    this.votes = new Set([this.id]);
    this.resetElectionTimer();
    this.persist();
    this.options.trace?.(`${this.id}: election timeout, candidate in term ${this.currentTerm}`);
    if (this.votes.size >= this.quorum()) return this.becomeLeader();
    for (const peer of this.others()) {
      this.options.send({
        type: "RequestVote",
        from: this.id,
        to: peer,
        term: this.currentTerm,
        lastLogIndex: this.log.lastIndex(),
        lastLogTerm: this.log.lastTerm(),
      });
    }
    //#end
  }

  // ─── Messages ──────────────────────────────────────────────────────────

  receive(m: Message): void {
    // The rule for every message: a higher term means this replica is out of
    // date. It becomes a follower of that term (and forgets its vote).
    if (m.term > this.currentTerm) {
      const leader = m.type === "AppendEntries" || m.type === "InstallSnapshot" ? m.from : undefined;
      this.becomeFollower(m.term, leader);
    }
    switch (m.type) {
      case "RequestVote":
        this.handleRequestVote(m);
        break;
      case "RequestVoteReply":
        this.handleVoteReply(m);
        break;
      case "AppendEntries":
        this.handleAppendEntries(m);
        break;
      case "AppendEntriesReply":
        this.handleAppendReply(m);
        break;
      case "InstallSnapshot":
        this.handleInstallSnapshot(m);
        break;
      case "InstallSnapshotReply":
        this.handleSnapshotReply(m);
        break;
    }
    this.applyCommitted();
  }

  handleRequestVote(m: RequestVote): void {
    // STEP(17.2): decide the vote and answer m.from with a RequestVoteReply of
    // currentTerm. Grant it only to a candidate of this term, if this replica
    // has not voted for someone else in this term, and if the candidate's log
    // is at least as up to date as ours (the later last term wins; equal last
    // terms: the longer log). A granted vote is on disk before the reply
    // leaves, and restarts this replica's election timer.
    // Tests: "17.2 vote > grants one vote per term, and saves it before answering",
    // "17.2 vote > refuses a candidate whose log is behind".
    //#solution
    const upToDate =
      m.lastLogTerm > this.log.lastTerm() || (m.lastLogTerm === this.log.lastTerm() && m.lastLogIndex >= this.log.lastIndex());
    const grant = m.term === this.currentTerm && (this.votedFor === null || this.votedFor === m.from) && upToDate;
    if (grant) {
      this.votedFor = m.from;
      this.persist();
      this.resetElectionTimer();
    }
    this.options.send({ type: "RequestVoteReply", from: this.id, to: m.from, term: this.currentTerm, voteGranted: grant });
    //#end
  }

  handleVoteReply(m: RequestVoteReply): void {
    // STEP(17.2): count the vote. Only a candidate counts, only votes of its
    // own term, each voter once. With a majority it becomes the leader.
    // Tests: "17.2 vote > a candidate with a majority leads, a stale vote does not count".
    //#solution
    if (this.role !== "candidate" || m.term !== this.currentTerm || !m.voteGranted) return;
    this.votes.add(m.from);
    if (this.votes.size >= this.quorum()) this.becomeLeader();
    //#end
  }

  handleAppendEntries(m: AppendEntries): void {
    const reply = (success: boolean, matchIndex: number, conflictIndex: number): void =>
      this.options.send({
        type: "AppendEntriesReply",
        from: this.id,
        to: m.from,
        term: this.currentTerm,
        success,
        matchIndex,
        conflictIndex,
        ...(m.readId === undefined ? {} : { readId: m.readId }),
      });
    if (m.term < this.currentTerm) return reply(false, 0, 0); // a stale leader: our term in the reply retires it
    // A leader of our term exists: a candidate gives up, everyone waits again.
    if (this.role !== "follower") this.becomeFollower(m.term, m.from);
    this.leaderId = m.from;
    this.resetElectionTimer();

    // STEP(17.3): the consistency check. Accept only if our log has an entry
    // at m.prevLogIndex of term m.prevLogTerm (entries inside our snapshot are
    // committed, so they match). Then add m.entries: an entry that conflicts
    // (same index, other term) is cut off with everything after it; an entry
    // we already have stays, and so does what follows it (a delayed, shorter
    // append must not shorten the log). If the log changed, save it before
    // the successful reply (a heartbeat changes nothing and needs no save); then
    // commit up to min(m.leaderCommit, the last index this append proves).
    // On failure, conflictIndex tells the leader where to retry.
    // Tests: "17.3 append > cuts a conflicting suffix and keeps the rest",
    // "17.3 append > a delayed, shorter append does not shorten the log".
    //#solution
    const snapIndex = this.log.snapshot.index;
    if (m.prevLogIndex > this.log.lastIndex()) return reply(false, 0, this.log.lastIndex() + 1);
    if (m.prevLogIndex >= snapIndex && this.log.termAt(m.prevLogIndex) !== m.prevLogTerm) {
      // Skip back over the whole conflicting term in one round trip.
      const badTerm = this.log.termAt(m.prevLogIndex);
      let first = m.prevLogIndex;
      while (first - 1 > snapIndex && this.log.termAt(first - 1) === badTerm) first--;
      return reply(false, 0, first);
    }
    let changed = false;
    for (const entry of m.entries) {
      if (entry.index <= snapIndex) continue;
      const have = this.log.termAt(entry.index);
      if (have === entry.term) continue;
      if (have !== undefined) this.log.truncateFrom(entry.index);
      this.log.append(entry);
      changed = true;
    }
    if (changed) this.persist();
    const lastNew = m.prevLogIndex + m.entries.length;
    this.commitIndex = Math.max(this.commitIndex, Math.min(m.leaderCommit, lastNew));
    reply(true, lastNew, 0);
    //#end
  }

  handleAppendReply(m: AppendEntriesReply): void {
    if (this.role !== "leader" || m.term !== this.currentTerm) return;
    // Any answer of our term says "you are still my leader": it confirms a read round.
    if (m.readId !== undefined) this.confirmRead(m.from, m.readId);
    const match = this.matchIndex.get(m.from) ?? 0;
    if (m.success) {
      this.matchIndex.set(m.from, Math.max(match, m.matchIndex));
      this.nextIndex.set(m.from, Math.max(this.nextIndex.get(m.from) ?? 1, m.matchIndex + 1));
      this.maybeCommit();
      if ((this.nextIndex.get(m.from) ?? 1) <= this.log.lastIndex()) this.sendAppend(m.from);
    } else {
      const next = Math.min(Math.max(m.conflictIndex, match + 1), this.log.lastIndex() + 1);
      this.nextIndex.set(m.from, next);
      this.sendAppend(m.from);
    }
  }

  /** Leader: is there a higher index a majority stores? */
  maybeCommit(): void {
    // STEP(17.4): advance commitIndex to the highest index N stored by a
    // majority (this leader counts itself; matchIndex says what each peer
    // stores). Only an entry of the current term may be committed by
    // counting: an older term's entry on a majority can still be overwritten
    // (the paper's Figure 8). It is committed along with a later entry of ours.
    // Tests: "17.4 commit > never commits an older term's entry by counting".
    //#solution
    for (let n = this.log.lastIndex(); n > this.commitIndex; n--) {
      if (this.log.termAt(n) !== this.currentTerm) break; // older terms come before ours in the log
      let stored = 1;
      for (const peer of this.others()) if ((this.matchIndex.get(peer) ?? 0) >= n) stored++;
      if (stored >= this.quorum()) {
        this.commitIndex = n;
        break;
      }
    }
    //#end
  }

  handleInstallSnapshot(m: InstallSnapshot): void {
    const reply = (matchIndex: number): void =>
      this.options.send({ type: "InstallSnapshotReply", from: this.id, to: m.from, term: this.currentTerm, matchIndex });
    if (m.term < this.currentTerm) return reply(0);
    if (this.role !== "follower") this.becomeFollower(m.term, m.from);
    this.leaderId = m.from;
    this.resetElectionTimer();
    // STEP(17.6): install the leader's snapshot (we lag behind its compacted
    // log). One older than what we have committed changes nothing. Otherwise
    // the state machine becomes the snapshot's; if our log has the snapshot's
    // last entry (same index and term), what follows it stays, else the whole
    // log goes. Save before the reply; its matchIndex is the snapshot's index.
    // Proposals waiting at indexes the snapshot covers can no longer learn
    // their outcome: fail them (failWaiting).
    // Tests: "17.6 snapshot > keeps the entries after a snapshot it agrees with".
    //#solution
    const snap = m.snapshot;
    if (snap.index <= this.commitIndex) return reply(snap.index);
    if (this.log.termAt(snap.index) === snap.term) this.log.compact(snap);
    else this.log.reset(snap);
    this.options.stateMachine.restore(snap.data);
    this.commitIndex = snap.index;
    this.lastApplied = snap.index;
    this.failWaiting(snap.index, "the outcome is unknown: a snapshot replaced this replica's log, retry");
    this.persist();
    reply(snap.index);
    //#end
  }

  handleSnapshotReply(m: InstallSnapshotReply): void {
    if (this.role !== "leader" || m.term !== this.currentTerm) return;
    const match = Math.max(this.matchIndex.get(m.from) ?? 0, m.matchIndex);
    this.matchIndex.set(m.from, match);
    this.nextIndex.set(m.from, match + 1);
    this.maybeCommit();
    if (match < this.log.lastIndex()) this.sendAppend(m.from);
  }

  // ─── Applying ──────────────────────────────────────────────────────────

  /** Applies what is committed and not applied yet; answers proposals and reads. */
  applyCommitted(): void {
    // Nothing newly committed and no read waiting: nothing to do. (Given, so
    // that the steps before 17.5 can be checked before it is written.)
    if (this.lastApplied >= this.commitIndex && this.reads.length === 0) return;
    // STEP(17.5): apply every committed entry not yet applied, one by one, in
    // index order. The no-op "" of a new leader is not passed to the state
    // machine (the given machines parse every command as JSON), but it still
    // advances lastApplied. A proposal waiting at that index gets the
    // result, if the entry is the one it proposed (same term); otherwise
    // another leader's entry took its place and it fails. Then take a
    // snapshot once snapshotEvery applied entries are outside it, and let
    // confirmed reads go (releaseReads).
    // Tests: "17.5 apply > a proposal whose place another leader took fails",
    // "17.5 apply > takes a snapshot after snapshotEvery applied entries".
    //#solution
    while (this.lastApplied < this.commitIndex) {
      const entry = this.log.entry(this.lastApplied + 1)!;
      this.lastApplied = entry.index;
      const result = entry.command === "" ? undefined : this.options.stateMachine.apply(entry);
      const waiter = this.waiting.get(entry.index);
      if (waiter) {
        this.waiting.delete(entry.index);
        if (waiter.term === entry.term) waiter.done({ ok: true, index: entry.index, result });
        else waiter.done({ ok: false, reason: "another leader's entry took this place in the log: retry" });
      }
    }
    if (this.lastApplied - this.log.snapshot.index >= this.snapshotEvery) {
      const data = this.options.stateMachine.snapshot();
      this.log.compact({ index: this.lastApplied, term: this.log.termAt(this.lastApplied)!, data });
      this.persist();
    }
    this.releaseReads();
    //#end
  }

  // ─── Clients ───────────────────────────────────────────────────────────

  /**
   * Appends a command to the leader's log. done() runs once the entry is
   * applied (ok), or once it is known that it never will be (not ok: retry).
   * Returns false at once on a replica that is not the leader.
   */
  propose(command: string, done: (result: ProposalResult) => void): boolean {
    return this.proposeAll([{ command, done }]);
  }

  /** Several proposals with one save and one append round (the loopback replicas batch what arrives together). */
  proposeAll(proposals: readonly { command: string; done: (result: ProposalResult) => void }[]): boolean {
    if (this.role !== "leader") return false;
    for (const { command, done } of proposals) {
      const entry: Entry = { index: this.log.lastIndex() + 1, term: this.currentTerm, command };
      this.log.append(entry);
      this.waiting.set(entry.index, { term: entry.term, done });
    }
    this.persist();
    this.broadcastAppend();
    this.maybeCommit(); // a cluster of one commits at once
    this.applyCommitted();
    return true;
  }

  /**
   * A linearizable read: done({ ok, index }) once the state machine may be
   * read, that is once it holds every write acknowledged before this call.
   */
  readIndex(done: (result: ReadResult) => void): void {
    // STEP(17.7): the read index. Only a leader answers, and only once it has
    // committed an entry of its own term (before that, its commitIndex may be
    // behind writes an earlier leader acknowledged). Remember commitIndex,
    // then confirm that a majority still follows us in this term: send a
    // heartbeat round with this read's id (broadcastAppend(id)); confirmRead
    // counts the answers. The read goes (releaseReads) once confirmed and
    // applied up to its index. Without the round, a deposed leader cut off
    // from the others would answer stale data.
    // Tests: "17.7 read index > a leader answers only after a majority confirms it still leads",
    // "17.7 read index > a new leader refuses reads until it commits an entry of its term".
    //#solution
    if (this.role !== "leader") return done({ ok: false, reason: NOT_LEADER });
    if (this.log.termAt(this.commitIndex) !== this.currentTerm) {
      return done({ ok: false, reason: "the new leader has not committed an entry of its term yet: retry" });
    }
    const read: PendingRead = { id: this.nextReadId++, index: this.commitIndex, acks: new Set([this.id]), done };
    this.reads.push(read);
    if (read.acks.size >= this.quorum()) this.releaseReads();
    else this.broadcastAppend(read.id);
    //#end
  }

  /** A peer answered the heartbeat of read round readId, in our term. */
  confirmRead(from: string, readId: number): void {
    // STEP(17.7): count the peer for that round. A heartbeat round confirms
    // every read that started before it, too.
    //#solution
    for (const read of this.reads) if (read.id <= readId) read.acks.add(from);
    this.releaseReads();
    //#end
  }

  /** Answers the reads that are confirmed by a majority and applied up to their index. */
  releaseReads(): void {
    if (this.reads.length === 0) return; // given: lets steps 17.5-17.6 be checked before 17.7 is written
    // STEP(17.7): in arrival order; a read that is not ready holds back the
    // ones after it (they came later, so they may not be answered first).
    //#solution
    while (this.reads.length > 0) {
      const read = this.reads[0]!;
      if (read.acks.size < this.quorum() || this.lastApplied < read.index) return;
      this.reads.shift();
      read.done({ ok: true, index: read.index });
    }
    //#end
  }

  // ─── Roles (given) ─────────────────────────────────────────────────────

  becomeFollower(term: number, leaderId: string | undefined): void {
    const wasLeader = this.role === "leader";
    if (term > this.currentTerm) {
      this.currentTerm = term;
      this.votedFor = null;
      this.persist();
    }
    this.role = "follower";
    this.leaderId = leaderId;
    this.resetElectionTimer();
    if (wasLeader) this.options.trace?.(`${this.id}: steps down in term ${term}`);
    // Reads need a leader of the term they began in; proposals may still
    // commit (a new leader may keep our entries), so they keep waiting.
    for (const read of this.reads.splice(0)) read.done({ ok: false, reason: NOT_LEADER });
  }

  becomeLeader(): void {
    this.role = "leader";
    this.leaderId = this.id;
    this.heartbeatElapsed = 0;
    for (const peer of this.others()) {
      this.nextIndex.set(peer, this.log.lastIndex() + 1);
      this.matchIndex.set(peer, 0);
    }
    this.options.trace?.(`${this.id}: leader of term ${this.currentTerm}`);
    // A no-op of our term: once it commits, everything before it is committed
    // too (step 17.4), and reads may start (step 17.7).
    this.log.append({ index: this.log.lastIndex() + 1, term: this.currentTerm, command: "" });
    this.persist();
    this.broadcastAppend();
    // A cluster of one commits its no-op at once: the entry is of our term,
    // and this replica alone is a majority. That is what maybeCommit() would
    // find; it is set here so that steps 17.1 and 17.2 can be checked before
    // 17.4 is written. With peers, no one else stores it yet: nothing to count.
    if (this.quorum() === 1) this.commitIndex = this.log.lastIndex();
  }

  // ─── Replication (given) ───────────────────────────────────────────────

  broadcastAppend(readId?: number): void {
    for (const peer of this.others()) this.sendAppend(peer, readId);
  }

  /** Sends the peer what follows its nextIndex, or the snapshot when that part of the log is compacted. */
  sendAppend(peer: string, readId?: number): void {
    const next = this.nextIndex.get(peer) ?? this.log.lastIndex() + 1;
    if (next <= this.log.snapshot.index) {
      this.options.send({
        type: "InstallSnapshot",
        from: this.id,
        to: peer,
        term: this.currentTerm,
        snapshot: this.log.snapshot,
      });
      if (readId === undefined) return;
      // The snapshot reply carries no read id: confirm the round with an empty append at the snapshot.
      this.options.send({
        type: "AppendEntries",
        from: this.id,
        to: peer,
        term: this.currentTerm,
        prevLogIndex: this.log.snapshot.index,
        prevLogTerm: this.log.snapshot.term,
        entries: [],
        leaderCommit: this.commitIndex,
        readId,
      });
      return;
    }
    const prevLogIndex = next - 1;
    this.options.send({
      type: "AppendEntries",
      from: this.id,
      to: peer,
      term: this.currentTerm,
      prevLogIndex,
      prevLogTerm: this.log.termAt(prevLogIndex)!,
      entries: this.log.slice(next, this.maxEntriesPerAppend),
      leaderCommit: this.commitIndex,
      ...(readId === undefined ? {} : { readId }),
    });
  }

  // ─── Disk (given) ──────────────────────────────────────────────────────

  persist(): void {
    this.options.storage.save({
      hard: { currentTerm: this.currentTerm, votedFor: this.votedFor },
      snapshot: this.log.snapshot,
      entries: [...this.log.entries],
    });
  }

  /** Fails the proposals waiting at indexes up to upTo. */
  failWaiting(upTo: number, reason: string): void {
    for (const [index, waiter] of this.waiting) {
      if (index > upTo) continue;
      this.waiting.delete(index);
      waiter.done({ ok: false, reason });
    }
  }

  /** Fails everything that waits on this replica (it is being stopped). */
  stop(): void {
    this.failWaiting(Infinity, "the replica stopped: the outcome is unknown, retry");
    for (const read of this.reads.splice(0)) read.done({ ok: false, reason: "the replica stopped" });
  }
}
