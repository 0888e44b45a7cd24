/** What a figure measures and how the runner reports it. */

/** One line of the results table: a measured value beside its anchor, measured in the same run. */
export interface Row {
  /** e.g. "pod startup p99" */
  figure: string;
  value: number;
  unit: string;
  /** What the value is compared with, measured in the same run (e.g. raw docker run). */
  anchor?: { label: string; value: number; unit: string };
  /** value / anchor.value, when both are in the same unit. */
  ratio?: number;
  /** The goal, in words ("< 1000 ms and < 1.25 x raw docker"). */
  goal: string;
  /** Whether the goal is met; undefined when the row has no goal of its own. */
  met?: boolean;
  /** Sample count, sizes, and anything else a reader needs to trust the value. */
  note?: string;
}

export interface FigureResult {
  name: string;
  rows: Row[];
  /** Extra figures for the JSON (sizes, sample counts, raw numbers). */
  details: Record<string, unknown>;
  /** Why the figure could not be measured (no Docker, no etcd...). */
  skipped?: string;
}

export interface BenchContext {
  mode: "quick" | "full";
  /** A short id on everything the run creates (Docker label k8s-workshop.bench=<runId>). */
  runId: string;
  /** Progress lines. */
  progress(text: string): void;
  /** A finished step, printed on its own line. */
  step(text: string): void;
}

export interface Figure {
  name: string;
  /** One line for --help. */
  description: string;
  run(ctx: BenchContext): Promise<FigureResult>;
}

/** The ratio of two values, or undefined when it means nothing. */
export function ratio(value: number, anchor: number): number | undefined {
  return Number.isFinite(value) && Number.isFinite(anchor) && anchor > 0 ? value / anchor : undefined;
}
