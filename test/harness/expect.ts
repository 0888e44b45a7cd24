/**
 * Assertions whose first line says what was expected and what arrived, in
 * the words of the concept (revisions, selectors, phases), not only in
 * vitest's generic "expected [ ... ] to deeply equal [ ... ]". A learner
 * reads the first line; the full diff is still printed below it.
 */
import { expect } from "vitest";
import { ApiError } from "../../shared/api/index.ts";

/** JSON for a message: short, one line. */
export function brief(value: unknown, max = 160): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * Where two lists first differ, in words: "#2: expected PUT /a@5, received
 * PUT /b@6", or a missing / extra element at the end. undefined when equal.
 */
export function firstDifference<T>(
  expected: readonly T[],
  received: readonly T[],
  show: (x: T) => string = brief,
): string | undefined {
  const n = Math.max(expected.length, received.length);
  for (let i = 0; i < n; i++) {
    if (i >= received.length)
      return `#${i}: expected ${show(expected[i]!)}, received nothing (${received.length} of ${expected.length} arrived)`;
    if (i >= expected.length)
      return `#${i}: received ${show(received[i]!)}, expected nothing more (${received.length} instead of ${expected.length})`;
    if (!isDeepEqual(expected[i], received[i])) return `#${i}: expected ${show(expected[i]!)}, received ${show(received[i]!)}`;
  }
  return undefined;
}

/** Like toEqual on a list, but the first line names the list and its first differing element. */
export function expectList<T>(received: readonly T[], expected: readonly T[], what: string, show?: (x: T) => string): void {
  const diff = firstDifference(expected, received, show);
  expect(received, diff ? `${what}: ${diff}` : what).toEqual(expected);
}

function isDeepEqual(a: unknown, b: unknown): boolean {
  try {
    expect(a).toEqual(b);
    return true;
  } catch {
    return false;
  }
}

/** The ApiError that `p` rejects with; any other error is rethrown, and an answer fails the test. */
export async function thrownApiError(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error("expected the call to fail with an API error, but it succeeded");
}
