/**
 * Waiting on a condition with a deadline, instead of sleeping and hoping.
 * On timeout the error says what was awaited and what was last seen.
 */
import { NotImplementedError } from "../../shared/todo.ts";

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 20_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      last = value;
    } catch (err) {
      // A starter's todo() will not start working by waiting: fail at once.
      if (err instanceof NotImplementedError) throw err;
      last = err;
    }
    if (Date.now() > deadline) {
      const seen = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last seen: ${seen})`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
