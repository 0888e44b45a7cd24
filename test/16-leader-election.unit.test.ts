/**
 * Chapter 16, no Docker, no apiserver: the leader elector on a fake clock and
 * an in-memory lock that behaves like the apiserver's Lease (create fails
 * when it exists; update fails with a conflict when the resourceVersion is
 * old; an update without a resourceVersion overwrites). Time moves only when
 * the test moves it, so "15 seconds later" is exact and instant.
 *
 * A candidate "acts" from onStartedLeading until the signal it got aborts:
 * the tests check that two candidates never act at the same time.
 */
import { expect, it } from "vitest";
import {
  LeaderElector,
  LockConflict,
  type LeaderElectionRecord,
  type ResourceLock,
  type VersionedRecord,
} from "@tree/16-high-availability/index.ts";
import { FakeClock, settle, type TestClock } from "./harness/fake-clock.ts";

const LEASE = 15_000;
const RENEW_DEADLINE = 10_000;
const RETRY = 2_000;

/** The stored Lease, shared by every candidate's view. */
class LockServer {
  stored: VersionedRecord | undefined;
  private rv = 100;
  /** Every successful write: who wrote what, when. */
  readonly writes: { holder: string; at: number }[] = [];

  constructor(private readonly clock: FakeClock) {}

  put(record: LeaderElectionRecord): VersionedRecord {
    this.stored = { record: { ...record }, resourceVersion: String(++this.rv) };
    this.writes.push({ holder: record.holderIdentity, at: this.clock.now() });
    return { record: { ...record }, resourceVersion: this.stored.resourceVersion };
  }

  /** Someone else (an admin, another candidate) writes the lock directly. */
  overwrite(holder: string, at = this.clock.now()): void {
    this.put({ holderIdentity: holder, leaseDurationMs: LEASE, acquireTime: at, renewTime: at, leaseTransitions: 7 });
  }

  view(): LockView {
    return new LockView(this);
  }
}

/** One candidate's connection to the lock: it can be cut (calls hang) and raced (a write between get and update). */
class LockView implements ResourceLock {
  readonly description = "kube-system/test";
  /** While true, every call hangs (an apiserver that does not answer). */
  down = false;
  /** Runs once after the next get() answered, before the caller can write. */
  afterGet: (() => void) | undefined;

  constructor(private readonly server: LockServer) {}

  private hang<T>(): Promise<T> {
    return new Promise<T>(() => {});
  }

  async get(): Promise<VersionedRecord | undefined> {
    if (this.down) return this.hang();
    const s = this.server.stored;
    const answer = s && { record: { ...s.record }, resourceVersion: s.resourceVersion };
    const hook = this.afterGet;
    this.afterGet = undefined;
    hook?.();
    return answer;
  }

  async create(record: LeaderElectionRecord): Promise<VersionedRecord> {
    if (this.down) return this.hang();
    if (this.server.stored) throw new LockConflict("exists");
    return this.server.put(record);
  }

  async update(record: LeaderElectionRecord, resourceVersion: string): Promise<VersionedRecord> {
    if (this.down) return this.hang();
    if (!this.server.stored) throw new Error("not found");
    // Like the apiserver: no resourceVersion means an unconditional write.
    if (resourceVersion !== "" && resourceVersion !== this.server.stored.resourceVersion) throw new LockConflict("conflict");
    return this.server.put(record);
  }
}

interface Candidate {
  identity: string;
  elector: LeaderElector;
  lock: LockView;
  /** Fake times at which it started and stopped acting. */
  started: number[];
  stopped: number[];
  acting(): boolean;
  /** Stops run(): it releases the lease (unless releaseOnCancel is false). */
  stop(): Promise<void>;
}

function candidate(
  server: LockServer,
  clock: FakeClock,
  identity: string,
  options: { clock?: TestClock; releaseOnCancel?: boolean; run?: boolean } = {},
): Candidate {
  const lock = server.view();
  const started: number[] = [];
  const stopped: number[] = [];
  let acting = false;
  const elector = new LeaderElector({
    lock,
    identity,
    leaseDurationMs: LEASE,
    renewDeadlineMs: RENEW_DEADLINE,
    retryPeriodMs: RETRY,
    releaseOnCancel: options.releaseOnCancel ?? true,
    clock: options.clock ?? clock,
    callbacks: {
      onStartedLeading(signal) {
        acting = true;
        started.push(clock.now());
        signal.addEventListener("abort", () => {
          acting = false;
          stopped.push(clock.now());
        });
      },
      onStoppedLeading() {},
    },
  });
  const cancel = new AbortController();
  const done = options.run === false ? Promise.resolve() : elector.run(cancel.signal);
  // A starter's todo() rejects run(): the test's own assertions report it.
  done.catch(() => {});
  return {
    identity,
    elector,
    lock,
    started,
    stopped,
    acting: () => acting,
    async stop() {
      cancel.abort();
      await clock.advance(0);
      await done;
    },
  };
}

