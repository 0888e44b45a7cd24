/**
 * The Store interface over a real etcd v3 server, through etcd's JSON gateway
 * (HTTP + JSON in front of its gRPC API; etcd 3.4 serves it under /v3/...).
 *
 *   const store = new EtcdStore("http://127.0.0.1:2379");
 *
 * The gateway speaks protobuf-as-JSON: keys and values are base64, 64-bit
 * numbers are strings, and fields that hold their default value (0, false,
 * the enum value PUT) are left out. Every create/update/delete is one
 * transaction ("txn"): compare, then put or delete, so compare-and-swap is
 * done by etcd itself, atomically.
 *
 * Revisions differ from the embedded store in one detail: a new etcd starts
 * at revision 1, not 0, so its first write gets revision 2.
 *
 * A cluster of etcd members (chapter 16) is given as a list of client URLs:
 *
 *   const store = new EtcdStore(["http://127.0.0.1:2379", "http://127.0.0.1:2479", ...]);
 *
 * The store talks to one member at a time. When that member refuses the
 * connection (it is down), the call moves to the next one: nothing was sent,
 * so trying again is safe even for a write. A member that is up but cannot
 * reach a majority of the cluster cannot commit anything; after
 * requestTimeoutMs, or when etcd itself says so, the call fails with
 * StoreError("Unavailable") and the apiserver answers 503.
 */
import { request, type ClientRequest } from "node:http";
import {
  checkWrite,
  MAX_VALUE_BYTES,
  StoreError,
  type KeyValue,
  type RangeOptions,
  type RangeResult,
  type Store,
  type WatchErrorHandler,
  type WatchEvent,
  type WatchHandler,
  type WatchOptions,
  type Watcher,
} from "./types.ts";

/** A key-value as the gateway sends it. */
interface WireKeyValue {
  key: string;
  value?: string;
  create_revision?: string;
  mod_revision?: string;
  version?: string;
}

interface WireHeader {
  revision?: string;
}

interface WireRangeResponse {
  header: WireHeader;
  kvs?: WireKeyValue[];
  count?: string;
}

interface WireTxnResponse {
  header: WireHeader;
  succeeded?: boolean;
  responses?: {
    response_range?: WireRangeResponse;
    response_put?: { header: WireHeader; prev_kv?: WireKeyValue };
    response_delete_range?: { header: WireHeader; prev_kvs?: WireKeyValue[] };
  }[];
}

interface WireWatchResponse {
  result?: {
    header?: WireHeader;
    created?: boolean;
    canceled?: boolean;
    compact_revision?: string;
    cancel_reason?: string;
    events?: { type?: "PUT" | "DELETE"; kv: WireKeyValue; prev_kv?: WireKeyValue }[];
  };
  error?: { message?: string; grpc_code?: number };
}

/** An error answer of the gateway: {"error": "...", "message": "...", "code": 11}. */
interface WireError {
  error?: string;
  message?: string;
  code?: number;
}

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const unb64 = (s: string | undefined) => Buffer.from(s ?? "", "base64").toString("utf8");
const num = (s: string | undefined) => Number(s ?? 0);

function toKeyValue(w: WireKeyValue): KeyValue {
  return {
    key: unb64(w.key),
    value: unb64(w.value),
    createRevision: num(w.create_revision),
    modRevision: num(w.mod_revision),
    version: num(w.version),
  };
}

/** The first key after every key that starts with prefix: etcd's range_end for a prefix. */
function prefixEnd(prefix: string): string {
  const bytes = Buffer.from(prefix, "utf8");
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i]! < 0xff) {
      const end = Buffer.from(bytes.subarray(0, i + 1));
      end[i]! += 1;
      return end.toString("base64");
    }
  }
  return b64("\0"); // "" or all 0xff: range to the end of the key space
}

