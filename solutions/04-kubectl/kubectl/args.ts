/**
 * Command-line parsing, kubectl style: flags may come before or after the
 * command, as `--namespace x`, `--namespace=x`, `-n x`, `-nx` or `-oyaml`.
 */

export interface Flags {
  namespace?: string;
  allNamespaces: boolean;
  output?: string;
  filenames: string[];
  watch: boolean;
  server?: string;
  kubeconfig?: string;
  token?: string;
  help: boolean;
  noHeaders: boolean;
  /** -l / --selector: a label selector (get, delete; the server filters from chapter 07). */
  selector?: string;
  /** --field-selector: a field selector, e.g. status.phase=Running (chapter 07). */
  fieldSelector?: string;
  /** --show-labels: add a LABELS column to tables. */
  showLabels: boolean;
  /** --overwrite: let label and annotate (chapter 07) change a value that is already set. */
  overwrite: boolean;
  /** Flags a plugin added (chapter 08: --replicas, --image...), by long name. */
  extra: Record<string, string | boolean>;
}

/** A mistake on the command line: kubectl prints it as "error: ..." and exits 1. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

import type { FlagDefinition } from "./plugin.ts";

export interface FlagSpec {
  long: string;
  short?: string;
  /** The Flags field it sets ("extra": flags.extra[long]). */
  field: keyof Flags;
  kind: "string" | "boolean" | "list";
}

const FLAGS: readonly FlagSpec[] = [
  { long: "namespace", short: "n", field: "namespace", kind: "string" },
  { long: "all-namespaces", short: "A", field: "allNamespaces", kind: "boolean" },
  { long: "output", short: "o", field: "output", kind: "string" },
  { long: "filename", short: "f", field: "filenames", kind: "list" },
  { long: "watch", short: "w", field: "watch", kind: "boolean" },
  { long: "server", short: "s", field: "server", kind: "string" },
  { long: "kubeconfig", field: "kubeconfig", kind: "string" },
  { long: "token", field: "token", kind: "string" },
  { long: "help", short: "h", field: "help", kind: "boolean" },
  { long: "no-headers", field: "noHeaders", kind: "boolean" },
  { long: "selector", short: "l", field: "selector", kind: "string" },
  { long: "field-selector", field: "fieldSelector", kind: "string" },
  { long: "show-labels", field: "showLabels", kind: "boolean" },
  { long: "overwrite", field: "overwrite", kind: "boolean" },
];

/**
 * This chapter's flags plus the plugins' (a later chapter's command needs its
 * own, e.g. `scale --replicas 3`). A plugin's flag lands in flags.extra[long].
 * Two plugins may declare the same flag the same way; anything else that
 * clashes is a mistake in a plugin.
 */
export function flagSpecs(extra: readonly FlagDefinition[] = []): FlagSpec[] {
  const specs = [...FLAGS];
  for (const flag of extra) {
    const same = specs.find((f) => f.long === flag.long);
    if (same) {
      if (same.field === "extra" && same.kind === flag.kind) continue;
      throw new Error(`the flag --${flag.long} already exists`);
    }
    if (flag.short && specs.some((f) => f.short === flag.short)) throw new Error(`the flag -${flag.short} already exists`);
    specs.push({ ...flag, field: "extra" });
  }
  return specs;
}

export function parseArgs(argv: string[], specs: readonly FlagSpec[] = FLAGS): { positionals: string[]; flags: Flags } {
  const flags: Flags = {
    allNamespaces: false,
    filenames: [],
    watch: false,
    help: false,
    noHeaders: false,
    showLabels: false,
    overwrite: false,
    extra: {},
  };
  const positionals: string[] = [];
  const values = flags as unknown as Record<string, string | boolean | string[] | undefined>;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "-" || !arg.startsWith("-")) {
      positionals.push(arg);
      continue;
    }
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let spec: FlagSpec | undefined;
    let inline: string | undefined;
    if (arg.startsWith("--")) {
      const [name, ...rest] = arg.slice(2).split("=");
      spec = specs.find((f) => f.long === name);
      if (rest.length > 0) inline = rest.join("=");
    } else {
      spec = specs.find((f) => f.short === arg[1]);
      if (arg.length > 2) inline = arg.slice(arg[2] === "=" ? 3 : 2);
    }
    if (!spec) throw new UsageError(`unknown flag: ${arg.split("=")[0]} (see kubectl --help)`);
    // A plugin's flag's value goes to flags.extra, under its long name.
    const target = spec.field === "extra" ? flags.extra : values;
    const key = spec.field === "extra" ? spec.long : spec.field;
    if (spec.kind === "boolean") {
      if (inline !== undefined && !["true", "false"].includes(inline)) throw new UsageError(`flag --${spec.long} takes no value`);
      target[key] = inline !== "false";
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`flag needs an argument: --${spec.long}`);
    if (spec.kind === "list") (values[spec.field] as string[]).push(value);
    else target[key] = value;
  }
  return { positionals, flags };
}
