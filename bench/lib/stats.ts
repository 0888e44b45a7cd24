/** Small statistics for latency samples (milliseconds). */

/** The q-quantile (0..1) of the samples, nearest-rank; NaN when there are none. */
export function quantile(samples: ArrayLike<number>, q: number): number {
  if (samples.length === 0) return NaN;
  const sorted = Float64Array.from(samples).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export interface Latency {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export function latency(samples: ArrayLike<number>): Latency {
  return { count: samples.length, p50: quantile(samples, 0.5), p99: quantile(samples, 0.99), max: quantile(samples, 1) };
}

export function median(samples: number[]): number {
  return quantile(samples, 0.5);
}
