/**
 * Resource quantities, the way Kubernetes writes them: "500m" CPU (half a
 * core), "64Mi" memory (64 x 2^20 bytes), "1G" (10^9), "0.5", 2.
 *
 *   parseQuantity("64Mi")  -> 67108864
 *   parseQuantity("500m")  -> 0.5
 *   cpuMillis("250m")      -> 250
 *
 * Used by the kubelet (limits to cgroups) and the scheduler (requests).
 */

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** The value of a quantity as a plain number; throws an Error that quotes a malformed one. */
export function parseQuantity(q: number | string): number {
  if (typeof q === "number") {
    if (!Number.isFinite(q)) throw new Error(`quantity ${q} is not a finite number`);
    return q;
  }
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:[eE]([+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?)$/.exec(q.trim());
  if (!m) throw new Error(`quantity "${q}" is not valid: use a number with an optional suffix, e.g. "500m", "64Mi", "1G"`);
  const value = Number(m[1]);
  if (m[2] !== undefined) return value * 10 ** Number(m[2]);
  const suffix = m[3] ?? "";
  return value * (BINARY[suffix] ?? DECIMAL[suffix]!);
}

/** A CPU quantity in thousandths of a core, rounded up: "250m" -> 250, "1.5" -> 1500. */
export function cpuMillis(q: number | string): number {
  return Math.ceil(parseQuantity(q) * 1000 - 1e-9);
}

/** A memory quantity in whole bytes, rounded up: "64Mi" -> 67108864. */
export function memoryBytes(q: number | string): number {
  return Math.ceil(parseQuantity(q) - 1e-9);
}