/** Both acting at once would be two leaders. */
function neverTwoLeaders(a: Candidate, b: Candidate): void {
  expect(a.acting() && b.acting(), `${a.identity} and ${b.identity} both act as leader`).toBe(false);
}

function lastWriteBy(server: LockServer, holder: string): number {
  const mine = server.writes.filter((w) => w.holder === holder);
  if (mine.length === 0) throw new Error(`${holder} never wrote the lease`);
  return mine[mine.length - 1]!.at;
}

/** A record of the lock as `holder` wrote it, with `renewTime` by the holder's clock. */
function seen(holder: string, resourceVersion: string, renewTime: number): VersionedRecord {
  return {
    record: { holderIdentity: holder, leaseDurationMs: LEASE, acquireTime: renewTime, renewTime, leaseTransitions: 0 },
    resourceVersion,
  };
}

/**
 * Step 16.1's two methods, called by name. They are private to the elector,
 * and the elector cannot run before 16.2 to 16.4 exist; TypeScript allows
 * obj["name"] for a private member, so 16.1 can be checked on its own.
 */
function follower(identity = "b") {
  const clock = new FakeClock();
  const elector = new LeaderElector({
    lock: new LockServer(clock).view(),
    identity,
    leaseDurationMs: LEASE,
    renewDeadlineMs: RENEW_DEADLINE,
    retryPeriodMs: RETRY,
    clock,
    callbacks: { onStartedLeading() {}, onStoppedLeading() {} },
  });
  return {
    elector,
    observe: (current: VersionedRecord, now: number) => elector["observe"](current, now),
    heldByAnother: (now: number) => elector["heldByAnother"](now),
  };
}

it("16.1 the lease runs leaseDuration from when WE saw the record change, whatever the holder's renewTime says", () => {
  const t = Date.parse("2026-01-01T00:00:00Z");
  for (const [skew, what] of [
    [-3_600_000, "an hour behind"],
    [3_600_000, "an hour ahead"],
  ] as const) {
    const b = follower();
    b.observe(seen("a", "5", t + skew), t);
    expect(b.elector.getLeader(), "observe() keeps the record it saw").toBe("a");
    expect(b.heldByAnother(t), `a holder whose clock is ${what}, just seen`).toBe(true);
    expect(b.heldByAnother(t + LEASE - 1), `a holder whose clock is ${what}, 1 ms before leaseDuration by b's clock`).toBe(true);
    expect(b.heldByAnother(t + LEASE), `a holder whose clock is ${what}, leaseDuration after b saw it`).toBe(false);
  }
});

it("16.1 the same record read again does not restart the wait; a new resourceVersion does", () => {
  const t = Date.parse("2026-01-01T00:00:00Z");
  const b = follower();
  b.observe(seen("a", "5", t), t);
  b.observe(seen("a", "5", t), t + 10_000);
  expect(b.heldByAnother(t + LEASE), "the same resourceVersion seen again 10 s later: still counted from the first sight").toBe(
    false,
  );
  b.observe(seen("a", "6", t + 10_000), t + 10_000);
  expect(b.heldByAnother(t + 10_000 + LEASE - 1), "a renewal seen at +10 s: held until +10 s + leaseDuration").toBe(true);
  expect(b.heldByAnother(t + 10_000 + LEASE)).toBe(false);
});

it("16.1 nothing seen, a released lease and our own lease are not held by another", () => {
  const t = Date.parse("2026-01-01T00:00:00Z");
  const b = follower("b");
  expect(b.heldByAnother(t), "no record seen yet").toBe(false);
  b.observe(seen("", "7", t), t);
  expect(b.heldByAnother(t), 'a released lease (holder "")').toBe(false);
  b.observe(seen("b", "8", t), t);
  expect(b.elector.isLeader(), "the record names b").toBe(true);
  expect(b.heldByAnother(t), "b's own lease").toBe(false);
});

