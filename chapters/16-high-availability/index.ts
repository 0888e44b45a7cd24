/**
 * Chapter 16, high availability: no single process whose death stops the
 * cluster.
 *
 *   apiserver/leases.ts              the Lease kind (coordination.k8s.io/v1) on the apiserver
 *   client/resources.ts              how clients address leases
 *   leaderelection/clock.ts          time, passed in (a fake one in the unit tests)
 *   leaderelection/resource-lock.ts  the lock: one Lease, written with compare-and-swap
 *   leaderelection/leader-elector.ts the election: acquire, renew, give up, release
 *   leaderelection/replicas.ts       replicas of a component; only the leader's runs
 *   nodelease/node-lease.ts          each kubelet's heartbeat as a Lease in kube-node-lease
 *
 * The third part, the store on three etcd members, is shared code
 * (shared/etcd-cluster.ts, shared/store/etcd-store.ts): `npm start -- --store etcd-cluster`.
 *
 * The cluster bring-up (shared/cluster/components/16-high-availability.ts)
 * takes these values: installLeases(apiserver) serves the kind;
 * leaderElected(...) wraps the start of the scheduler and of the controller
 * manager; startNodeLease(...) runs beside every kubelet; nodeLeaseHeartbeats
 * goes to chapter 12's node lifecycle controller.
 */
import type { ApiServer } from "../03-apiserver/index.ts";
import { RestClient } from "../04-kubectl/client/rest.ts";
import { leases } from "./apiserver/leases.ts";
import { NodeLeaseRenewer } from "./nodelease/node-lease.ts";

export { leases, leaseTable } from "./apiserver/leases.ts";
export { LEASES } from "./client/resources.ts";
export { realClock, type Clock } from "./leaderelection/clock.ts";
export {
  LeaseLock,
  LockConflict,
  type LeaderElectionRecord,
  type ResourceLock,
  type VersionedRecord,
} from "./leaderelection/resource-lock.ts";
export {
  DEFAULT_LEASE_DURATION_MS,
  DEFAULT_RENEW_DEADLINE_MS,
  DEFAULT_RETRY_PERIOD_MS,
  LeaderElector,
  type LeaderCallbacks,
  type LeaderElectionConfig,
} from "./leaderelection/leader-elector.ts";
export {
  leaderElected,
  runReplica,
  type LeaderElectedOptions,
  type LeaderElectionTiming,
  type Replica,
  type ReplicatedComponent,
} from "./leaderelection/replicas.ts";
export {
  NODE_LEASE_DURATION_SECONDS,
  NODE_LEASE_NAMESPACE,
  NodeLeaseRenewer,
  nodeLeaseHeartbeats,
} from "./nodelease/node-lease.ts";

/** Serves leases (coordination.k8s.io/v1). Again for the same server: nothing. */
export function installLeases(apiserver: ApiServer): void {
  if (apiserver.registry.lookup(leases.group, leases.version, leases.plural)) return;
  apiserver.registry.register(leases);
}

/** Starts renewing the Lease of one node (beside its kubelet); stop() ends it. */
export function startNodeLease(options: {
  server: string;
  token?: string;
  nodeName: string;
  leaseDurationSeconds?: number;
  renewIntervalMs?: number;
  log?: (line: string) => void;
}): { stop(): Promise<void> } {
  const client = new RestClient({ server: options.server, token: options.token });
  return new NodeLeaseRenewer({ ...options, client }).start();
}
