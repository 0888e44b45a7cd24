/**
 * The interface of the cluster's key-value store: a small subset of etcd's v3
 * API, just what the apiserver needs.
 *
 * Two implementations exist: the embedded store the learner builds in chapter
 * 02 (the default everywhere in this project) and an adapter over a real etcd
 * server (shared/store/etcd-store.ts). Chapter 02's tests run against both, so
 * "behaves like etcd" is something the tests prove, not something we claim.
 *
 * Revisions: the store has one counter. Every write (create, update, delete)
 * increments it and stamps the key with it. A key remembers
 *   createRevision  the revision that created it,
 *   modRevision     the revision of its last write,
 *   version         how many times it was written since it was created.
 * The apiserver exposes modRevision as an object's `metadata.resourceVersion`.
 */

export interface KeyValue {
  key: string;
  value: string;
  createRevision: number;
  modRevision: number;
  version: number;
}

export interface RangeResult {
  kvs: KeyValue[];
  /** The store's revision at the moment of the read (or the revision asked for). */
  revision: number;
  /** How many keys the range holds in all, before the limit cut it (etcd's count). */
  count?: number;
}

/** What a range reads. Without options: every key under the prefix, now. */
export interface RangeOptions {
  /** At most this many keys (0 or absent: all). */
  limit?: number;
  /** Start at this key (inclusive) instead of at the prefix: how a list goes on with its next page. */
  fromKey?: string;
  /**
   * Read the keys as they were at this revision (etcd's WithRev): pages of
   * one list are one snapshot. StoreError("Compacted") when it is forgotten.
   */
  revision?: number;
}

export interface WatchEvent {
  type: "PUT" | "DELETE";
  /**
   * After a PUT: the new key-value. After a DELETE: a tombstone, as etcd sends it: the key,
   * modRevision = the delete's revision, value "", createRevision 0 and version 0.
   */
  kv: KeyValue;
  /** The key-value before this event, when there was one. */
  prevKv?: KeyValue;
}

export interface WatchOptions {
  /** Replay history from this revision (inclusive), then stream. Default: only new events. */
  fromRevision?: number;
}

export interface Watcher {
  /** Stops the watch; no handler call happens after cancel() resolves. */
  cancel(): Promise<void>;
}

/** Called with events in revision order; events of one revision arrive in one call. */
export type WatchHandler = (events: WatchEvent[]) => void;

/** Called once if the watch ends by itself (store closed, connection lost). */
export type WatchErrorHandler = (err: Error) => void;

export interface Store {
  /** The revision of the latest write (0 for an empty, new store). */
  revision(): Promise<number>;
  get(key: string): Promise<KeyValue | undefined>;
  /** Every key that starts with prefix, sorted by key (see RangeOptions for pages and older revisions). */
  range(prefix: string, options?: RangeOptions): Promise<RangeResult>;
  /** Fails with StoreError("KeyExists") if the key is present. */
  create(key: string, value: string): Promise<KeyValue>;
  /**
   * Writes a key that exists. With expectedModRevision, only if the key's
   * modRevision is still that (compare-and-swap): else StoreError("Conflict").
   * A missing key is StoreError("KeyNotFound").
   */
  update(key: string, value: string, expectedModRevision?: number): Promise<KeyValue>;
  /** Deletes a key, with the same compare-and-swap as update; returns the deleted key-value. */
  delete(key: string, expectedModRevision?: number): Promise<KeyValue>;
  /**
   * Watches every key under prefix. Rejects with StoreError("Compacted") when
   * fromRevision is older than the oldest revision the store still keeps.
   */
  watch(prefix: string, options: WatchOptions, onEvents: WatchHandler, onError?: WatchErrorHandler): Promise<Watcher>;
  /** Forgets history before revision; watches from older revisions fail with "Compacted" afterwards. */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * "Unavailable": the store cannot answer now (a real etcd cluster without a
 * majority of its members, or no member reachable); the same call may work
 * later. A write that failed this way may or may not have happened.
 */
export type StoreErrorCode = "KeyExists" | "KeyNotFound" | "Conflict" | "Compacted" | "ValueTooLarge" | "Closed" | "Unavailable";

export class StoreError extends Error {
  override readonly name = "StoreError";
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    /** For "Compacted": the oldest revision still available. */
    readonly compactRevision?: number,
  ) {
    super(message);
  }
}

export function isStoreError(err: unknown, code?: StoreErrorCode): err is StoreError {
  return err instanceof StoreError && (code === undefined || err.code === code);
}

/** etcd's default request size limit (--max-request-bytes): 1.5 MiB. */
export const MAX_VALUE_BYTES = 1.5 * 1024 * 1024;

/**
 * Rejects what etcd rejects before a write: an empty key, or a value over the
 * request size limit. The embedded store and the etcd adapter both call it,
 * so both fail the same way.
 */
export function checkWrite(key: string, value: string): void {
  if (key === "") throw new RangeError("a key must not be empty");
  const size = Buffer.byteLength(value, "utf8");
  if (size > MAX_VALUE_BYTES) {
    throw new StoreError(
      "ValueTooLarge",
      `value of ${key} is ${size} bytes, more than the limit of ${MAX_VALUE_BYTES} bytes (1.5 MiB): store less in one key`,
    );
  }
}