// The three tests below check 16.1 through the whole elector (run(): steps
// 16.2 to 16.4), so they are named after 16.4, the last step they need.
it("16.4 a follower measures the lease by its own clock: a holder whose clock is an hour behind is not taken over", async () => {
  const clock = new FakeClock();
  const server = new LockServer(clock);
  const a = candidate(server, clock, "a", { clock: clock.skewed(-3_600_000) });
  await clock.advance(0);
  expect(a.acting(), "a should lead an empty lock at once").toBe(true);
  const b = candidate(server, clock, "b");
  for (let t = 0; t < 60_000; t += 500) {
    await clock.advance(500);
    neverTwoLeaders(a, b);
  }
  expect(b.started, "b took over a lease that a renewed every 2 s (did b compare ITS clock with a's renewTime?)").toEqual([]);
  expect(a.acting()).toBe(true);
});

it("16.4 a holder whose clock is an hour ahead is taken over about one leaseDuration after it goes silent", async () => {
  const clock = new FakeClock();
  const server = new LockServer(clock);
  const a = candidate(server, clock, "a", { clock: clock.skewed(3_600_000) });
  await clock.advance(0);
  const b = candidate(server, clock, "b");
  await clock.advance(5_000);
  a.lock.down = true; // a's renewals no longer arrive
  const silentSince = lastWriteBy(server, "a");
  const took = await clock.advanceUntil(() => b.acting(), 120_000, 500);
  expect(took, "b never took over (did it wait until a's renewTime, written by a clock an hour ahead?)").toBeDefined();
  const after = clock.now() - silentSince;
  expect(after, "b took over before a's lease ran out by b's clock").toBeGreaterThanOrEqual(LEASE);
  expect(after, "b waited much longer than leaseDuration + 2 retries").toBeLessThanOrEqual(LEASE + 2 * RETRY + 500);
});

it("16.4 a holder that keeps renewing is never taken over", async () => {
  const clock = new FakeClock();
  const server = new LockServer(clock);
  const a = candidate(server, clock, "a");
  await clock.advance(0);
  const b = candidate(server, clock, "b");
  for (let t = 0; t < 120_000; t += 1_000) {
    await clock.advance(1_000);
    neverTwoLeaders(a, b);
  }
  expect(b.started).toEqual([]);
  expect(server.writes.filter((w) => w.holder === "a").length, "a renewed every retryPeriod").toBeGreaterThanOrEqual(50);
});

it("16.2 creates the lease when none exists", async () => {
  const clock = new FakeClock();
  const server = new LockServer(clock);
  const a = candidate(server, clock, "a", { run: false });
  expect(await a.elector.tryAcquireOrRenew()).toBe(true);
  expect(server.stored?.record).toEqual({
    holderIdentity: "a",
    leaseDurationMs: LEASE,
    acquireTime: clock.now(),
    renewTime: clock.now(),
    leaseTransitions: 0,
  });
});

it("16.2 renewing keeps acquireTime and leaseTransitions; taking over a released lease counts one transition", async () => {
  const clock = new FakeClock();
  const server = new LockServer(clock);
  const a = candidate(server, clock, "a", { run: false });
  const acquired = clock.now();
  expect(await a.elector.tryAcquireOrRenew()).toBe(true);
  await clock.advance(RETRY);
  expect(await a.elector.tryAcquireOrRenew(), "a renews its own lease").toBe(true);
  expect(server.stored?.record).toMatchObject({
    holderIdentity: "a",
    acquireTime: acquired,
    renewTime: clock.now(),
    leaseTransitions: 0,
  });

  // a released lease as release() writes it (step 16.5 checks release() itself)
  server.put({
    holderIdentity: "",
    leaseDurationMs: 1000,
    acquireTime: clock.now(),
    renewTime: clock.now(),
    leaseTransitions: 0,
  });
  await clock.advance(1);
  const b = candidate(server, clock, "b", { run: false });
  expect(await b.elector.tryAcquireOrRenew(), "a released lease is free at once").toBe(true);
  expect(server.stored?.record).toMatchObject({ holderIdentity: "b", acquireTime: clock.now(), leaseTransitions: 1 });
});

