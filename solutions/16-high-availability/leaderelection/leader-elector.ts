/**
 * Leader election over a lock (a Lease), like client-go's
 * tools/leaderelection. Several replicas of a component run the same
 * elector; one holds the lease and works, the others wait to take over.
 *
 *   candidate ──tryAcquireOrRenew every retryPeriod──> leader
 *       ^                                                │ renew every retryPeriod
 *       │                                                │ no renew for renewDeadline:
 *       └──────────── (restarted as a candidate) <───────┘ stop working, give up
 *
 *   leaseDuration (15 s)  how long others wait after they last saw the lease move
 *   renewDeadline (10 s)  how long the leader keeps trying to renew before it gives up
 *   retryPeriod   (2 s)   the pause between two attempts
 *
 * The safety rule: renewDeadline < leaseDuration. The leader stops working
 * before anyone else may start. That holds as long as clocks run at the
 * same SPEED; they never need to show the same TIME, because nobody
 * compares its clock with a time another machine wrote (see observe()).
 */
import { realClock, type Clock } from "./clock.ts";
import { LockConflict, type LeaderElectionRecord, type ResourceLock, type VersionedRecord } from "./resource-lock.ts";

export interface LeaderCallbacks {
  /** We lead: start working. Stop when `signal` aborts. */
  onStartedLeading(signal: AbortSignal): void;
  /** We no longer lead (lost, or run() ended). The elector waits for this before it releases the lease. */
  onStoppedLeading(): void | Promise<void>;
  /** The holder we see changed (any candidate, us included). */
  onNewLeader?(identity: string): void;
}

export interface LeaderElectionConfig {
  lock: ResourceLock;
  /** Unique per replica: the holderIdentity it writes. */
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Clear the lease when run() is stopped, so the next candidate takes over at once. Default true. */
  releaseOnCancel?: boolean;
  callbacks: LeaderCallbacks;
  clock?: Clock;
  log?: (line: string) => void;
}

/** Kubernetes' defaults (kube-scheduler --leader-elect-lease-duration and friends). */
export const DEFAULT_LEASE_DURATION_MS = 15_000;
export const DEFAULT_RENEW_DEADLINE_MS = 10_000;
export const DEFAULT_RETRY_PERIOD_MS = 2_000;

export class LeaderElector {
  readonly identity: string;
  private readonly lock: ResourceLock;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly clock: Clock;
  private readonly callbacks: LeaderCallbacks;
  /** Read when run() ends, so a replica that is killed (not stopped) can decide not to release. */
  private readonly config: LeaderElectionConfig;
  private readonly log: (line: string) => void;
  /** The last record we read or wrote, with its resourceVersion. */
  private observed: VersionedRecord | undefined;
  /** When (OUR clock) we saw the record change last. */
  private observedTime = 0;
  private reportedLeader: string | undefined;

  constructor(config: LeaderElectionConfig) {
    this.lock = config.lock;
    this.identity = config.identity;
    this.leaseDurationMs = config.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS;
    this.renewDeadlineMs = config.renewDeadlineMs ?? DEFAULT_RENEW_DEADLINE_MS;
    this.retryPeriodMs = config.retryPeriodMs ?? DEFAULT_RETRY_PERIOD_MS;
    this.clock = config.clock ?? realClock;
    this.callbacks = config.callbacks;
    this.config = config;
    this.log = config.log ?? (() => {});
    if (!this.identity) throw new Error("leader election: identity must not be empty (use the host name plus a random suffix)");
    if (this.leaseDurationMs <= this.renewDeadlineMs) {
      throw new Error(
        `leader election: leaseDuration (${this.leaseDurationMs} ms) must be greater than renewDeadline (${this.renewDeadlineMs} ms), or two leaders can work at once`,
      );
    }
    if (this.renewDeadlineMs <= this.retryPeriodMs) {
      throw new Error(
        `leader election: renewDeadline (${this.renewDeadlineMs} ms) must be greater than retryPeriod (${this.retryPeriodMs} ms), or the leader gets no second try`,
      );
    }
  }

  /** Whether the last record we saw names us. */
  isLeader(): boolean {
    return this.observed?.record.holderIdentity === this.identity;
  }

  /** The holder in the last record we saw ("" when none). */
  getLeader(): string {
    return this.observed?.record.holderIdentity ?? "";
  }

