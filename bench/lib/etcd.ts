/** A real etcd for the anchors, stopped (and its data dir removed) by the run's cleanup. */
import { existsSync } from "node:fs";
import { startEtcdCluster, type EtcdCluster } from "../../shared/etcd-cluster.ts";
import { ETCD_BINARY, startEtcd, type EtcdServer } from "../../shared/etcd-server.ts";
import { onCleanup } from "./cleanup.ts";

export function etcdAvailable(): boolean {
  return existsSync(ETCD_BINARY);
}

export const NO_ETCD = `${ETCD_BINARY} not found (Debian: apt-get install etcd-server)`;

export async function startBenchEtcd(): Promise<EtcdServer> {
  const etcd = await startEtcd({ detached: true });
  const stop = onCleanup(`etcd (${etcd.endpoint})`, () => etcd.stop());
  return { ...etcd, stop };
}

/** Three etcd members on loopback (chapter 16), stopped (and their folder removed) by the run's cleanup. */
export async function startBenchEtcdCluster(): Promise<EtcdCluster> {
  const cluster = await startEtcdCluster({ detached: true });
  const stop = onCleanup(`etcd cluster (${cluster.endpoints.join(" ")})`, () => cluster.stop());
  return { ...cluster, stop };
}
