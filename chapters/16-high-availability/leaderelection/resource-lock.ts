/**
 * The lock the candidates fight over: one Lease object on the apiserver.
 * Like client-go's resourcelock.LeaseLock, it only reads and writes the
 * record; every decision (who may write, when) is the elector's.
 *
 * The resourceVersion is what makes this a lock. update() sends the
 * resourceVersion of the record we read; if anyone wrote the Lease since,
 * the apiserver answers 409 Conflict and nothing is written. Two candidates
 * that both think the lease expired both try, and exactly one wins.
 */
import { microTime, type Lease } from "../../../shared/api/coordination.ts";
import { isApiError } from "../../../shared/api/index.ts";
import type { RestClient, ResourceClient } from "../../04-kubectl/client/rest.ts";
import { LEASES } from "../client/resources.ts";

/** The content of the lock, in our own units (ms since the epoch, not strings). */
export interface LeaderElectionRecord {
  /** "" when nobody holds it (released). */
  holderIdentity: string;
  leaseDurationMs: number;
  acquireTime: number;
  renewTime: number;
  leaseTransitions: number;
}

/** A record as read, with the version to send back on update. */
export interface VersionedRecord {
  record: LeaderElectionRecord;
  resourceVersion: string;
}

/** The "the lock changed under you" answer of update() and create(). */
export class LockConflict extends Error {
  override readonly name = "LockConflict";
}

export interface ResourceLock {
  /** "namespace/name", for messages. */
  readonly description: string;
  /** The record, or undefined when the lock object does not exist yet. */
  get(): Promise<VersionedRecord | undefined>;
  /** Creates the lock object; LockConflict when someone created it first. */
  create(record: LeaderElectionRecord): Promise<VersionedRecord>;
  /** Replaces the record if it is still at resourceVersion; LockConflict when it is not. */
  update(record: LeaderElectionRecord, resourceVersion: string): Promise<VersionedRecord>;
}

/** Lease durations are whole seconds on the wire. */
function toLease(name: string, namespace: string, r: LeaderElectionRecord, resourceVersion?: string): Lease {
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { name, namespace, ...(resourceVersion ? { resourceVersion } : {}) },
    spec: {
      holderIdentity: r.holderIdentity,
      leaseDurationSeconds: Math.max(1, Math.round(r.leaseDurationMs / 1000)),
      acquireTime: microTime(r.acquireTime),
      renewTime: microTime(r.renewTime),
      leaseTransitions: r.leaseTransitions,
    },
  };
}

function fromLease(lease: Lease): VersionedRecord {
  const spec = lease.spec ?? {};
  return {
    record: {
      holderIdentity: spec.holderIdentity ?? "",
      leaseDurationMs: (spec.leaseDurationSeconds ?? 0) * 1000,
      acquireTime: spec.acquireTime ? Date.parse(spec.acquireTime) : 0,
      renewTime: spec.renewTime ? Date.parse(spec.renewTime) : 0,
      leaseTransitions: spec.leaseTransitions ?? 0,
    },
    resourceVersion: lease.metadata?.resourceVersion ?? "",
  };
}

export class LeaseLock implements ResourceLock {
  readonly description: string;
  private readonly leases: ResourceClient<Lease>;

  constructor(
    client: RestClient,
    private readonly namespace: string,
    private readonly name: string,
  ) {
    this.leases = client.resource<Lease>(LEASES);
    this.description = `${namespace}/${name}`;
  }

  async get(): Promise<VersionedRecord | undefined> {
    try {
      return fromLease(await this.leases.get(this.name, this.namespace));
    } catch (err) {
      if (isApiError(err, "NotFound")) return undefined;
      throw err;
    }
  }

  async create(record: LeaderElectionRecord): Promise<VersionedRecord> {
    try {
      return fromLease(await this.leases.create(toLease(this.name, this.namespace, record)));
    } catch (err) {
      if (isApiError(err, "AlreadyExists")) throw new LockConflict(`lease ${this.description} was created by another candidate`);
      throw err;
    }
  }

  async update(record: LeaderElectionRecord, resourceVersion: string): Promise<VersionedRecord> {
    try {
      return fromLease(await this.leases.update(toLease(this.name, this.namespace, record, resourceVersion)));
    } catch (err) {
      if (isApiError(err, "Conflict"))
        throw new LockConflict(`lease ${this.description} changed since resourceVersion ${resourceVersion}`);
      throw err;
    }
  }
}
