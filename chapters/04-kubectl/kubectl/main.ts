/**
 * The learner's kubectl. `run()` is the whole program: it parses the
 * arguments, finds the cluster, runs one command and returns the exit code.
 * It never throws and never prints a stack trace: every failure becomes one
 * readable line on stderr and exit code 1. Tests call run() directly;
 * workshop/kubectl.ts wraps it for the terminal (`npm run kubectl -- get pods`).
 */
import { flagSpecs, parseArgs, UsageError } from "./args.ts";
import { apply } from "./commands/apply.ts";
import { create } from "./commands/create.ts";
import { del } from "./commands/delete.ts";
import { describe } from "./commands/describe.ts";
import { get } from "./commands/get.ts";
import { logs } from "./commands/logs.ts";
import { clusterSettings, createContext, type KubectlIO, type Toolbox } from "./context.ts";
import { CORE_DESCRIBERS } from "./describe.ts";
import { formatError } from "./errors.ts";
import type { Command, KubectlPlugin } from "./plugin.ts";
import { colorsFor } from "./printers.ts";
import { CORE_RESOURCES, ResourceCatalog } from "./resources.ts";

export type { KubectlIO } from "./context.ts";
export type { Command, FlagDefinition, KubectlPlugin } from "./plugin.ts";

/** This chapter's own commands, resources and describers, as a plugin like any other. */
export const corePlugin: KubectlPlugin = {
  commands: {
    apply: { summary: "Create or update objects from manifests", usage: "apply -f FILE|DIR|-", run: apply },
    create: { summary: "Create objects from manifests", usage: "create -f FILE|DIR|-", run: create },
    get: {
      summary: "List objects as a table, or print them",
      usage:
        "get TYPE [NAME...] | TYPE/NAME... [-o wide|yaml|json|name] [-w] [-n NS | -A] [-l SELECTOR] [--field-selector SELECTOR] [--show-labels]",
      run: get,
    },
    describe: { summary: "Show an object in detail, with its events", usage: "describe TYPE [NAME...] | -f FILE", run: describe },
    delete: {
      summary: "Delete objects by name, manifest or selector",
      usage: "delete TYPE NAME... | TYPE/NAME... | -f FILE | TYPE -l SELECTOR",
      run: del,
    },
    logs: { summary: "Print the logs of a pod's container", usage: "logs POD [CONTAINER]", run: logs },
  },
  resources: [...CORE_RESOURCES],
  describers: CORE_DESCRIBERS,
};

/** Everything one run knows: chapter 04's plugin, then the given ones in order (a later one wins a clash of names). */
export function toolbox(plugins: readonly KubectlPlugin[]): Toolbox & { commands: Map<string, Command> } {
  const all = [corePlugin, ...plugins];
  return {
    commands: new Map(all.flatMap((p) => Object.entries(p.commands ?? {}))),
    flags: flagSpecs(all.flatMap((p) => p.flags ?? [])),
    resources: new ResourceCatalog(all.flatMap((p) => p.resources ?? [])),
    describers: new Map(all.flatMap((p) => Object.entries(p.describers ?? {}))),
  };
}

function help(commands: Map<string, Command>): string {
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

/**
 * Runs one kubectl command. `plugins` are what later chapters add (their
 * NN/kubectl/index.ts exports `kubectlPlugin`); without them, kubectl knows
 * chapter 04's commands and resources only.
 */
export async function run(argv: string[], io: KubectlIO, plugins: readonly KubectlPlugin[] = []): Promise<number> {
  try {
    const tools = toolbox(plugins);
    const { positionals, flags } = parseArgs(argv, tools.flags);
    const [name, ...args] = positionals;
    if (flags.help || name === undefined || name === "help") {
      io.stdout.write(help(tools.commands));
      return name === undefined && !flags.help ? 1 : 0;
    }
    const command = tools.commands.get(name);
    if (!command)
      throw new UsageError(`unknown command "${name}" for "kubectl" (commands: ${[...tools.commands.keys()].join(", ")})`);
    const env = io.env ?? process.env;
    const ctx = createContext(await clusterSettings(flags, env), flags, io, colorsFor(io.stdout, env), tools);
    return await command.run(ctx, args);
  } catch (err) {
    io.stderr.write(formatError(err) + "\n");
    return 1;
  }
}
