/**
 * The control plane as its own process: the store and the apiserver, and
 * nothing else, so the benchmark can read its memory (/proc/PID/status) and
 * load it over HTTP from another process, as real clients do.
 *
 *   node --import tsx bench/lib/control-plane.ts '{"store":"embedded","dir":"/tmp/x"}'
 *   node --import tsx bench/lib/control-plane.ts '{"store":"etcd","endpoint":"http://127.0.0.1:2379"}'
 *
 * It answers on an IPC channel (see control-plane-process.ts): "ready" with
 * its URL, then "memory" (after a garbage collection) and "range" (time a
 * store read in-process) on request. It exits when its parent goes away.
 */
import { EtcdStore } from "../../shared/store/etcd-store.ts";
import type { Store } from "../../shared/store/types.ts";
import { openEmbeddedStore } from "../../solutions/02-etcd/index.ts";
import { startApiServer } from "../../solutions/03-apiserver/index.ts";
import { installSelectors } from "../../solutions/07-labels/index.ts";

export type ControlPlaneConfig =
  { store: "embedded"; dir?: string } | { store: "etcd"; endpoint: string } | { store: "etcd-cluster"; endpoints: string[] };

export type ControlPlaneRequest = { id: number; type: "memory" } | { id: number; type: "range"; prefix: string };
export type ControlPlaneMessage =
  | { type: "ready"; url: string }
  | { type: "failed"; message: string }
  | { id: number; type: "memory"; rss: number; heapUsed: number }
  | { id: number; type: "range"; ms: number; count: number; bytes: number };

const send = (message: ControlPlaneMessage) => process.send?.(message);

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? "{}") as ControlPlaneConfig;
  const store: Store =
    config.store === "etcd"
      ? new EtcdStore(config.endpoint)
      : config.store === "etcd-cluster"
        ? new EtcdStore(config.endpoints)
        : await openEmbeddedStore(config.dir ? { dir: config.dir } : {});
  const apiserver = await startApiServer({ store, host: "127.0.0.1", port: 0 });
  // Label and field selectors (chapter 07), as in the reference cluster.
  installSelectors(apiserver);

  process.on("message", (raw: ControlPlaneRequest) => {
    void (async () => {
      if (raw.type === "memory") {
        (globalThis as { gc?: () => void }).gc?.();
        const rss = process.memoryUsage().rss;
        send({ id: raw.id, type: "memory", rss, heapUsed: process.memoryUsage().heapUsed });
      } else if (raw.type === "range") {
        const start = performance.now();
        const result = await store.range(raw.prefix);
        const ms = performance.now() - start;
        const bytes = result.kvs.reduce((n, kv) => n + kv.value.length, 0);
        send({ id: raw.id, type: "range", ms, count: result.kvs.length, bytes });
      }
    })();
  });

  const stop = async () => {
    await apiserver.close().catch(() => {});
    await store.close().catch(() => {});
    process.exit(0);
  };
  // The parent went away (Ctrl-C, crash): stop too.
  process.on("disconnect", () => void stop());
  process.on("SIGTERM", () => void stop());
  // Ctrl-C in a terminal reaches the whole process group: let the parent
  // stop us in order (clients first, then the store) instead.
  process.on("SIGINT", () => {});
  send({ type: "ready", url: apiserver.url });
}

main().catch((err: Error) => {
  send({ type: "failed", message: err.message });
  process.exit(1);
});
