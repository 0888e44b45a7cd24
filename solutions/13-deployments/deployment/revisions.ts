/**
 * Revisions: how a Deployment remembers its past templates.
 *
 * Every template the Deployment ever had is one ReplicaSet. Its name is the
 * Deployment's name and a hash of the template ("web-5d4f8c7b9"), the same
 * hash is the pod-template-hash label on it and on its pods (so the
 * ReplicaSets of one Deployment never select each other's pods), and the
 * annotation deployment.kubernetes.io/revision numbers it:
 *
 *   web-6b9f7c5d8d   revision 1   replicas 0   image busybox
 *   web-5d4f8c7b9    revision 2   replicas 3   image busybox:latest   <- the new one
 *
 * `kubectl rollout history` lists these annotations; `kubectl rollout undo`
 * copies an old ReplicaSet's template back into the Deployment. The
 * controller then finds that ReplicaSet again (same template) and gives it
 * the next revision number: 3.
 */
import type { Deployment, ReplicaSet } from "../../../shared/api/apps.ts";
import { deepEqual, type PodTemplateSpec } from "../../../shared/api/index.ts";

export const REVISION = "deployment.kubernetes.io/revision";
/** The revisions a ReplicaSet had before (an undo brings an old one back): "1,3". */
export const REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
export const POD_TEMPLATE_HASH = "pod-template-hash";
/** What the user wrote as the reason of a change (kubectl annotate ... kubernetes.io/change-cause=...). */
export const CHANGE_CAUSE = "kubernetes.io/change-cause";

/** Characters that never make a word (no vowels), as Kubernetes' SafeEncodeString. */
const SAFE = "bcdfghjklmnpqrstvwxz2456789";

/** JSON with sorted keys: the same template always gives the same text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * The pod-template-hash of a template: FNV-1a (32 bits) of the template,
 * plus the collision count, written with SAFE characters. Kubernetes hashes
 * its own printout of the Go struct, so the strings differ from a real
 * cluster's; what matters is that they are stable and short.
 */
export function podTemplateHash(template: PodTemplateSpec | undefined, collisionCount = 0): string {
  let hash = 0x811c9dc5;
  const text = canonical(template ?? {}) + (collisionCount > 0 ? String(collisionCount) : "");
  for (const byte of Buffer.from(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  let out = "";
  for (const ch of hash.toString(10)) out += SAFE[Number(ch) % SAFE.length];
  return out;
}

/** Drops null, empty objects and empty lists: clients written in Go send `resources: {}` and `creationTimestamp: null` for "nothing". */
function compact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(compact);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const c = compact(v);
      if (c === null || c === undefined) continue;
      if (typeof c === "object" && !Array.isArray(c) && Object.keys(c as object).length === 0) continue;
      if (Array.isArray(c) && c.length === 0) continue;
      out[k] = c;
    }
    return out;
  }
  return value;
}

/**
 * A template as it is compared and hashed: without its pod-template-hash
 * label (the Deployment's own template never has one), and without empty
 * parts, so that `resources: {}` and no resources are the same template.
 */
export function withoutHash(template: PodTemplateSpec | undefined): PodTemplateSpec {
  const copy = compact(structuredClone(template ?? {})) as PodTemplateSpec;
  if (copy.metadata?.labels) {
    delete copy.metadata.labels[POD_TEMPLATE_HASH];
    if (Object.keys(copy.metadata.labels).length === 0) delete copy.metadata.labels;
    if (Object.keys(copy.metadata).length === 0) delete copy.metadata;
  }
  return copy;
}

/** The revision number of a ReplicaSet (0 when it has none). */
export function revisionOf(rs: ReplicaSet): number {
  return Number(rs.metadata?.annotations?.[REVISION] ?? 0) || 0;
}

// STEP(13.3): which ReplicaSet runs the Deployment's current template?
// Compare templates without the pod-template-hash label: the hash is
// derived from the template, not part of it. When several match (possible
// after a hash collision), the oldest wins, so the answer never flips.
// Tests: "13.3 finds the ReplicaSet of the current template".
export function findNewReplicaSet(d: Deployment, sets: ReplicaSet[]): ReplicaSet | undefined {
  //#solution
  const wanted = withoutHash(d.spec?.template);
  const created = (rs: ReplicaSet) => Date.parse(rs.metadata?.creationTimestamp ?? "") || 0;
  return [...sets].sort((a, b) => created(a) - created(b) || (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? "")).find((rs) => deepEqual(withoutHash(rs.spec?.template), wanted));
  //#end
}

// STEP(13.3): the annotations the new ReplicaSet must carry. Its revision
// is one more than the highest of the OLD ReplicaSets, unless it already
// has a higher one (then nothing changes: a sync must be idempotent). When
// it had an older revision (an undo brought it back), that number joins
// REVISION_HISTORY. The Deployment's change-cause is copied. Answers the
// new annotations, or undefined when they are already right.
// Tests: "13.3 revisions ...".
export function newRevisionAnnotations(d: Deployment, newRS: ReplicaSet, old: ReplicaSet[]): Record<string, string> | undefined {
  //#solution
  const max = old.reduce((n, rs) => Math.max(n, revisionOf(rs)), 0);
  const current = revisionOf(newRS);
  const annotations = { ...newRS.metadata?.annotations };
  if (current <= max) {
    annotations[REVISION] = String(max + 1);
    if (current > 0) annotations[REVISION_HISTORY] = [annotations[REVISION_HISTORY], String(current)].filter(Boolean).join(",");
  }
  const cause = d.metadata?.annotations?.[CHANGE_CAUSE];
  if (cause !== undefined) annotations[CHANGE_CAUSE] = cause;
  return deepEqual(annotations, newRS.metadata?.annotations ?? {}) ? undefined : annotations;
  //#end
}

// STEP(13.3): the old ReplicaSets to delete so that at most
// spec.revisionHistoryLimit old ones stay. Only the ones scaled to 0 with no
// pods left may go (one with pods is still part of the rollout), the oldest
// revisions first. Tests: "13.3 history ...".
export function historyToDelete(d: Deployment, old: ReplicaSet[]): ReplicaSet[] {
  //#solution
  const limit = d.spec?.revisionHistoryLimit ?? 10;
  const alive = old.filter((rs) => !rs.metadata?.deletionTimestamp);
  const idle = alive.filter((rs) => (rs.spec?.replicas ?? 0) === 0 && (rs.status?.replicas ?? 0) === 0);
  const extra = alive.length - limit;
  if (extra <= 0) return [];
  return [...idle].sort((a, b) => revisionOf(a) - revisionOf(b)).slice(0, extra);
  //#end
}