  /**
   * Campaigns until it leads, leads until it loses the lease or `signal`
   * aborts, then returns. A replica that lost starts run() again as a
   * candidate (a real kube-scheduler exits and is restarted).
   */
  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.acquire(signal))) return;
    const leading = new AbortController();
    this.callbacks.onStartedLeading(leading.signal);
    try {
      await this.renew(signal);
    } finally {
      leading.abort();
      await this.callbacks.onStoppedLeading();
      if (signal.aborted && (this.config.releaseOnCancel ?? true)) await this.release();
    }
  }

  /**
   * Records the lock as we just read it. The lease is valid until
   * leaseDuration after the moment WE saw it change; the holder's renewTime
   * is only compared for equality, never with our clock.
   */
  private observe(current: VersionedRecord, now: number): void {
    // STEP(16.1): remember what we read, and when (by OUR clock) we last saw
    // it change. Never compare our clock with renewTime: that was written by
    // another machine's clock, which may be minutes off.
    // Tests: the "16.1" tests (they call observe() and heldByAnother()).
    //#solution
    if (this.observed?.resourceVersion !== current.resourceVersion) this.observedTime = now;
    this.observed = current;
    //#end
    if (current.record.holderIdentity !== this.reportedLeader) {
      this.reportedLeader = current.record.holderIdentity;
      if (current.record.holderIdentity) this.callbacks.onNewLeader?.(current.record.holderIdentity);
    }
  }

  /** Whether another candidate holds a lease that has not expired (by our clock). */
  private heldByAnother(now: number): boolean {
    // STEP(16.1): another holder, not released (""), seen moving less than
    // its leaseDuration ago.
    //#solution
    const r = this.observed?.record;
    if (!r || r.holderIdentity === "" || r.holderIdentity === this.identity) return false;
    return now < this.observedTime + r.leaseDurationMs;
    //#end
  }

  /**
   * One attempt: create the lease, take it over, or renew it. True when we
   * hold it afterwards. A conflict (someone wrote first) and an apiserver
   * error are both "no": the caller tries again after retryPeriod.
   */
  async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.clock.now();
    // STEP(16.2): read the lock; create it when missing; give up while another
    // holder's lease is valid; otherwise write our record. A write must fail
    // when anyone wrote the lock since our read (send that read's
    // resourceVersion). Keep acquireTime and leaseTransitions when renewing;
    // count a transition when taking over. Give observe() the clock's time
    // AFTER the call answered, not `now`: the record may have changed after
    // `now`, and an earlier time would shorten another holder's lease.
    // Tests: the "16.2" tests.
    //#solution
    const desired: LeaderElectionRecord = {
      holderIdentity: this.identity,
      leaseDurationMs: this.leaseDurationMs,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: 0,
    };
    try {
      const current = await this.lock.get();
      if (!current) {
        this.observe(await this.lock.create(desired), this.clock.now());
        return true;
      }
      this.observe(current, this.clock.now());
      if (this.heldByAnother(now)) return false;
      const old = current.record;
      if (old.holderIdentity === this.identity) {
        desired.acquireTime = old.acquireTime;
        desired.leaseTransitions = old.leaseTransitions;
      } else {
        desired.leaseTransitions = old.leaseTransitions + 1;
      }
      this.observe(await this.lock.update(desired, current.resourceVersion), this.clock.now());
      return true;
    } catch (err) {
      if (!(err instanceof LockConflict)) this.log(`${this.identity}: lease ${this.lock.description}: ${(err as Error).message}`);
      return false;
    }
    //#end
  }

  /** Tries every retryPeriod until we hold the lease (true) or `signal` aborts (false). */
  private async acquire(signal: AbortSignal): Promise<boolean> {
    // STEP(16.3): campaign. Tests: "16.3 a candidate takes a free lease at once",
    // "16.3 a candidate waits for the leaseDuration of a silent holder".
    //#solution
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew()) {
        this.log(`${this.identity}: acquired lease ${this.lock.description}`);
        return true;
      }
      await this.clock.sleep(this.retryPeriodMs, signal);
    }
    return false;
    //#end
  }

  /**
   * Renews every retryPeriod while we lead. Returns when `signal` aborts, or
   * when we lost: another holder in the record, or no successful renew for
   * renewDeadline, counted from the START of the last attempt that worked
   * (the record says we renewed then; others count from later).
   */
  private async renew(signal: AbortSignal): Promise<void> {
    // STEP(16.4): keep the lease, and know the moment it may be lost. An
    // attempt that hangs (a dead apiserver) must not keep us leading past the
    // deadline. All waiting uses this.clock: the tests pass a fake clock, in
    // which a real setTimeout never fires. Tests: "16.4 a leader that cannot renew stops before anyone
    // takes over", "16.4 a leader that sees another holder stops at once".
    //#solution
    let renewedAt = this.clock.now();
    while (!signal.aborted) {
      await this.clock.sleep(this.retryPeriodMs, signal);
      if (signal.aborted) return;
      const started = this.clock.now();
      const left = renewedAt + this.renewDeadlineMs - started;
      const deadline = new AbortController();
      const renewed = await Promise.race([this.tryAcquireOrRenew(), this.clock.sleep(left, deadline.signal).then(() => false)]);
      deadline.abort();
      if (renewed) {
        renewedAt = started;
        continue;
      }
      if (this.observed && this.observed.record.holderIdentity !== this.identity) {
        this.log(`${this.identity}: lease ${this.lock.description} is now held by ${this.getLeader()}`);
        return;
      }
      if (this.clock.now() - renewedAt >= this.renewDeadlineMs) {
        this.log(`${this.identity}: failed to renew lease ${this.lock.description} for ${this.renewDeadlineMs} ms`);
        return;
      }
    }
    //#end
  }

  /**
   * Clears the lease we hold, so the next candidate need not wait for it to
   * expire: holderIdentity "", a one-second leaseDuration.
   */
  async release(): Promise<void> {
    // STEP(16.5): only a holder releases, and only the record it last saw (a
    // newer holder's lease is not ours to clear). Tests: "16.5 release lets the
    // next candidate take over at once", "16.5 release never clears another holder".
    //#solution
    if (!this.observed || !this.isLeader()) return;
    const now = this.clock.now();
    const released: LeaderElectionRecord = {
      holderIdentity: "",
      leaseDurationMs: 1000,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: this.observed.record.leaseTransitions,
    };
    try {
      this.observe(await this.lock.update(released, this.observed.resourceVersion), now);
      this.log(`${this.identity}: released lease ${this.lock.description}`);
    } catch (err) {
      this.log(`${this.identity}: could not release lease ${this.lock.description}: ${(err as Error).message}`);
    }
    //#end
  }
}
