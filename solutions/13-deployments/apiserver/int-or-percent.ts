/**
 * maxSurge and maxUnavailable are "int or string": 2 means two pods, "25%"
 * means a quarter of spec.replicas. Kubernetes calls the conversion
 * GetScaledValueFromIntOrPercent.
 */

/** Is this a number >= 0 or a string "N%"? Anything else is invalid. */
export function isIntOrPercent(value: unknown): boolean {
  if (typeof value === "number") return Number.isInteger(value) && value >= 0;
  return typeof value === "string" && /^\d+%$/.test(value);
}

/** 2 -> 2; "25%" of 10 -> 2.5, rounded up (3) or down (2). */
export function scaledValue(value: number | string | undefined, total: number, roundUp: boolean): number {
  if (value === undefined) return 0;
  if (typeof value === "number") return value;
  const percent = Number(value.replace(/%$/, ""));
  if (!Number.isFinite(percent)) throw new Error(`invalid value for IntOrString: invalid value "${value}": must be an integer or a percentage`);
  const exact = (percent * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}
