/**
 * The work queue between a controller's event handlers and its workers.
 *
 * Handlers do not act: they only say "look at this key again" (add). A key
 * that is added ten times before a worker gets to it is processed once, and
 * the same key is never processed by two workers at once: a key added while
 * it is being processed waits until that run is done (done()), then runs
 * again. This is what makes a controller *level-triggered*: it never needs
 * to see every event, only the latest state, so events may be merged.
 *
 *   handlers --add(key)--> [ queue: unique keys ] --get()--> worker: sync(key) --done(key)
 *                               ^                                          |
 *                               +---- addRateLimited(key) on failure ------+
 */
export interface WorkQueueOptions {
  /** First retry delay of a failing key; it doubles up to maxDelayMs. Default 10 ms. */
  baseDelayMs?: number;
  /** Default 5 s. */
  maxDelayMs?: number;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  /** Keys waiting to be processed (in `queue`, or to be re-queued when their run ends). */
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private waiters: Array<(key: string | undefined) => void> = [];
  private shuttingDown = false;

  constructor(private readonly options: WorkQueueOptions = {}) {}

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // done() puts it back
    const waiter = this.waiters.shift();
    if (waiter) {
      this.dirty.delete(key);
      this.processing.add(key);
      waiter(key);
    } else {
      this.queue.push(key);
    }
  }

  /** Adds the key after a delay (a periodic re-check). */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.add(key);
    }, delayMs);
    this.timers.add(timer);
  }

  /** Adds the key again after a back-off that grows with each failure in a row. */
  addRateLimited(key: string): void {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    const delay = Math.min((this.options.baseDelayMs ?? 10) * 2 ** failures, this.options.maxDelayMs ?? 5_000);
    this.addAfter(key, delay);
  }

  /** The key succeeded: its back-off starts from the beginning next time. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** The next key to process; undefined once the queue shuts down. */
  get(): Promise<string | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) {
      this.dirty.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The worker finished this key; if it was added meanwhile, it is queued again. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.dirty.delete(key);
      this.add(key);
    }
  }

  get length(): number {
    return this.queue.length;
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const waiter of this.waiters) waiter(undefined);
    this.waiters = [];
  }
}

/**
 * Runs `workers` loops that take keys from the queue and sync them. A failed
 * sync is retried with back-off; `onError` hears about it.
 */
export function runWorkers(
  queue: WorkQueue,
  workers: number,
  sync: (key: string) => Promise<void>,
  onError: (key: string, err: Error) => void,
): Promise<void> {
  const loop = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await sync(key);
        queue.forget(key);
      } catch (err) {
        onError(key, err instanceof Error ? err : new Error(String(err)));
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  return Promise.all(Array.from({ length: workers }, loop)).then(() => undefined);
}
