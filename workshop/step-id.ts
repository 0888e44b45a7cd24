/**
 * The step a test belongs to, from its full name. Apart from test-names.ts
 * (which parses test files with the TypeScript compiler, a slow import) so
 * that `npm run check` can group results without loading the compiler.
 */

/** "NN.k " or "NN chapter > " at the start of a full test name. */
const STEP_PREFIX = /^(\d\d)(?:\.(\d+) | chapter > )/;

/** The step id ("02.4") or the chapter ("02") a test name starts with; undefined when it breaks the rule. */
export function stepOfTestName(name: string): string | undefined {
  const m = STEP_PREFIX.exec(name);
  if (!m) return undefined;
  return m[2] === undefined ? m[1] : `${m[1]}.${m[2]}`;
}
