/**
 * The cluster harness: boots the cluster built so far for a test.
 *
 *   const cluster = await startCluster();   // store + apiserver on 127.0.0.1:<free port>
 *   ...
 *   await cluster.close();                   // stops everything, removes temp dirs
 *
 * The store lives in memory unless a dataDir is given (a restart test passes
 * the same dataDir to a second cluster). Later chapters add their components
 * (kubelets, controllers, scheduler...) here.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openEmbeddedStore } from "@tree/02-etcd/index.ts";
import { startApiServer, type ApiServer } from "@tree/03-apiserver/index.ts";
import type { Store } from "../../shared/store/types.ts";

export interface ClusterOptions {
  /** Keep the store on disk in this folder (it is not removed on close). Default: in memory. */
  dataDir?: string;
  /** Store on disk in a temp folder removed on close. */
  durable?: boolean;
}

export interface TestCluster {
  /** The apiserver's URL, http://127.0.0.1:PORT. */
  url: string;
  store: Store;
  apiserver: ApiServer;
  /** Stops the apiserver, closes the store, removes temp folders. Safe to call twice. */
  close(): Promise<void>;
}

export async function startCluster(options: ClusterOptions = {}): Promise<TestCluster> {
  const tempDir = options.durable && !options.dataDir ? await mkdtemp(join(tmpdir(), "k8s-workshop-store-")) : undefined;
  const dir = options.dataDir ?? tempDir;
  const store = await openEmbeddedStore(dir ? { dir } : {});
  let apiserver: ApiServer;
  try {
    apiserver = await startApiServer({ store, host: "127.0.0.1", port: 0 });
  } catch (err) {
    await store.close().catch(() => {});
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    url: apiserver.url,
    store,
    apiserver,
    close() {
      closing ??= (async () => {
        await apiserver.close().catch(() => {});
        await store.close().catch(() => {});
        if (tempDir) await rm(tempDir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
