/**
 * A linearizability checker for a key-value register (given code: read it).
 *
 * A history is what clients saw: each operation with the time it was called
 * and the time its answer came. It is linearizable when every operation can
 * be given one instant between its call and its answer, such that reading
 * the operations in the order of those instants follows the rules of a
 * single register (a read returns the value of the last write before it).
 *
 *   client A  |--put x=1--|
 *   client B        |--get x → 1--|        fine: put, then get
 *   client C                          |--get x → null--|   NOT fine: the put
 *                                                          was done before C began
 *
 * A write whose answer never came (timeout, crash) may have happened or not:
 * its answer time is Infinity, and the search may place it anywhere after
 * its call, or leave it out.
 *
 * The search is Wing and Gong's, with Lowe's memo (the same idea as
 * Knossos and Porcupine): keys are independent, so each key's operations are
 * checked alone. Depth-first, it picks an operation that may come next (no
 * operation left over answered before it was called), applies it to the
 * register if the result agrees, and goes on. A set of done operations with
 * the same register value is never explored twice.
 */

export interface Operation {
  client: string;
  kind: "put" | "get";
  key: string;
  /** put: the value written. get: the value read (null: no value). */
  value: string | null;
  call: number;
  /** When the answer came; Infinity when it never did (a put with an unknown outcome). */
  answer: number;
}

export interface CheckResult {
  ok: boolean;
  /** When not ok: the key whose operations cannot be linearized, and those operations. */
  key?: string;
  operations?: Operation[];
}

export function checkHistory(history: readonly Operation[]): CheckResult {
  const byKey = new Map<string, Operation[]>();
  for (const op of history) {
    if (op.kind === "get" && op.answer === Infinity) continue; // a read with no answer tells nothing
    const ops = byKey.get(op.key) ?? [];
    ops.push(op);
    byKey.set(op.key, ops);
  }
  for (const [key, ops] of byKey) {
    if (!linearizable(ops)) return { ok: false, key, operations: ops };
  }
  return { ok: true };
}

/** One key's operations, searched depth-first from the empty register. */
export function linearizable(input: readonly Operation[]): boolean {
  const ops = [...input].sort((a, b) => a.call - b.call);
  const n = ops.length;
  const mustDo = ops.filter((op) => op.answer !== Infinity).length;
  const done = new Uint8Array(n);
  const seen = new Set<string>();

  const search = (value: string | null, doneCount: number, determinateDone: number): boolean => {
    if (determinateDone === mustDo) return true;
    const memo = `${done.join("")}|${value}`;
    if (seen.has(memo)) return false;
    seen.add(memo);
    // The earliest answer among the operations not placed yet: an operation
    // called after it cannot come next.
    let earliest = Infinity;
    for (let i = 0; i < n; i++) if (!done[i] && ops[i]!.answer < earliest) earliest = ops[i]!.answer;
    for (let i = 0; i < n; i++) {
      const op = ops[i]!;
      if (done[i]) continue;
      if (op.call > earliest) break; // sorted by call: the rest are later still
      if (op.kind === "get" && op.value !== value) continue;
      done[i] = 1;
      const next = op.kind === "put" ? op.value : value;
      const ok = search(next, doneCount + 1, determinateDone + (op.answer === Infinity ? 0 : 1));
      done[i] = 0;
      if (ok) return true;
    }
    return false;
  };
  return search(null, 0, 0);
}
