/**
 * What kubectl prints: aligned tables (from the server's Table, or NAME/AGE
 * when the server sends a plain list), YAML, JSON and names. Colour comes
 * from chalk and is off when the output is not a terminal or NO_COLOR is set.
 */
import { Chalk, type ChalkInstance } from "chalk";
import { stringify } from "yaml";
import { age } from "../../../shared/api/helpers.ts";
import type { KubeObject, Table } from "../../../shared/api/meta.ts";

export { age };

/** Where kubectl writes; process.stdout fits, so does a test's buffer. */
export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

export function colorsFor(output: Output, env: Record<string, string | undefined>): ChalkInstance {
  const off = !output.isTTY || (env.NO_COLOR !== undefined && env.NO_COLOR !== "");
  return new Chalk({ level: off ? 0 : 1 });
}

/** A table ready to print: a header and rows of strings. */
export interface PrintableTable {
  headers: string[];
  rows: string[][];
}

/**
 * The printable form of the server's Table. Columns with priority > 0 only
 * show with -o wide. With -A, a NAMESPACE column comes first (taken from each
 * row's object metadata).
 */
export function fromServerTable(table: Table, options: { wide?: boolean; withNamespace?: boolean } = {}): PrintableTable {
  // STEP(04.8): the rows to print from the server's Table. kubectl does not
  // know the columns of a kind: the server does. -o wide shows the columns of
  // priority > 0 too; -A adds the namespace first.
  // Tests: "04.8 printing the server's Table > shows the priority-0 columns, aligned, with upper-case headers",
  // "04.8 printing the server's Table > adds the wide columns with -o wide and NAMESPACE with -A".
  //#solution
  const keep = table.columnDefinitions
    .map((column, index) => ({ column, index }))
    .filter(({ column }) => options.wide || !column.priority);
  const headers = keep.map(({ column }) => column.name.toUpperCase());
  const rows = table.rows.map((row) => keep.map(({ index }) => cellText(row.cells[index])));
  if (options.withNamespace) {
    headers.unshift("NAMESPACE");
    table.rows.forEach((row, i) => rows[i]!.unshift((row.object as KubeObject | undefined)?.metadata?.namespace ?? ""));
  }
  return { headers, rows };
  //#end
}

/** When the server sends a plain list instead of a Table: NAME and AGE, like kubectl. */
export function fallbackTable(items: KubeObject[], options: { withNamespace?: boolean; now?: Date } = {}): PrintableTable {
  const headers = ["NAME", "AGE"];
  const rows = items.map((item) => [item.metadata?.name ?? "", age(item.metadata?.creationTimestamp, options.now)]);
  if (options.withNamespace) {
    headers.unshift("NAMESPACE");
    items.forEach((item, i) => rows[i]!.unshift(item.metadata?.namespace ?? ""));
  }
  return { headers, rows };
}

/** Labels as kubectl's LABELS column shows them: "app=web,tier=db", sorted by key, or <none>. */
export function labelsText(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length === 0 ? "<none>" : keys.map((k) => `${k}=${labels![k]}`).join(",");
}

/** --show-labels: a LABELS column after the others, from each row's object. */
export function withLabelsColumn(table: PrintableTable, objects: Array<KubeObject | undefined>): PrintableTable {
  return {
    headers: [...table.headers, "LABELS"],
    rows: table.rows.map((row, i) => [...row, labelsText(objects[i]?.metadata?.labels)]),
  };
}

export function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return "<none>";
  if (typeof cell === "object") return JSON.stringify(cell);
  return String(cell);
}

/** Colours a few well-known cell values so a table reads at a glance. */
function paint(text: string, c: ChalkInstance): string {
  if (/^(Running|Ready|Active|True|Succeeded|Completed|Normal)$/.test(text)) return c.green(text);
  if (/^(Pending|ContainerCreating|Terminating|Unknown|NotReady,?.*|Warning)$/.test(text)) return c.yellow(text);
  if (/^(Failed|Error|CrashLoopBackOff|ImagePullBackOff|ErrImagePull|OOMKilled|False|NotReady)$/.test(text)) return c.red(text);
  return text;
}

/**
 * Aligns a table: every column as wide as its widest cell, three spaces
 * between columns, like kubectl. Colour is added after padding, because the
 * escape codes would count as width.
 */
export function formatTable(
  table: PrintableTable,
  c: ChalkInstance,
  options: { noHeaders?: boolean; widths?: number[] } = {},
): string {
  const all = options.noHeaders ? table.rows : [table.headers, ...table.rows];
  const widths = table.headers.map((_, col) =>
    Math.max(options.widths?.[col] ?? 0, ...all.map((row) => (row[col] ?? "").length)),
  );
  const line = (row: string[], header: boolean) =>
    row
      .map((cell, col) => {
        const padded = col === row.length - 1 ? cell : cell.padEnd(widths[col]!);
        const text = header ? c.bold(padded) : paint(cell, c) + padded.slice(cell.length);
        return text;
      })
      .join("   ")
      .trimEnd();
  const lines = table.rows.map((row) => line(row, false));
  if (!options.noHeaders) lines.unshift(line(table.headers, true));
  return lines.map((l) => l + "\n").join("");
}

export function toJson(value: unknown): string {
  return JSON.stringify(value, null, 4) + "\n";
}

export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, indentSeq: false }); // lists not indented, as kubectl prints them
}

/** "pod/web": the -o name form. */
export function nameOf(kind: string, object: KubeObject): string {
  return `${kind.toLowerCase()}/${object.metadata?.name ?? ""}`;
}
