/**
 * Pod workers: one worker per pod, so that the syncs of one pod never
 * overlap (two syncs starting the same container twice) while different
 * pods sync in parallel.
 *
 * Anything can ask for a sync at any time: a watch event, a container that
 * exited, a back-off that ended, the periodic resync. A request that arrives
 * while the pod's sync runs is remembered and served by one more sync right
 * after it (many requests, one extra sync: they all want "look again").
 *
 * Chapter 12 hangs its probe workers (liveness, readiness) next to these:
 * see probes.ts.
 */

interface Worker {
  running: boolean;
  again: boolean;
  timer?: NodeJS.Timeout;
  dueAt?: number;
}

export class PodWorkers {
  private readonly workers = new Map<string, Worker>();
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly sync: (uid: string) => Promise<void>,
    private readonly onError: (uid: string, err: unknown) => void,
  ) {}

  /** Syncs the pod now, or right after its current sync. */
  enqueue(uid: string): void {
    if (this.stopped) return;
    const worker = this.worker(uid);
    if (worker.running) {
      worker.again = true;
      return;
    }
    worker.running = true;
    const run = (async () => {
      try {
        do {
          worker.again = false;
          try {
            await this.sync(uid);
          } catch (err) {
            if (!this.stopped) this.onError(uid, err);
          }
        } while (worker.again && !this.stopped);
      } finally {
        worker.running = false;
      }
    })();
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  /** Syncs the pod in `ms` (the earliest of several such requests wins). */
  enqueueAfter(uid: string, ms: number): void {
    if (this.stopped) return;
    const worker = this.worker(uid);
    const dueAt = Date.now() + ms;
    if (worker.timer && worker.dueAt !== undefined && worker.dueAt <= dueAt) return;
    clearTimeout(worker.timer);
    worker.dueAt = dueAt;
    worker.timer = setTimeout(() => {
      worker.timer = undefined;
      worker.dueAt = undefined;
      this.enqueue(uid);
    }, ms);
    worker.timer.unref();
  }

  /** Drops a pod's worker (after its containers are gone). */
  forget(uid: string): void {
    const worker = this.workers.get(uid);
    if (worker?.timer) clearTimeout(worker.timer);
    if (worker && !worker.running) this.workers.delete(uid);
  }

  /** The uids that have a worker. */
  uids(): string[] {
    return [...this.workers.keys()];
  }

  /** Stops taking requests and waits for the syncs in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const worker of this.workers.values()) clearTimeout(worker.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  private worker(uid: string): Worker {
    let worker = this.workers.get(uid);
    if (!worker) this.workers.set(uid, (worker = { running: false, again: false }));
    return worker;
  }
}
