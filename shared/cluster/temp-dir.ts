/**
 * Each cluster's folder for its nodes (the kubelets' pod and volume
 * folders), under the system's temp folder. close() removes it. A process
 * that is killed (Ctrl-C reaches a check's test processes too) never runs
 * close(), so the folder carries the pid of the process that made it:
 * k8s-workshop-cluster-<pid>-<cluster id>-XXXXXX. The next run removes the
 * folders whose process is gone, as it does for Docker objects and etcd
 * clusters (workshop/cli.ts, test/harness/global-setup.ts).
 */
import { readdirSync, rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pidAlive } from "../process.ts";

const PREFIX = "k8s-workshop-cluster-";

/** Makes the folder of cluster `id`, named after this process. */
export function makeClusterDir(id: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `${PREFIX}${process.pid}-${id}-`));
}

/** Removes the cluster folders of processes that are gone; returns the folders removed. */
export function sweepClusterDirs(root: string = tmpdir(), alive: (pid: number) => boolean = pidAlive): string[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const owner = Number(new RegExp(`^${PREFIX}(\\d+)-[0-9a-f]{8}-`).exec(name)?.[1]);
    if (!owner || alive(owner)) continue;
    const dir = join(root, name);
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    removed.push(dir);
  }
  return removed;
}
