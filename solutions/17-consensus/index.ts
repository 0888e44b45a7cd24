/**
 * Chapter 17: consensus. Raft replicates chapter 02's store on three replicas.
 *
 *   raft/      the algorithm: node.ts (your steps), log.ts, storage.ts, types.ts
 *   sim/       the seeded simulator and the linearizability checker
 *   server/    the same RaftNode on loopback HTTP, and the Store over it
 */
export { RaftNode, type RaftNodeOptions } from "./raft/node.ts";
export { MemoryStorage, FileStorage } from "./raft/storage.ts";
export { simulate, Simulation, type SimulationOptions, type SimulationResult } from "./sim/simulation.ts";
export { checkHistory, linearizable, type Operation } from "./sim/linearizability.ts";
export { startRaftCluster, sweepRaftDirs, type RaftCluster } from "./server/cluster.ts";
export { RaftStore } from "./server/raft-store.ts";
