/**
 * The words of Raft, as types. Read this file first.
 *
 * A replica is in one of three roles. Time is cut into terms: each term
 * starts with an election and has at most one leader.
 *
 *   follower ──(no heartbeat for an election timeout)──> candidate
 *   candidate ──(votes from a majority)──> leader
 *   any role ──(sees a higher term)──> follower
 *
 * Every replica keeps a log of entries. An entry is committed once the
 * leader knows a majority stores it; committed entries are applied to the
 * state machine (here: a key-value store) in log order, on every replica.
 */

/** One command in the replicated log. index starts at 1; term is the leader's term when it was created. */
export interface Entry {
  index: number;
  term: number;
  /** The state machine's command, opaque to Raft. "" is the no-op a new leader appends. */
  command: string;
}

/**
 * What must survive a crash, written to disk before the replica answers any
 * message (Raft paper, Figure 2, "Persistent state on all servers").
 */
export interface HardState {
  currentTerm: number;
  /** The candidate this replica voted for in currentTerm, or null. */
  votedFor: string | null;
}

/** A compacted prefix of the log: the state machine after applying entries 1..index. */
export interface Snapshot {
  /** The last index the snapshot covers (lastIncludedIndex in the paper). */
  index: number;
  /** The term of that entry (lastIncludedTerm). */
  term: number;
  /** The state machine, serialised by the state machine itself. */
  data: string;
}

export type Role = "follower" | "candidate" | "leader";

/** A candidate asks for a vote (the paper's RequestVote RPC). */
export interface RequestVote {
  type: "RequestVote";
  from: string;
  to: string;
  term: number;
  lastLogIndex: number;
  lastLogTerm: number;
}

export interface RequestVoteReply {
  type: "RequestVoteReply";
  from: string;
  to: string;
  term: number;
  voteGranted: boolean;
}

/** The leader replicates entries; with no entries it is a heartbeat. */
export interface AppendEntries {
  type: "AppendEntries";
  from: string;
  to: string;
  term: number;
  /** The index and term of the entry just before `entries`: the consistency check. */
  prevLogIndex: number;
  prevLogTerm: number;
  entries: Entry[];
  leaderCommit: number;
  /** A read-index round this heartbeat confirms (step 17.7), echoed in the reply. */
  readId?: number;
}

export interface AppendEntriesReply {
  type: "AppendEntriesReply";
  from: string;
  to: string;
  term: number;
  success: boolean;
  /** On success: the index of the last entry now known to match the leader's log. */
  matchIndex: number;
  /** On failure: where the leader should try next (a hint that skips a conflicting stretch). */
  conflictIndex: number;
  readId?: number;
}

/** The leader sends its snapshot to a follower that is behind its compacted log. */
export interface InstallSnapshot {
  type: "InstallSnapshot";
  from: string;
  to: string;
  term: number;
  snapshot: Snapshot;
}

export interface InstallSnapshotReply {
  type: "InstallSnapshotReply";
  from: string;
  to: string;
  term: number;
  /** The snapshot's index: the follower now matches the leader up to here. */
  matchIndex: number;
}

export type Message =
  RequestVote | RequestVoteReply | AppendEntries | AppendEntriesReply | InstallSnapshot | InstallSnapshotReply;

/** What a replica keeps on disk, and gets back after a crash. */
export interface PersistedState {
  hard: HardState;
  snapshot: Snapshot;
  /** The entries after snapshot.index, in order. */
  entries: Entry[];
}

/**
 * The disk. save() returns once the state is durable: a replica calls it
 * before it sends a message that depends on it (a vote, an append's success).
 */
export interface RaftStorage {
  load(): PersistedState;
  save(state: PersistedState): void;
}

/** The replicated application. Raft calls it in log order, once per committed entry. */
export interface StateMachine {
  /** Applies a committed command; the result goes back to whoever proposed it. */
  apply(entry: Entry): unknown;
  /** The whole state, for a snapshot. */
  snapshot(): string;
  /** Replaces the whole state with a snapshot's. */
  restore(data: string): void;
}