/** Key and range_end that select every key starting with prefix. */
function prefixRange(prefix: string): { key: string; range_end: string } {
  return prefix === "" ? { key: b64("\0"), range_end: b64("\0") } : { key: b64(prefix), range_end: prefixEnd(prefix) };
}

export interface EtcdStoreOptions {
  /** How long one call may wait for etcd before it fails as Unavailable. Default 10 s. */
  requestTimeoutMs?: number;
}

export class EtcdStore implements Store {
  private closed = false;
  private readonly watches = new Set<EtcdWatch>();
  private readonly endpoints: URL[];
  /** The member we talk to now; moves on when it refuses a connection. */
  private current = 0;
  private readonly requestTimeoutMs: number;

  /** @param endpoints etcd's client URL, e.g. http://127.0.0.1:2379, or the URLs of every member of a cluster */
  constructor(endpoints: string | readonly string[], options: EtcdStoreOptions = {}) {
    const list = typeof endpoints === "string" ? [endpoints] : [...endpoints];
    if (list.length === 0) throw new Error("EtcdStore needs at least one etcd client URL, like http://127.0.0.1:2379");
    this.endpoints = list.map((e) => new URL(e));
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  }

  /** The member this store talks to now. */
  get endpoint(): URL {
    return this.endpoints[this.current % this.endpoints.length]!;
  }

  async revision(): Promise<number> {
    const res = await this.call<WireRangeResponse>("/v3/kv/range", { key: b64("\0"), limit: 1, count_only: true });
    return num(res.header.revision);
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const res = await this.call<WireRangeResponse>("/v3/kv/range", { key: b64(key) });
    const kv = res.kvs?.[0];
    return kv ? toKeyValue(kv) : undefined;
  }

  async range(prefix: string, options: RangeOptions = {}): Promise<RangeResult> {
    const range = prefixRange(prefix);
    const res = await this.call<WireRangeResponse>("/v3/kv/range", {
      ...range,
      ...(options.fromKey !== undefined ? { key: b64(options.fromKey) } : {}),
      ...(options.revision !== undefined ? { revision: String(options.revision) } : {}),
      limit: options.limit ?? 0,
      // etcd sorts by key ascending by default.
    });
    const result: RangeResult = { kvs: (res.kvs ?? []).map(toKeyValue), revision: options.revision ?? num(res.header.revision) };
    if (options.limit || options.fromKey !== undefined || options.revision !== undefined) result.count = num(res.count);
    return result;
  }

  async create(key: string, value: string): Promise<KeyValue> {
    checkWrite(key, value);
    // Create-if-absent: "the key's create_revision is 0" means it does not exist.
    const res = await this.txn({
      compare: [{ key: b64(key), target: "CREATE", result: "EQUAL", create_revision: "0" }],
      success: [{ request_put: { key: b64(key), value: b64(value) } }],
      failure: [],
    });
    if (!res.succeeded) throw new StoreError("KeyExists", `key ${key} already exists`);
    const revision = num(res.header.revision);
    return { key, value, createRevision: revision, modRevision: revision, version: 1 };
  }

  async update(key: string, value: string, expectedModRevision?: number): Promise<KeyValue> {
    checkWrite(key, value);
    const res = await this.txn({
      compare: [existsOrAt(key, expectedModRevision)],
      success: [{ request_put: { key: b64(key), value: b64(value), prev_kv: true } }],
      failure: [{ request_range: { key: b64(key) } }],
    });
    if (!res.succeeded) throw whyFailed(key, res, expectedModRevision);
    const prev = res.responses?.[0]?.response_put?.prev_kv;
    if (!prev) throw new Error(`etcd did not return the previous value of ${key}`);
    const before = toKeyValue(prev);
    return {
      key,
      value,
      createRevision: before.createRevision,
      modRevision: num(res.header.revision),
      version: before.version + 1,
    };
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    const res = await this.txn({
      compare: [existsOrAt(key, expectedModRevision)],
      success: [{ request_delete_range: { key: b64(key), prev_kv: true } }],
      failure: [{ request_range: { key: b64(key) } }],
    });
    if (!res.succeeded) throw whyFailed(key, res, expectedModRevision);
    const prev = res.responses?.[0]?.response_delete_range?.prev_kvs?.[0];
    if (!prev) throw new StoreError("KeyNotFound", `key ${key} not found`);
    return toKeyValue(prev);
  }

