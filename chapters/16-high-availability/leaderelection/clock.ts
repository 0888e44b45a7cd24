/**
 * Time, passed in. The elector never calls Date.now() or setTimeout itself:
 * it asks its Clock. The cluster gives it the real clock; the unit tests give
 * it a fake one that moves only when the test says so, so "15 seconds later"
 * takes no time and happens at exactly the same point in every run.
 */
export interface Clock {
  /** Milliseconds, like Date.now(). */
  now(): number;
  /** Resolves after ms, or at once when signal aborts (it never rejects). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener("abort", done, { once: true });
    });
  },
};
