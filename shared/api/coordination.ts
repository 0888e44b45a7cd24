/**
 * The type of chapter 16 (group coordination.k8s.io, version v1): Lease.
 *
 * A Lease is a small record that says who holds something, and until when.
 * Control-plane replicas use one to elect a leader (kube-system/kube-scheduler),
 * and every kubelet renews one as its heartbeat (kube-node-lease/<node>).
 */
import type { KubeObject } from "./meta.ts";

export interface LeaseSpec {
  /** Who holds the lease now; empty or absent: nobody (released). */
  holderIdentity?: string;
  /** How long others must wait, after they last saw the lease change, before they may take it. */
  leaseDurationSeconds?: number;
  /** When the current holder acquired it (RFC 3339, microseconds). */
  acquireTime?: string;
  /** When the current holder last renewed it (RFC 3339, microseconds). */
  renewTime?: string;
  /** How many times the lease changed hands. */
  leaseTransitions?: number;
}

export interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

/** A MicroTime as Kubernetes writes it: 2026-01-02T03:04:05.123456Z. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, "000Z");
}