  async watch(prefix: string, options: WatchOptions, onEvents: WatchHandler, onError?: WatchErrorHandler): Promise<Watcher> {
    this.checkOpen();
    const watch = await this.openWatch(prefix, options.fromRevision ?? 0, onEvents, onError);
    try {
      if (options.fromRevision && (await this.isCompacted(prefix, options.fromRevision))) {
        // etcd answers a watch from a compacted revision with "created" and
        // cancels it only a moment later. We asked directly whether that
        // revision is still readable, so watch() itself can reject, like the
        // embedded store does; the cancel tells us the compaction revision.
        const compactRevision = await watch.compactedAt;
        throw new StoreError(
          "Compacted",
          `revision ${options.fromRevision} has been compacted; the oldest revision kept is ${compactRevision}`,
          compactRevision,
        );
      }
      watch.release();
    } catch (err) {
      await watch.cancel();
      throw err;
    }
    return watch;
  }

  /** Starts a watch on the current member; a member that refuses the connection passes it to the next. */
  private async openWatch(
    prefix: string,
    fromRevision: number,
    onEvents: WatchHandler,
    onError: WatchErrorHandler | undefined,
  ): Promise<EtcdWatch> {
    for (let tried = 0; ; tried++) {
      const watch = new EtcdWatch(this.endpoint, prefix, fromRevision, onEvents, onError, () => this.watches.delete(watch));
      this.watches.add(watch);
      try {
        await watch.started;
        return watch;
      } catch (err) {
        if (!refused(err) || tried + 1 >= this.endpoints.length) throw unavailable(err, this.endpoints);
        this.current++;
      }
    }
  }

  async compact(revision: number): Promise<void> {
    await this.call("/v3/kv/compaction", { revision: String(revision), physical: true });
  }

  async close(): Promise<void> {
    this.closed = true;
    const open = [...this.watches];
    this.watches.clear();
    await Promise.all(open.map((w) => w.end(new StoreError("Closed", "the store was closed"))));
  }

  private async isCompacted(prefix: string, revision: number): Promise<boolean> {
    try {
      await this.call("/v3/kv/range", { ...prefixRange(prefix), revision: String(revision), count_only: true });
      return false;
    } catch (err) {
      if (err instanceof StoreError && err.code === "Compacted") return true;
      if (err instanceof Error && /future revision/.test(err.message)) return false;
      throw err;
    }
  }

  private txn(body: object): Promise<WireTxnResponse> {
    return this.call<WireTxnResponse>("/v3/kv/txn", body);
  }

  /** One unary call: POST JSON, get JSON back; gateway errors become Errors. */
  private async call<T>(path: string, body: object): Promise<T> {
    this.checkOpen();
    let res: Response;
    let text: string;
    for (let tried = 0; ; tried++) {
      const endpoint = this.endpoint;
      try {
        res = await fetch(new URL(path, endpoint), {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(this.requestTimeoutMs),
        });
        text = await res.text();
        break;
      } catch (err) {
        // Refused: nothing reached etcd, so the next member may take the same call.
        if (refused(err) && tried + 1 < this.endpoints.length) {
          this.current++;
          continue;
        }
        if (isTimeout(err)) {
          throw new StoreError(
            "Unavailable",
            `etcd at ${endpoint.origin} did not answer within ${this.requestTimeoutMs} ms: the store has no quorum ` +
              "(a majority of etcd members must be up); the request may or may not have been applied",
          );
        }
        throw unavailable(err, this.endpoints);
      }
    }
    let json: T & WireError;
    try {
      json = JSON.parse(text) as T & WireError;
    } catch {
      throw new Error(
        `etcd ${path} answered ${res.status} with no JSON (${text.slice(0, 80)}): is this an etcd 3.4+ client URL?`,
      );
    }
    if (!res.ok || json.error !== undefined) throw toError(json, path);
    return json;
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreError("Closed", "the store is closed: create a new EtcdStore");
  }
}

