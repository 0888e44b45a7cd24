/**
 * Runs the real kubectl (v1.32, /usr/bin/kubectl) against a test cluster,
 * with its own kubeconfig and cache folder in a temp dir (so it never touches
 * the user's ~/.kube and never reuses discovery cached for another run).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import type { KubectlPlugin } from "@tree/04-kubectl/kubectl/plugin.ts";

export const KUBECTL_PATH = process.env.KUBECTL ?? "/usr/bin/kubectl";

export function kubectlAvailable(): boolean {
  return existsSync(KUBECTL_PATH);
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Kubectl {
  /** Runs kubectl with these arguments (and stdin); never throws for a non-zero exit. */
  run(args: string[], stdin?: string): Promise<KubectlResult>;
  /** Like run(), but throws with kubectl's stderr when it exits non-zero. */
  ok(args: string[], stdin?: string): Promise<string>;
  /** The temp folder (kubeconfig, cache); removed by cleanup(). */
  dir: string;
  cleanup(): Promise<void>;
}

export async function kubectlFor(server: string, namespace = "default"): Promise<Kubectl> {
  const dir = await mkdtemp(join(tmpdir(), "k8s-workshop-kubectl-"));
  const kubeconfig = join(dir, "config");
  await writeFile(
    kubeconfig,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "workshop", cluster: { server } }],
      users: [{ name: "workshop", user: {} }],
      contexts: [{ name: "workshop", context: { cluster: "workshop", user: "workshop", namespace } }],
      "current-context": "workshop",
    }),
  );
  const run = (args: string[], stdin?: string) =>
    new Promise<KubectlResult>((resolve) => {
      const child = execFile(
        KUBECTL_PATH,
        ["--kubeconfig", kubeconfig, "--cache-dir", join(dir, "cache"), "--request-timeout", "20s", ...args],
        {
          env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, NO_COLOR: "1" },
          timeout: 60_000,
          maxBuffer: 16 * 1024 * 1024,
        },
        (err, stdout, stderr) => {
          const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
      if (stdin !== undefined) child.stdin?.end(stdin);
      else child.stdin?.end();
    });
  return {
    dir,
    run,
    async ok(args, stdin) {
      const r = await run(args, stdin);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
      return r.stdout;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The `run(argv, io, plugins)` entry of the chapter 04 kubectl (tests import it from their tree). */
export type KubectlRun = (
  argv: string[],
  io: { stdout: { write(s: string): unknown }; stderr: { write(s: string): unknown }; env: Record<string, string | undefined> },
  plugins?: readonly KubectlPlugin[],
) => Promise<number>;

/**
 * Runs our kubectl in-process against a server, with output captured (not a
 * TTY: no colour). `plugins` are the later chapters' kubectl plugins (each
 * NN/kubectl/index.ts exports `kubectlPlugin`): kubectl knows only what it is given.
 */
export async function runOurKubectl(
  run: KubectlRun,
  server: string,
  args: string[],
  options: { token?: string; plugins?: readonly KubectlPlugin[] } = {},
): Promise<KubectlResult> {
  const { token, plugins = [] } = options;
  let stdout = "";
  let stderr = "";
  const auth = token ? ["--token", token] : [];
  const code = await run(
    ["--server", server, ...auth, ...args],
    {
      stdout: { write: (s: string) => void (stdout += s) },
      stderr: { write: (s: string) => void (stderr += s) },
      env: {},
    },
    plugins,
  );
  return { code, stdout, stderr };
}
