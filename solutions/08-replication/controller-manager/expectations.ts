/**
 * Expectations: how a controller avoids acting twice on a stale cache.
 *
 * The replication controller decides from its informer's cache. Right after
 * it asked the apiserver for 3 new pods, the cache does not show them yet:
 * the watch events are on their way. If it synced again now (the RC's status
 * changed, another pod changed...), it would count the old pods, see 3
 * missing, and create 3 more. Overshoot.
 *
 * So before acting, the controller writes down what it expects to see:
 * "3 pods created" or "these 2 pods deleted". The pod event handlers tick
 * the expectations off as the events arrive. Until all are seen the
 * controller does not create or delete for that RC (it may still update its
 * status). If an event never comes (a create that failed on the way, a lost
 * watch), the expectations expire after a while and the controller acts on
 * what it sees: a controller must never wait forever.
 *
 *   sync: diff = 3 -> expectCreations("default/web", 3) -> POST, POST, POST
 *   sync: satisfied("default/web")? no (0 of 3 seen)    -> no action
 *   pod ADDED  -> creationObserved("default/web")        (2 to go)
 *   pod ADDED, pod ADDED                                 (0 to go)
 *   sync: satisfied? yes -> diff from the cache, now up to date: 0
 */

/** What one controller (key "namespace/name") still waits to see. */
interface Expectation {
  /** Pods it created and has not yet seen ADDED. */
  adds: number;
  /** Keys ("namespace/name") of the pods it deleted and has not yet seen go. */
  deletes: Set<string>;
  /** When it was set (ms); older than the TTL counts as satisfied. */
  setAt: number;
}

export interface ExpectationsOptions {
  /** After this long, expectations count as met whatever was seen. Default 5 minutes, as in Kubernetes. */
  ttlMs?: number;
  /** The clock (tests move it). Default Date.now. */
  now?: () => number;
}

export class Expectations {
  private readonly records = new Map<string, Expectation>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: ExpectationsOptions = {}) {
    this.ttlMs = options.ttlMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
  }

  /** The controller is about to create `count` pods. */
  expectCreations(controllerKey: string, count: number): void {
    this.records.set(controllerKey, { adds: count, deletes: new Set(), setAt: this.now() });
  }

  /** The controller is about to delete these pods (keys "namespace/name"). */
  expectDeletions(controllerKey: string, podKeys: string[]): void {
    this.records.set(controllerKey, { adds: 0, deletes: new Set(podKeys), setAt: this.now() });
  }

  // STEP(08.3): one creation fewer to wait for (seen, or failed).
  creationObserved(controllerKey: string): void {
    //#solution
    const record = this.records.get(controllerKey);
    if (record) record.adds--;
    //#end
  }

  // STEP(08.3): stop waiting for this pod's deletion. Seeing it twice
  // (marked, then gone) must not count twice.
  deletionObserved(controllerKey: string, podKey: string): void {
    //#solution
    this.records.get(controllerKey)?.deletes.delete(podKey);
    //#end
  }

  // STEP(08.3): may the controller act? Only when it waits for nothing, or
  // when it has waited longer than the TTL (an event may never come).
  // Tests: "08.3 expectations > ...".
  satisfied(controllerKey: string): boolean {
    //#solution
    const record = this.records.get(controllerKey);
    if (!record) return true;
    if (record.adds <= 0 && record.deletes.size === 0) return true;
    return this.now() - record.setAt > this.ttlMs;
    //#end
  }

  /** The controller is gone: forget what it expected. */
  delete(controllerKey: string): void {
    this.records.delete(controllerKey);
  }

  /** What is still expected, for logs and tests: { adds, deletes }. */
  pending(controllerKey: string): { adds: number; deletes: string[] } | undefined {
    const record = this.records.get(controllerKey);
    return record && { adds: record.adds, deletes: [...record.deletes] };
  }
}