/**
 * Compare for update/delete: the key exists (create_revision > 0), or its
 * mod_revision is the expected one. An expected revision that is not an
 * integer (it came from a client's text) matches no key: -1, as etcd's
 * gateway would refuse "NaN" outright.
 */
function existsOrAt(key: string, expectedModRevision: number | undefined): object {
  if (expectedModRevision === undefined) return { key: b64(key), target: "CREATE", result: "GREATER", create_revision: "0" };
  const revision = Number.isSafeInteger(expectedModRevision) ? String(expectedModRevision) : "-1";
  return { key: b64(key), target: "MOD", result: "EQUAL", mod_revision: revision };
}

/** A failed compare: the failure branch read the key, so we can tell "missing" from "changed". */
function whyFailed(key: string, res: WireTxnResponse, expectedModRevision: number | undefined): StoreError {
  const current = res.responses?.[0]?.response_range?.kvs?.[0];
  if (!current) return new StoreError("KeyNotFound", `key ${key} not found`);
  return new StoreError(
    "Conflict",
    `key ${key} was modified at revision ${num(current.mod_revision)}, not ${expectedModRevision}: read it again and retry`,
  );
}

/**
 * gRPC codes etcd's gateway answers when it cannot serve now: 1 Canceled (the
 * member is shutting down), 4 DeadlineExceeded, 14 Unavailable.
 */
const NOT_NOW = new Set([1, 4, 14]);

/** The connection was refused: the member is down and nothing was sent. */
function refused(err: unknown): boolean {
  const cause = (err as { cause?: { code?: string } } | null)?.cause;
  return cause?.code === "ECONNREFUSED" || /ECONNREFUSED/.test((err as Error)?.message ?? "");
}

function isTimeout(err: unknown): boolean {
  const name = (err as Error | null)?.name;
  return name === "TimeoutError" || name === "AbortError";
}

/** No member could be reached (or the connection broke): the store is unavailable. */
function unavailable(err: unknown, endpoints: readonly URL[]): StoreError {
  if (err instanceof StoreError) return err;
  const where = endpoints.map((e) => e.origin).join(", ");
  const cause = (err as { cause?: { code?: string } } | null)?.cause?.code ?? (err as Error).message;
  return new StoreError("Unavailable", `cannot reach etcd at ${where} (${cause}): is etcd running?`);
}

function toError(json: WireError, path: string): Error {
  const message = json.message ?? json.error ?? "unknown error";
  if (
    NOT_NOW.has(json.code ?? 0) ||
    /etcdserver: (no leader|request timed out|leader changed)|connection is closing|transport is closing/.test(message)
  ) {
    return new StoreError(
      "Unavailable",
      `etcd: ${message}: the store cannot commit now (no quorum, or a member going away; a majority of etcd members must be up); ` +
        "the request may or may not have been applied",
    );
  }
  if (/required revision has been compacted/.test(message)) return new StoreError("Compacted", `etcd: ${message}`);
  if (/request is too large/.test(message)) {
    return new StoreError("ValueTooLarge", `etcd: ${message} (limit ${MAX_VALUE_BYTES} bytes): store less in one key`);
  }
  return new Error(`etcd ${path}: ${message}`);
}

/**
 * One streaming watch: POST /v3/watch stays open and etcd writes one JSON
 * object per line. We use node:http rather than fetch here because fetch
 * gives up on a response body that stays quiet for 5 minutes, and a watch on
 * a quiet prefix is exactly that.
 */
