/**
 * A probe worker: one per container and per kind of probe, for as long as
 * that container instance runs. It waits initialDelaySeconds after the
 * container started, then checks every periodSeconds, and turns single
 * checks into a RESULT with two thresholds:
 *
 *   checks:   ok  ok  FAIL FAIL FAIL  ok  ok ...        failureThreshold 3, successThreshold 2
 *   result:   success ........... failure ... success
 *                                   ^ 3rd failure in a row   ^ 2nd success in a row
 *
 * One slow answer or one dropped packet does not restart a container or
 * take it out of a Service; a run of them does.
 */
import type { Probe } from "../../../shared/api/index.ts";
import { runProbe, type ProbeOutcome, type ProbeResult, type ProbeTarget } from "./prober.ts";
import { todo } from "../../../shared/todo.ts";

export type ProbeKind = "liveness" | "readiness";

/** Counts consecutive checks and says when the result flips. */
export class ResultCounter {
  private last: ProbeResult | undefined;
  private run = 0;

  constructor(
    /** The result before any check: liveness starts healthy, readiness starts not ready. */
    public result: ProbeResult,
    readonly successThreshold: number,
    readonly failureThreshold: number,
  ) {}

  /** Records one check; returns true when the result changed. */
  observe(check: ProbeResult): boolean {
    // TODO(12.2): one check's outcome in, "did the result change?" out. One
    // slow answer must not restart anything: the result turns only after
    // failureThreshold failures (or successThreshold successes) in a row.
    // Tests: the "12.2" tests of test/12-self-healing.unit.test.ts.
    todo("12.2");
  }
}

/** httpGet and tcpSocket without a host go to the pod's IP. */
export function needsPodIP(probe: Probe): boolean {
  return (!!probe.httpGet && !probe.httpGet.host) || (!!probe.tcpSocket && !probe.tcpSocket.host);
}

/** A probe's settings with Kubernetes' defaults. */
export function probeSettings(probe: Probe, kind: ProbeKind) {
  return {
    initialDelayMs: Math.max(0, probe.initialDelaySeconds ?? 0) * 1000,
    periodMs: Math.max(1, probe.periodSeconds ?? 10) * 1000,
    // A liveness probe must have successThreshold 1 (the API insists).
    successThreshold: kind === "liveness" ? 1 : Math.max(1, probe.successThreshold ?? 1),
    failureThreshold: Math.max(1, probe.failureThreshold ?? 3),
  };
}

export interface ProbeWorkerOptions {
  kind: ProbeKind;
  probe: Probe;
  /** The container instance probed (a restarted container gets a new worker). */
  containerId: string;
  /** When the instance started (ISO time): the initial delay counts from there. */
  startedAt: string | undefined;
  /** Reads the target fresh before each check (the pod's IP may arrive late). */
  target: () => ProbeTarget;
  /** Called with every check. */
  onCheck?: (outcome: ProbeOutcome) => void;
  /** Called when the result flips. */
  onChange: (result: ProbeResult, outcome: ProbeOutcome) => void;
  /** A check threw (a bug, or a step not written yet): the worker has stopped. */
  onError: (err: Error) => void;
}

export class ProbeWorker {
  readonly kind: ProbeKind;
  readonly containerId: string;
  private readonly counter: ResultCounter;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: ProbeWorkerOptions) {
    this.kind = options.kind;
    this.containerId = options.containerId;
    const s = probeSettings(options.probe, options.kind);
    this.counter = new ResultCounter(options.kind === "liveness" ? "success" : "failure", s.successThreshold, s.failureThreshold);
    const startedAt = options.startedAt ? Date.parse(options.startedAt) : Date.now();
    this.schedule(Math.max(0, startedAt + s.initialDelayMs - Date.now()));
  }

  /** The current result: liveness starts "success", readiness "failure". */
  get result(): ProbeResult {
    return this.counter.result;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    // A throw inside tick() would be an unhandled rejection, which ends the
    // whole kubelet process: this worker stops and says why instead (the
    // kubelet's workers log a crash and carry on the same way).
    this.timer = setTimeout(() => {
      this.tick().catch((err: Error) => {
        this.stop();
        this.options.onError(err);
      });
    }, ms);
    this.timer.unref();
  }

  /** One check; the next one is scheduled when this one is over (checks never overlap). */
  private async tick(): Promise<void> {
    const target = this.options.target();
    // The pod's IP reaches us with the first status the kubelet writes: not a failure, just too early.
    if (!target.podIP && needsPodIP(this.options.probe)) return this.schedule(100);
    const outcome = await runProbe(this.options.probe, target);
    if (this.stopped) return;
    this.options.onCheck?.(outcome);
    if (this.counter.observe(outcome.result)) this.options.onChange(this.counter.result, outcome);
    this.schedule(probeSettings(this.options.probe, this.kind).periodMs);
  }
}
