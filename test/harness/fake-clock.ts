/**
 * A clock that moves only when the test says so (chapter 16's Clock).
 *
 *   const clock = new FakeClock();
 *   elector.run(signal);                 // sleeps on clock.sleep(...)
 *   await clock.advance(15_000);         // 15 s pass at once, timers fire in order
 *
 * advance() fires each due timer in time order and lets the promises it
 * wakes run (a few turns of the event loop) before the next one, so code
 * that sleeps, then awaits a fake lock, then sleeps again, runs as it
 * would in real time. skewed() gives one party a clock that shows another
 * time but runs at the same speed (clock skew).
 */
interface Timer {
  at: number;
  wake: () => void;
}

export interface TestClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Lets pending promise chains run: several turns of the event loop. */
export async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}

export class FakeClock implements TestClock {
  private time: number;
  private timers: Timer[] = [];

  constructor(start = Date.parse("2026-01-01T00:00:00Z")) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer: Timer = {
        at: this.time + Math.max(0, ms),
        wake: () => {
          this.timers = this.timers.filter((t) => t !== timer);
          signal?.removeEventListener("abort", timer.wake);
          resolve();
        },
      };
      this.timers.push(timer);
      signal?.addEventListener("abort", timer.wake, { once: true });
    });
  }

  /** Moves time forward by ms, firing every timer due on the way, in order. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.time = Math.max(this.time, due.at);
      due.wake();
    }
    this.time = end;
    await settle();
  }

  /** Advances in steps of stepMs until check() is true or maxMs passed; returns the time it took (fake ms) or undefined. */
  async advanceUntil(check: () => boolean, maxMs: number, stepMs = 100): Promise<number | undefined> {
    const start = this.time;
    while (this.time - start <= maxMs) {
      if (check()) return this.time - start;
      await this.advance(stepMs);
    }
    return check() ? this.time - start : undefined;
  }

  /** The same clock, showing a time offsetMs away (another machine whose clock is wrong). */
  skewed(offsetMs: number): TestClock {
    return { now: () => this.time + offsetMs, sleep: (ms, signal) => this.sleep(ms, signal) };
  }
}
