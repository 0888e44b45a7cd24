/**
 * What every command gets: a REST client for the cluster, the namespace to
 * use, the parsed flags, and where to write. Also the two ways commands name
 * objects: by arguments (`pod web`, `pod/web`, `pods`) or by manifests (-f).
 */
import { existsSync } from "node:fs";
import type { ChalkInstance } from "chalk";
import { RestClient } from "../client/rest.ts";
import type { Flags, FlagSpec } from "./args.ts";
import type { Describer } from "./describe.ts";
import { UsageError } from "./args.ts";
import { readKubeconfig, WORKSHOP_KUBECONFIG, type KubeconfigSettings } from "./kubeconfig.ts";
import { readManifests, type Manifest } from "./manifests.ts";
import type { Output } from "./printers.ts";
import type { ResourceCatalog, ResourceInfo } from "./resources.ts";

export interface KubectlIO {
  stdout: Output;
  stderr: Output;
  /** Read by `-f -`. */
  stdin?: AsyncIterable<string | Uint8Array>;
  /** Default process.env: KUBECONFIG, NO_COLOR. */
  env?: Record<string, string | undefined>;
  /** Aborting it ends `get -w` (the launcher aborts on Ctrl-C). */
  signal?: AbortSignal;
}

/** What this run of kubectl knows, from chapter 04 and the plugins passed to run(). */
export interface Toolbox {
  flags: readonly FlagSpec[];
  resources: ResourceCatalog;
  describers: ReadonlyMap<string, Describer>;
}

export interface Context {
  client: RestClient;
  /** The resource types this run knows (chapter 04's and the plugins'). */
  resources: ResourceCatalog;
  /** Describers by kind (chapter 04's and the plugins'). */
  describers: ReadonlyMap<string, Describer>;
  /** -n, else the kubeconfig's namespace, else "default". */
  namespace: string;
  /** Whether -n was given (a manifest's own namespace must then agree). */
  explicitNamespace: boolean;
  flags: Flags;
  io: KubectlIO;
  colors: ChalkInstance;
  out(text: string): void;
  err(text: string): void;
}

/** Finds the cluster: --server, else --kubeconfig, else $KUBECONFIG, else the workshop's .kube/config. */
export async function clusterSettings(flags: Flags, env: Record<string, string | undefined>): Promise<KubeconfigSettings> {
  if (flags.server) return { server: flags.server, token: flags.token };
  const path =
    flags.kubeconfig ?? env.KUBECONFIG?.split(":")[0] ?? (existsSync(WORKSHOP_KUBECONFIG) ? WORKSHOP_KUBECONFIG : undefined);
  if (!path) {
    throw new UsageError(
      "no cluster to talk to: start one with `npm start` (it writes .kube/config), or pass --server http://127.0.0.1:PORT",
    );
  }
  const settings = await readKubeconfig(path);
  return flags.token ? { ...settings, token: flags.token } : settings;
}

export function createContext(
  settings: KubeconfigSettings,
  flags: Flags,
  io: KubectlIO,
  colors: ChalkInstance,
  tools: Toolbox,
): Context {
  return {
    client: new RestClient({ server: settings.server, token: settings.token }),
    resources: tools.resources,
    describers: tools.describers,
    namespace: flags.namespace ?? settings.namespace ?? "default",
    explicitNamespace: flags.namespace !== undefined,
    flags,
    io,
    colors,
    out: (text) => void io.stdout.write(text),
    err: (text) => void io.stderr.write(text),
  };
}

export function resourceOrThrow(ctx: Pick<Context, "resources">, name: string): ResourceInfo {
  const info = ctx.resources.find(name);
  if (!info) throw new UsageError(`the server doesn't have a resource type "${name}"`);
  return info;
}

/** Objects named on the command line: `pods`, `pod web db`, `pod/web node/n1`. */
export interface Target {
  info: ResourceInfo;
  /** Empty: every object of the type. */
  names: string[];
}

export function targetsFromArgs(ctx: Pick<Context, "resources">, args: string[]): Target[] {
  if (args.length === 0) return [];
  if (args[0]!.includes("/")) {
    return args.map((arg) => {
      const [type, name, ...rest] = arg.split("/");
      if (!type || !name || rest.length > 0) {
        throw new UsageError(`"${arg}" is not TYPE/NAME; use either "pod/web pod/db" or "pod web db"`);
      }
      return { info: resourceOrThrow(ctx, type), names: [name] };
    });
  }
  const names = args.slice(1);
  const slashed = names.find((n) => n.includes("/"));
  if (slashed)
    throw new UsageError(
      `there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (${slashed})`,
    );
  return [{ info: resourceOrThrow(ctx, args[0]!), names }];
}

/** A manifest, the resource it belongs to, and the namespace it goes to. */
export interface ResolvedManifest extends Manifest {
  info: ResourceInfo;
  /** undefined for cluster-scoped kinds. */
  namespace: string | undefined;
}

export async function manifestsFromFlags(ctx: Context): Promise<ResolvedManifest[]> {
  const stdin = ctx.io.stdin;
  const manifests = await readManifests(ctx.flags.filenames, stdin ? () => readAll(stdin) : undefined);
  if (manifests.length === 0) throw new UsageError("no objects passed: the files given with -f are empty");
  return manifests.map((manifest) => resolveManifest(ctx, manifest));
}

export function resolveManifest(ctx: Context, manifest: Manifest): ResolvedManifest {
  const { apiVersion = "", kind = "", metadata } = manifest.object;
  const info = ctx.resources.forKind(apiVersion, kind);
  if (!info) {
    throw new UsageError(
      `${manifest.source}:${manifest.line}: unknown kind "${kind}" in version "${apiVersion}" (known: ${knownKinds(ctx)})`,
    );
  }
  if (!info.namespaced) return { ...manifest, info, namespace: undefined };
  const own = metadata?.namespace;
  if (own && ctx.explicitNamespace && own !== ctx.namespace) {
    throw new UsageError(
      `the namespace from the provided object "${own}" does not match the namespace "${ctx.namespace}". You must pass '--namespace=${own}' to perform this operation.`,
    );
  }
  return { ...manifest, info, namespace: own ?? ctx.namespace };
}

function knownKinds(ctx: Context): string {
  return ctx.resources
    .all()
    .map((r) => r.kind)
    .join(", ");
}

async function readAll(stream: AsyncIterable<string | Uint8Array>): Promise<string> {
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of stream) text += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}