it("16.2 a write sends the resourceVersion it read: a candidate that lost a race does not overwrite the winner", async () => {
  const clock = new FakeClock();
  const server = new LockServer(clock);
  server.put({ holderIdentity: "", leaseDurationMs: 1000, acquireTime: 0, renewTime: 0, leaseTransitions: 3 });
  const b = candidate(server, clock, "b", { run: false });
  // c writes between b's read and b's write.
  b.lock.afterGet = () => server.overwrite("c");
  expect(await b.elector.tryAcquireOrRenew(), "b's write must fail: the lock changed since its read").toBe(false);
  expect(server.stored?.record.holderIdentity, "b overwrote c's lease (an update without the read's resourceVersion)").toBe("c");
  expect(b.elector.isLeader()).toBe(false);
});

it("16.2 a holder does not renew with a stale resourceVersion after someone else wrote the lease", async () => {
  const clock = new FakeClock();
  const server = new LockServer(clock);
  const a = candidate(server, clock, "a", { run: false });
  expect(await a.elector.tryAcquireOrRenew()).toBe(true);
  await clock.advance(RETRY);
  a.lock.afterGet = () => server.overwrite("c");
  expect(await a.elector.tryAcquireOrRenew()).toBe(false);
  expect(server.stored?.record.holderIdentity).toBe("c");
});

/** A lease that `holder` wrote: the test plays the holder, so no elector of it needs to renew. */
function writeAs(server: LockServer, clock: FakeClock, holder: string): void {
  server.put({ holderIdentity: holder, leaseDurationMs: LEASE, acquireTime: 0, renewTime: clock.now(), leaseTransitions: 0 });
}

// 16.3 needs only one attempt to win: these tests look at when a candidate
// STARTED leading (its renew() is step 16.4).
it("16.3 a candidate takes a free lease at once: none yet, or released", async () => {
  const clock = new FakeClock();
  const server = new LockServer(clock);
  const a = candidate(server, clock, "a");
  await clock.advance(0);
  expect(a.started, "a should lead an empty lock on its first attempt").toEqual([clock.now()]);

  const released = new LockServer(clock);
  released.put({ holderIdentity: "", leaseDurationMs: 1000, acquireTime: 0, renewTime: 0, leaseTransitions: 2 });
  const b = candidate(released, clock, "b");
  await clock.advance(0);
  expect(b.started, "b should take a released lease on its first attempt").toEqual([clock.now()]);
  expect(released.stored?.record).toMatchObject({ holderIdentity: "b", leaseTransitions: 3 });
});

it("16.3 a candidate waits for the leaseDuration of a silent holder, then takes over", async () => {
  const clock = new FakeClock();
  const server = new LockServer(clock);
  writeAs(server, clock, "a");
  const b = candidate(server, clock, "b");
  for (let i = 0; i < 3; i++) {
    await clock.advance(RETRY);
    writeAs(server, clock, "a"); // a renews
  }
  expect(b.started, "b took over a lease that a renewed every 2 s").toEqual([]);
  const silentSince = lastWriteBy(server, "a");
  const took = await clock.advanceUntil(() => b.started.length > 0, 60_000, 250);
  expect(took, "b never took over a lease that nobody renews").toBeDefined();
  expect(b.started[0]! - silentSince).toBeGreaterThanOrEqual(LEASE);
  expect(b.started[0]! - silentSince).toBeLessThanOrEqual(LEASE + 2 * RETRY + 250);
  expect(server.stored?.record).toMatchObject({ holderIdentity: "b", leaseTransitions: 1 });
});

// The same with a real leader that renews (16.4) before it goes silent.
it("16.4 a candidate waits for the leaseDuration of a silent leader, then takes over", async () => {
  const clock = new FakeClock();
  const server = new LockServer(clock);
  const a = candidate(server, clock, "a");
  await clock.advance(0);
  const b = candidate(server, clock, "b");
  await clock.advance(4_000);
  a.lock.down = true;
  const silentSince = lastWriteBy(server, "a");
  const took = await clock.advanceUntil(() => b.acting(), 60_000, 250);
  expect(took, "b never took over a lease that nobody renews").toBeDefined();
  expect(clock.now() - silentSince).toBeGreaterThanOrEqual(LEASE);
  expect(clock.now() - silentSince).toBeLessThanOrEqual(LEASE + 2 * RETRY + 250);
  expect(server.stored?.record).toMatchObject({ holderIdentity: "b", leaseTransitions: 1 });
});

