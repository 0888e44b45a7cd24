/**
 * Restart policy and back-off: what the kubelet does when a container exits.
 *
 *   Always     restart it, whatever its exit code (servers: they should never end)
 *   OnFailure  restart it only when it failed (exit code != 0): jobs that retry
 *   Never      leave it: the pod ends Succeeded or Failed
 *
 * A container that keeps crashing is not restarted in a tight loop: each
 * restart waits twice as long as the one before (10 s, 20 s, 40 s ... up to
 * 5 minutes in Kubernetes). While it waits, its state is
 * `waiting: { reason: "CrashLoopBackOff" }`, the word `kubectl get pods` shows.
 */
import type { PodSpec } from "../../../shared/api/index.ts";
import { todo } from "../../../shared/todo.ts";

export type RestartPolicy = NonNullable<PodSpec["restartPolicy"]>;

/** Whether a container that exited with this code should be started again. */
export function shouldRestart(policy: RestartPolicy, exitCode: number): boolean {
  // TODO(05.6): the three policies, as the table above says.
  // Tests: "05.6 shouldRestart ...".
  todo("05.6");
}

export interface BackOffOptions {
  /** The first delay. Kubernetes: 10 s. */
  initialMs: number;
  /** The longest delay. Kubernetes: 300 s. */
  maxMs: number;
}

interface Entry {
  delayMs: number;
  lastUpdate: number;
}

/**
 * Exponential back-off per key (a pod's container: "<pod uid>/<container>").
 *
 * The kubelet asks inBackOff(key, finishedAt) before restarting a dead
 * container: true while less than the current delay has passed since it
 * exited. When it does restart, it calls next(key), which doubles the delay
 * for the next time. The first crash restarts at once; the next waits
 * initialMs, then 2x, 4x ... up to maxMs. A key quiet for a long time
 * (2 x maxMs) starts over.
 */
export class BackOff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly options: BackOffOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when the container that finished at `finishedAt` must still wait. */
  inBackOff(key: string, finishedAt: number): boolean {
    // TODO(05.6): the wait is measured from when the container FINISHED,
    // not from when it was last started. A key never restarted (or quiet
    // for 2 x maxMs) never waits. Tests: "05.6 back-off ...".
    todo("05.6");
  }

  /** Records a restart: the first delay is initialMs, then it doubles up to maxMs. */
  next(key: string): void {
    // TODO(05.6): each restart doubles the next wait: initialMs, 2x, 4x ... maxMs.
    todo("05.6");
  }

  /** The current delay of a key (0 when it has none). */
  delay(key: string): number {
    return this.fresh(key)?.delayMs ?? 0;
  }

  /** Forgets a key (its pod is gone). */
  forget(keyPrefix: string): void {
    for (const key of [...this.entries.keys()]) if (key.startsWith(keyPrefix)) this.entries.delete(key);
  }

  private fresh(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && this.now() - entry.lastUpdate > 2 * this.options.maxMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }
}
