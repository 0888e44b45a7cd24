/**
 * Terminal output for the workshop CLI: colours (off when the output is not a
 * terminal or NO_COLOR is set), aligned tables, and the one-line error a user
 * sees instead of a stack trace.
 */
import { Chalk } from "chalk";

/**
 * Colours: FORCE_COLOR (any value but "0") turns them on even in a pipe,
 * NO_COLOR (any value) turns them off; otherwise only on a terminal.
 * FORCE_COLOR wins when both are set, as in Node itself.
 */
export function colourWanted(env: NodeJS.ProcessEnv = process.env, tty = Boolean(process.stdout.isTTY)): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "") return env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "false";
  if (env.NO_COLOR) return false;
  return tty;
}
const useColour = colourWanted();
export const c = new Chalk({ level: useColour ? 1 : 0 });

/** An error meant for the user: printed as one line, exit code 1, no stack. */
export class UserError extends Error {}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
// Chinese characters and full-width punctuation take two columns of a terminal.
const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/g;
const width = (s: string) => {
  const plain = s.replace(ANSI, "");
  return plain.length + (plain.match(WIDE)?.length ?? 0);
};

/** Prints rows as a table whose columns line up, whatever the colours. */
export function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, col) => Math.max(...all.map((r) => width(r[col] ?? ""))));
  const line = (r: string[]) =>
    r.map((cell, col) => (col === r.length - 1 ? cell : cell + " ".repeat(widths[col]! - width(cell)))).join("  ");
  return [c.bold(line(header)), ...rows.map(line)].join("\n");
}

/** A progress line that rewrites itself on a terminal and prints sparsely elsewhere. */
export function progressLine(): { update(text: string): void; done(text?: string): void } {
  let last = "";
  let lastPrinted = 0;
  return {
    update(text) {
      if (process.stdout.isTTY) {
        process.stdout.write(`\r\u001b[K${text}`);
      } else if (text !== last && Date.now() - lastPrinted > 1000) {
        console.log(text);
        lastPrinted = Date.now();
      }
      last = text;
    },
    done(text) {
      if (process.stdout.isTTY) process.stdout.write("\r\u001b[K");
      if (text ?? last) console.log(text ?? last);
    },
  };
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