it("16.4 a leader that cannot renew stops acting before anyone takes over", async () => {
  const clock = new FakeClock();
  const server = new LockServer(clock);
  const a = candidate(server, clock, "a");
  await clock.advance(0);
  const b = candidate(server, clock, "b");
  await clock.advance(6_000);
  a.lock.down = true; // a's calls hang: no answer, no error
  const renewedAt = lastWriteBy(server, "a");
  for (let t = 0; t < 40_000; t += 250) {
    await clock.advance(250);
    neverTwoLeaders(a, b);
  }
  expect(a.stopped.length, "a kept acting although it could not renew (a hanging call must not extend the lease)").toBe(1);
  expect(a.stopped[0]! - renewedAt, "a stopped later than renewDeadline after its last renewal").toBeLessThanOrEqual(
    RENEW_DEADLINE + 250,
  );
  expect(b.started.length, "b should have taken over").toBe(1);
  expect(b.started[0]!).toBeGreaterThan(a.stopped[0]!);
});

it("16.4 a leader that sees another holder in the lease stops at once", async () => {
  const clock = new FakeClock();
  const server = new LockServer(clock);
  const a = candidate(server, clock, "a");
  await clock.advance(3_000);
  expect(a.acting()).toBe(true);
  const edited = clock.now();
  server.overwrite("c"); // someone else holds it now
  await clock.advance(RETRY + 100);
  expect(a.acting(), "a still acts although the lease names c").toBe(false);
  expect(a.stopped[0]! - edited).toBeLessThanOrEqual(RETRY);
  expect(
    server.writes.filter((w) => w.holder === "a" && w.at > edited),
    "a wrote the lease after c took it",
  ).toEqual([]);
  await clock.advance(30_000);
  expect(server.stored?.record.holderIdentity, "nobody renews c; a may take over later, never before c's lease ran out").toBe(
    server.writes[server.writes.length - 1]!.holder,
  );
  expect(server.writes.filter((w) => w.holder === "a" && w.at < edited + LEASE && w.at > edited)).toEqual([]);
});

// Stopping a leader cleanly needs its renew() (16.4) and release() (16.5).
it("16.5 a stopped leader's lease is released, and a candidate takes it on its first attempt", async () => {
  const clock = new FakeClock();
  const server = new LockServer(clock);
  const a = candidate(server, clock, "a");
  await clock.advance(0);
  expect(a.started, "a should lead an empty lock on its first attempt").toEqual([clock.now()]);
  await a.stop();
  expect(server.stored?.record.holderIdentity).toBe("");
  const b = candidate(server, clock, "b");
  await clock.advance(0);
  expect(b.started, "b should take a released lease on its first attempt").toEqual([clock.now()]);
});

it("16.5 release lets the next candidate take over at once", async () => {
  const clock = new FakeClock();
  const server = new LockServer(clock);
  const a = candidate(server, clock, "a");
  await clock.advance(0);
  const b = candidate(server, clock, "b");
  await clock.advance(5_000);
  await a.stop();
  expect(a.acting()).toBe(false);
  expect(server.stored?.record, "the released lease keeps its transitions and names nobody").toMatchObject({
    holderIdentity: "",
    leaseTransitions: 0,
  });
  const releasedAt = clock.now();
  const took = await clock.advanceUntil(() => b.acting(), 20_000, 100);
  expect(took, "b never took over").toBeDefined();
  expect(clock.now() - releasedAt, "b waited for a lease that was released").toBeLessThanOrEqual(RETRY + 100);
});

it("16.5 release clears the holder; the next candidate takes the lease over and counts one transition", async () => {
  const clock = new FakeClock();
  const server = new LockServer(clock);
  const a = candidate(server, clock, "a", { run: false });
  expect(await a.elector.tryAcquireOrRenew()).toBe(true);
  await a.elector.release();
  expect(server.stored?.record.holderIdentity, "release clears the holder").toBe("");
  await clock.advance(1);
  const b = candidate(server, clock, "b", { run: false });
  expect(await b.elector.tryAcquireOrRenew(), "a released lease is free at once").toBe(true);
  expect(server.stored?.record).toMatchObject({ holderIdentity: "b", acquireTime: clock.now(), leaseTransitions: 1 });
});

it("16.5 release never clears another holder's lease", async () => {
  const clock = new FakeClock();
  const server = new LockServer(clock);
  const a = candidate(server, clock, "a", { run: false });
  expect(await a.elector.tryAcquireOrRenew()).toBe(true);
  server.overwrite("b");
  await a.elector.release();
  await settle();
  expect(server.stored?.record.holderIdentity, "a's release cleared b's lease").toBe("b");
});
