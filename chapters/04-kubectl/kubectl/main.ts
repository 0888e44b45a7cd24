/**
 * The learner's kubectl. `run()` is the whole program: it parses the
 * arguments, finds the cluster, runs one command and returns the exit code.
 * It never throws and never prints a stack trace: every failure becomes one
 * readable line on stderr and exit code 1. Tests call run() directly;
 * workshop/kubectl.ts wraps it for the terminal (`npm run kubectl -- get pods`).
 */
import { parseArgs, UsageError } from "./args.ts";
import { apply } from "./commands/apply.ts";
import { create } from "./commands/create.ts";
import { del } from "./commands/delete.ts";
import { describe } from "./commands/describe.ts";
import { get } from "./commands/get.ts";
import { logs } from "./commands/logs.ts";
import { clusterSettings, createContext, type Context, type KubectlIO } from "./context.ts";
import { formatError } from "./errors.ts";
import { colorsFor } from "./printers.ts";

export type { KubectlIO } from "./context.ts";

export interface Command {
  summary: string;
  usage: string;
  run(ctx: Context, args: string[]): Promise<number>;
}

const commands = new Map<string, Command>();

/** Adds a command (a later chapter may add its own, e.g. `scale`). */
export function registerCommand(name: string, command: Command): void {
  commands.set(name, command);
}

registerCommand("apply", { summary: "Create or update objects from manifests", usage: "apply -f FILE|DIR|-", run: apply });
registerCommand("create", { summary: "Create objects from manifests", usage: "create -f FILE|DIR|-", run: create });
registerCommand("get", {
  summary: "List objects as a table, or print them",
  usage: "get TYPE [NAME...] | TYPE/NAME... [-o wide|yaml|json|name] [-w] [-n NS | -A] [-l SELECTOR] [--field-selector SELECTOR] [--show-labels]",
  run: get,
});
registerCommand("describe", { summary: "Show an object in detail, with its events", usage: "describe TYPE [NAME...] | -f FILE", run: describe });
registerCommand("delete", { summary: "Delete objects by name, manifest or selector", usage: "delete TYPE NAME... | TYPE/NAME... | -f FILE | TYPE -l SELECTOR", run: del });
registerCommand("logs", { summary: "Print the logs of a pod's container", usage: "logs POD [CONTAINER]", run: logs });

function help(): string {
  const lines = ["kubectl (workshop edition) talks to your cluster.", "", "Commands:"];
  for (const [name, c] of commands) lines.push(`  ${name.padEnd(10)}${c.summary}`, `  ${"".padEnd(10)}kubectl ${c.usage}`);
  lines.push(
    "",
    "Flags: -n NAMESPACE, -A (all namespaces), -f FILE (repeatable), -o FORMAT, -w (watch),",
    "       -l SELECTOR, --field-selector SELECTOR, --show-labels, --overwrite,",
    "       --server URL, --kubeconfig PATH (default $KUBECONFIG, then .kube/config), --token TOKEN",
  );
  return lines.join("\n") + "\n";
}

export async function run(argv: string[], io: KubectlIO): Promise<number> {
  try {
    const { positionals, flags } = parseArgs(argv);
    const [name, ...args] = positionals;
    if (flags.help || name === undefined || name === "help") {
      io.stdout.write(help());
      return name === undefined && !flags.help ? 1 : 0;
    }
    const command = commands.get(name);
    if (!command) throw new UsageError(`unknown command "${name}" for "kubectl" (commands: ${[...commands.keys()].join(", ")})`);
    const env = io.env ?? process.env;
    const ctx = createContext(await clusterSettings(flags, env), flags, io, colorsFor(io.stdout, env));
    return await command.run(ctx, args);
  } catch (err) {
    io.stderr.write(formatError(err) + "\n");
    return 1;
  }
}
