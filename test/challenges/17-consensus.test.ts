/**
 * Chapter 17 challenges: optional extensions. They fail until you build
 * them; run them with `npm run check 17 -- --challenges`.
 */
import { describe, expect, it } from "vitest";
import { Simulation } from "@tree/17-consensus/sim/simulation.ts";

describe("17 challenge > pre-vote", () => {
  it("a replica that comes back from a partition does not end a healthy leader's term", () => {
    const sim = new Simulation({ seed: 3, partitions: false, crashes: false, loss: 0 });
    sim.runUntil(1000);
    const leader = [...sim.nodes.values()].find((n) => n?.role === "leader");
    expect(leader, "a leader after 100 ticks on a healthy network").toBeDefined();
    const term = leader!.currentTerm;
    const cutOff = sim.ids.find((id) => id !== leader!.id)!;
    sim.partition([cutOff]); // alone for 300 ticks: without pre-vote it stands again and again
    sim.runUntil(sim.now + 3000);
    sim.heal();
    sim.runUntil(sim.now + 1000);
    expect(leader!.role, `${leader!.id}'s role after ${cutOff} came back`).toBe("leader");
    expect(leader!.currentTerm, `${leader!.id}'s term after ${cutOff} came back`).toBe(term);
  });
});

describe("17 challenge > leader lease", () => {
  it("a leader with a fresh lease answers a read without a heartbeat round", async () => {
    const { RaftNode } = await import("@tree/17-consensus/raft/node.ts");
    const { MemoryStorage } = await import("@tree/17-consensus/raft/storage.ts");
    const { KvMachine } = await import("@tree/17-consensus/sim/kv.ts");
    const sent: string[] = [];
    const node = new RaftNode({
      id: "n1",
      peers: ["n1", "n2", "n3"],
      storage: new MemoryStorage(),
      stateMachine: new KvMachine(),
      send: (m) => sent.push(m.type),
      random: () => 0,
      readOnly: "lease",
    } as ConstructorParameters<typeof RaftNode>[0]);
    for (let i = 0; i < 10; i++) node.tick();
    node.receive({ type: "RequestVoteReply", from: "n2", to: "n1", term: 1, voteGranted: true });
    node.receive({ type: "AppendEntriesReply", from: "n2", to: "n1", term: 1, success: true, matchIndex: 1, conflictIndex: 0 });
    sent.length = 0;
    const reads: unknown[] = [];
    node.readIndex((r) => reads.push(r));
    expect(reads, "the read's answer, at once").toEqual([{ ok: true, index: 1 }]);
    expect(sent, "messages sent for the read").toEqual([]);
  });
});
