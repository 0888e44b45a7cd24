/**
 * How a later chapter adds to kubectl: a KubectlPlugin, a plain value.
 *
 *   export const kubectlPlugin: KubectlPlugin = {
 *     commands: { scale: { summary: "...", usage: "...", run: scale } },
 *     flags: [{ long: "replicas", kind: "string" }],
 *     resources: [{ ...REPLICATION_CONTROLLERS, singular: "replicationcontroller", shortNames: ["rc"] }],
 *     describers: { ReplicationController: describeReplicationController },
 *   };
 *
 * Each chapter exports its plugin from NN/kubectl/index.ts, and whoever runs
 * kubectl passes the plugins in: `run(argv, io, [labels, replication])`.
 * Importing a plugin's file changes nothing; there is no global list to fill.
 * (The real kubectl learns resource names from the apiserver's discovery
 * documents, and takes extra commands as `kubectl-NAME` programs on the PATH.)
 */
import type { Context } from "./context.ts";
import type { Describer } from "./describe.ts";
import type { ResourceInfo } from "./resources.ts";

export interface Command {
  summary: string;
  usage: string;
  run(ctx: Context, args: string[]): Promise<number>;
}

/** A flag a plugin's command needs, e.g. `scale --replicas 3`. Its value lands in flags.extra[long]. */
export interface FlagDefinition {
  long: string;
  short?: string;
  kind: "string" | "boolean";
}

export interface KubectlPlugin {
  /** New commands, by name. */
  commands?: Record<string, Command>;
  /** New flags: a string, or true/false for a boolean flag, in flags.extra[long]. */
  flags?: FlagDefinition[];
  /** More resource types, known by plural, singular, short names and kind. */
  resources?: ResourceInfo[];
  /** Describers by kind, for `kubectl describe`. */
  describers?: Record<string, Describer>;
}