class EtcdWatch implements Watcher {
  /** Resolves when etcd confirmed the watch ("created"). */
  readonly started: Promise<void>;
  /** Resolves with compact_revision if etcd cancels the watch because of a compaction. */
  readonly compactedAt: Promise<number>;
  private resolveStarted!: () => void;
  private rejectStarted!: (err: Error) => void;
  private resolveCompacted!: (revision: number) => void;
  private isStarted = false;
  private done = false;
  /** While watch() is still deciding, an error is kept here instead of going to onError. */
  private holding = true;
  private heldError: Error | undefined;
  private readonly req: ClientRequest;

  constructor(
    endpoint: URL,
    prefix: string,
    fromRevision: number,
    private readonly onEvents: WatchHandler,
    private readonly onError: WatchErrorHandler | undefined,
    private readonly onEnd: () => void,
  ) {
    this.started = new Promise((resolve, reject) => {
      this.resolveStarted = resolve;
      this.rejectStarted = reject;
    });
    this.compactedAt = new Promise((resolve) => (this.resolveCompacted = resolve));

    const body = JSON.stringify({
      create_request: { ...prefixRange(prefix), start_revision: String(fromRevision), prev_kv: true },
    });
    this.req = request(new URL("/v3/watch", endpoint), {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
    });
    this.req.on("error", (err) => this.fail(new Error(`etcd watch connection failed: ${err.message}`)));
    this.req.on("response", (res) => {
      let buffered = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffered += chunk;
        let newline: number;
        while ((newline = buffered.indexOf("\n")) >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          if (line) this.handle(JSON.parse(line) as WireWatchResponse);
        }
      });
      res.on("end", () => this.fail(new Error("etcd closed the watch stream")));
      res.on("error", (err) => this.fail(err));
    });
    this.req.end(body);
  }

  /** watch() has decided: from now on errors go to onError. Throws an error that came in meanwhile. */
  release(): void {
    this.holding = false;
    if (this.heldError) throw this.heldError;
  }

  async cancel(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.onEnd();
    this.req.destroy();
  }

  /** Ends the watch because of err: onError is told once. */
  async end(err: Error): Promise<void> {
    if (this.done) return;
    await this.cancel();
    if (this.holding) this.heldError = err;
    else this.onError?.(err);
  }

  private fail(err: Error): void {
    if (!this.isStarted) {
      this.done = true;
      this.onEnd();
      this.rejectStarted(err);
    } else {
      void this.end(err);
    }
  }

  /** One message of the stream: created, canceled, or a batch of events. */
  private handle(msg: WireWatchResponse): void {
    if (this.done) return;
    if (msg.error) return this.fail(new Error(`etcd watch: ${msg.error.message ?? "error"}`));
    const result = msg.result;
    if (!result) return;
    if (result.created && !this.isStarted) {
      this.isStarted = true;
      this.resolveStarted();
    }
    if (result.canceled) {
      const compactRevision = num(result.compact_revision);
      if (compactRevision > 0) {
        this.resolveCompacted(compactRevision);
        return this.fail(
          new StoreError(
            "Compacted",
            `the watch's revision has been compacted; the oldest revision kept is ${compactRevision}`,
            compactRevision,
          ),
        );
      }
      return this.fail(new Error(`etcd canceled the watch: ${result.cancel_reason ?? "no reason given"}`));
    }
    const events = (result.events ?? []).map((e): WatchEvent => ({
      type: e.type ?? "PUT", // PUT is the enum's default value, so the JSON leaves it out
      kv: toKeyValue(e.kv),
      ...(e.prev_kv ? { prevKv: toKeyValue(e.prev_kv) } : {}),
    }));
    if (events.length === 0) return;
    try {
      this.onEvents(events);
    } catch (err) {
      void this.end(err instanceof Error ? err : new Error(String(err)));
    }
  }
}
