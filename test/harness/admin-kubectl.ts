/**
 * The real kubectl as a test cluster's admin (chapter 11 on: authentication
 * and TLS), for the tests that drive the cluster the way a user would:
 *
 *   const kubectl = await kubectlAsAdmin(cluster, { prefix: "k8s-13-disruption-" });
 *   await kubectl.ok("apply", "-f", join(kubectl.dir, "web.yaml"));
 *   const drain = await kubectl.run("drain", "node-1");   // { code, stdout, stderr }
 *   await kubectl.cleanup();
 *
 * Its own file, not kubectl.ts: it loads the tree's chapter 04 kubeconfig
 * writer, which the tests of chapters 03 and 04 must not depend on.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeKubeconfig } from "@tree/04-kubectl/kubectl/kubeconfig.ts";
import type { Cluster } from "../../shared/cluster/index.ts";
import { KUBECTL_PATH, type KubectlResult } from "./kubectl.ts";

export interface AdminKubectl {
  /** Runs kubectl with these arguments; never throws for a non-zero exit. */
  run(...args: string[]): Promise<KubectlResult>;
  /** Like run(), but throws with kubectl's stderr (or stdout) when it exits non-zero. */
  ok(...args: string[]): Promise<string>;
  /** The temp folder: the kubeconfig ("config"), kubectl's cache, and manifests a test writes. */
  dir: string;
  /** Removes dir. */
  cleanup(): Promise<void>;
}

/**
 * A kubeconfig written by the tree's own writeKubeconfig (step 04.9), with
 * the admin's token and the TLS URL: the real kubectl sends a token only
 * over TLS. `prefix` names the temp folder; `timeoutMs` bounds each run
 * (default 60 s; a drain needs more).
 */
export async function kubectlAsAdmin(cluster: Cluster, options: { prefix: string; timeoutMs?: number }): Promise<AdminKubectl> {
  const dir = await mkdtemp(join(tmpdir(), options.prefix));
  await writeKubeconfig(join(dir, "config"), { server: cluster.secureUrl ?? cluster.url, token: cluster.adminToken });
  const run = (...args: string[]) =>
    new Promise<KubectlResult>((done) => {
      const child = execFile(
        KUBECTL_PATH,
        ["--kubeconfig", join(dir, "config"), "--cache-dir", join(dir, "cache"), "--request-timeout", "20s", ...args],
        // HOME is the temp folder too: kubectl never reads or writes the user's ~/.kube.
        { env: { PATH: process.env.PATH ?? "", HOME: dir }, timeout: options.timeoutMs ?? 60_000 },
        (err, stdout, stderr) => done({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
      );
      child.stdin?.end();
    });
  return {
    dir,
    run,
    async ok(...args) {
      const r = await run(...args);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
      return r.stdout;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
