/**
 * Chapter 16 challenges: optional extensions. They fail until you build
 * them; run them with `npm run check 16 -- --challenges`.
 */
import { describe, expect, it } from "vitest";
import {
  LeaderElector,
  type LeaderElectionConfig,
  type LeaderElectionRecord,
  type ResourceLock,
} from "@tree/16-high-availability/index.ts";
import { FakeClock } from "../harness/fake-clock.ts";

/** A lock that counts the reads of each candidate and never lets anyone in (always held by "x", always moving). */
function busyLock(clock: FakeClock, reads: number[]): ResourceLock {
  let rv = 1;
  return {
    description: "kube-system/busy",
    async get() {
      reads.push(clock.now());
      rv++;
      const t = clock.now();
      return {
        record: { holderIdentity: "x", leaseDurationMs: 15_000, acquireTime: t, renewTime: t, leaseTransitions: 0 },
        resourceVersion: String(rv),
      };
    },
    create: async () => {
      throw new Error("exists");
    },
    update: async () => {
      throw new Error("held");
    },
  };
}

describe("16 challenge > jitter", () => {
  it("a candidate waits retryPeriod times a factor between 1 and 1.2, from the jitter option", async () => {
    const clock = new FakeClock();
    const reads: number[] = [];
    const config = {
      lock: busyLock(clock, reads),
      identity: "a",
      retryPeriodMs: 1_000,
      clock,
      callbacks: { onStartedLeading() {}, onStoppedLeading() {} },
      jitter: () => 0.5,
    } as LeaderElectionConfig & { jitter: () => number };
    const stop = new AbortController();
    void new LeaderElector(config).run(stop.signal).catch(() => {});
    await clock.advance(10_000);
    stop.abort();
    const gaps = reads.slice(1).map((t, i) => t - reads[i]!);
    expect(gaps.length, "the candidate should retry several times").toBeGreaterThan(3);
    expect(new Set(gaps), "every pause should be 1,000 ms x (1 + 0.2 x 0.5) = 1,100 ms").toEqual(new Set([1_100]));
  });
});

describe("16 challenge > renew without a read", () => {
  it("a leader that renews ten times in a row reads the lock at most once", async () => {
    const clock = new FakeClock();
    let stored: { record: LeaderElectionRecord; resourceVersion: string } | undefined;
    let rv = 1;
    let reads = 0;
    const write = (record: LeaderElectionRecord) => (stored = { record: { ...record }, resourceVersion: String(++rv) });
    const lock: ResourceLock = {
      description: "kube-system/quiet",
      async get() {
        reads++;
        return stored && { record: { ...stored.record }, resourceVersion: stored.resourceVersion };
      },
      async create(record) {
        if (stored) throw new Error("exists");
        return write(record);
      },
      async update(record, resourceVersion) {
        if (!stored || resourceVersion !== stored.resourceVersion) throw new Error("conflict");
        return write(record);
      },
    };
    const stop = new AbortController();
    const elector = new LeaderElector({
      lock,
      identity: "a",
      retryPeriodMs: 1_000,
      clock,
      callbacks: { onStartedLeading() {}, onStoppedLeading() {} },
    });
    void elector.run(stop.signal).catch(() => {});
    await clock.advance(0);
    const before = reads;
    await clock.advance(10_500);
    stop.abort();
    expect(rv, "the leader should have renewed ten times").toBeGreaterThanOrEqual(12);
    expect(reads - before, "reads of the lock during ten renewals").toBeLessThanOrEqual(1);
  });
});
