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
