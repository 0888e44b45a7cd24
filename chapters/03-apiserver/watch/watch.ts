/**
 * Watch: GET .../pods?watch=1 answers 200 and keeps the response open,
 * writing one JSON event per line as objects change:
 *
 *   {"type":"ADDED","object":{"kind":"Pod",...}}
 *   {"type":"MODIFIED","object":{"kind":"Pod",...}}
 *
 * ?resourceVersion=N resumes: the client sees exactly the changes after N
 * (the list it made before had resourceVersion N). Without it (or with "0")
 * the watch first sends every existing object as ADDED. When N is older than
 * the store's history (compacted), the stream carries a single ERROR event
 * with a 410 Expired Status: the client must list again.
 *
 * A watcher that does not read (a stuck client, a slow network) must not make
 * the server hold its events without end: with a thousand such watchers one
 * busy minute would fill the process's memory. So each watch has a budget of
 * unsent bytes (WatchOptions.maxBufferedBytes); past it, the server closes
 * that watch, as the real apiserver's watch cache closes a watcher that falls
 * behind. The client resumes from the last resourceVersion it saw, or lists
 * again after a 410: chapter 04's informer does both. And an event goes to
 * many watchers as the SAME string (decoded once, encoded once per encoding),
 * not as a thousand copies: with 1,000 watchers of 50 KB pods, decoding per
 * watch doubled the time the test in test/03-watch-overload.test.ts takes.
 */
import type { Response } from "express";
import { badRequest, expired, type WatchEvent } from "../../../shared/api/index.ts";
import {
  isStoreError,
  type KeyValue,
  type Watcher,
  type WatchEvent as StoreEvent,
  type WatchHandler,
} from "../../../shared/store/types.ts";
import type { ObjectPredicate } from "../filters/filters.ts";
import type { ApiObject, ResourceDefinition } from "../registry/types.ts";
import { resourcePrefix } from "../storage/keys.ts";
import type { ObjectStorage } from "../storage/object-storage.ts";
import { toWatchEvent } from "./events.ts";
import { todo } from "../../../shared/todo.ts";

export interface WatchRequest {
  resource: ResourceDefinition;
  namespace: string | undefined;
  /** Watch one object (the legacy /watch/.../name path). */
  name?: string;
  resourceVersion: string | undefined;
  predicate: ObjectPredicate | undefined;
  allowBookmarks: boolean;
  timeoutSeconds: number | undefined;
  /** Turns each event's object into what the client asked for (the object itself, or a Table). */
  encode: (obj: ApiObject, type: WatchEvent["type"]) => unknown;
  /**
   * Watches with the same key get the same bytes for the same event ("object"
   * for the object itself), so the line is encoded once for all of them.
   * Undefined: encode for this watch alone.
   */
  encodingKey?: string;
}

export interface WatchOptions {
  /** How often to send BOOKMARK events to clients that allow them. */
  bookmarkIntervalMs: number;
  /** Unsent bytes one watch may have waiting before the server closes it (default 1 MiB). */
  maxBufferedBytes?: number;
}

export const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;

/** The open watches of a server, so close() can end them. */
export class WatchRegistry {
  private readonly open = new Set<() => void>();
  /**
   * Encoded lines per store event, shared by every watch that sends it; gone
   * with the event. They are bytes, not strings: a string written to a socket
   * is turned into UTF-8 on each write, a thousand times for a thousand watches.
   */
  private readonly lines = new WeakMap<StoreEvent, Map<string, Buffer>>();
  /** Decoded objects per store event (its kv and its prevKv), shared the same way. */
  private readonly objects = new WeakMap<StoreEvent, Map<string, Promise<ApiObject>>>();
  /** How many watches were closed because their client did not read fast enough. */
  closedSlow = 0;

  /** The line of `event` for encoding `key`, made by `encode` the first time. */
  line(event: StoreEvent, key: string, encode: () => string): Buffer {
    let byKey = this.lines.get(event);
    if (!byKey) this.lines.set(event, (byKey = new Map()));
    let line = byKey.get(key);
    if (line === undefined) byKey.set(key, (line = Buffer.from(encode())));
    return line;
  }

  /**
   * The object of `kv` (the event's kv or prevKv) for resource `key`, decoded
   * once for every watch of that resource. Watches share it, so nothing may
   * change it except as every watch would for this same event.
   */
  decoded(event: StoreEvent, kv: KeyValue, key: string, decode: () => Promise<ApiObject>): Promise<ApiObject> {
    let byKey = this.objects.get(event);
    if (!byKey) this.objects.set(event, (byKey = new Map()));
    const slot = `${key}|${kv === event.kv ? "kv" : "prevKv"}`;
    let object = byKey.get(slot);
    if (object === undefined) byKey.set(slot, (object = decode()));
    return object;
  }

  add(stop: () => void): () => void {
    this.open.add(stop);
    return () => this.open.delete(stop);
  }

  closeAll(): void {
    for (const stop of [...this.open]) stop();
    this.open.clear();
  }

  get size(): number {
    return this.open.size;
  }
}

/** Parses ?resourceVersion= for a watch: a non-negative integer, or unset. */
export function parseWatchVersion(value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  if (!/^\d+$/.test(value))
    throw badRequest(`invalid resourceVersion "${value}": a resourceVersion is a non-negative integer from a previous response`);
  return Number(value);
}

export async function serveWatch(
  storage: ObjectStorage,
  watches: WatchRegistry,
  options: WatchOptions,
  request: WatchRequest,
  res: Response,
): Promise<void> {
  const { resource, namespace, name } = request;
  const requested = parseWatchVersion(request.resourceVersion);
  const matchesName = (obj: ApiObject) => name === undefined || obj.metadata?.name === name;
  const predicate: ObjectPredicate = (obj) => matchesName(obj) && (request.predicate?.(obj) ?? true);
  // Decoding (JSON, and decryption for Secrets) is done once per event for all the watches of this resource.
  const resourceKey = `${resource.group}/${resource.plural}`;
  const decodeFor = (event: StoreEvent) => (kv: KeyValue) =>
    watches.decoded(event, kv, resourceKey, () => storage.decode(resource, kv));

  let ended = false;
  let watcher: Watcher | undefined;
  let lastRevision = 0;
  const timers: NodeJS.Timeout[] = [];
  const maxBuffered = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  const write = (line: string | Buffer) => {
    if (ended) return;
    // res.writableLength: bytes accepted but not yet taken by the socket (the client is not reading).
    if (res.writableLength > maxBuffered) {
      watches.closedSlow++;
      stop();
      // Drop the connection, not just the response: what it still buffers is freed
      // now, and the client sees its stream cut and resumes from its last version.
      res.destroy();
      return;
    }
    res.write(line);
  };
  const send = (event: WatchEvent<unknown>) => write(JSON.stringify(event) + "\n");
  const stop = () => {
    if (ended) return;
    ended = true;
    unregister();
    for (const t of timers) clearTimeout(t);
    void watcher?.cancel().catch(() => {});
    res.end();
  };
  const unregister = watches.add(stop);
  res.on("close", stop);

  res
    .status(200)
    .set({ "Content-Type": "application/json", "Cache-Control": "no-cache, private", "Transfer-Encoding": "chunked" });
  res.flushHeaders();

  const fromRevision = await startRevision(storage, request, requested, predicate, send);
  lastRevision = fromRevision - 1;

  // Events are decoded asynchronously (storage transformers); a queue keeps them in order.
  let queue = Promise.resolve();
  const onEvents = (events: Parameters<typeof toWatchEvent>[0][]) => {
    queue = queue
      .then(async () => {
        for (const event of events) {
          if (ended) return;
          const out = await toWatchEvent(event, decodeFor(event), predicate);
          lastRevision = Math.max(lastRevision, event.kv.modRevision);
          if (!out) continue;
          const encode = () =>
            JSON.stringify({ type: out.type, object: request.encode(out.object as ApiObject, out.type) }) + "\n";
          write(request.encodingKey === undefined ? encode() : watches.line(event, `${out.type}|${request.encodingKey}`, encode));
        }
      })
      .catch(() => stop());
  };

  try {
    watcher = await openStoreWatch(storage, resource, namespace, fromRevision, onEvents, stop);
  } catch (err) {
    if (isStoreError(err, "Compacted")) {
      send({ type: "ERROR", object: expired(requested ?? fromRevision - 1, err.compactRevision ?? "unknown").status });
      stop();
      return;
    }
    stop();
    throw err;
  }
  if (ended) {
    void watcher?.cancel().catch(() => {});
    return;
  }

  if (request.allowBookmarks) {
    const bookmark = () => {
      if (ended) return;
      queue = queue.then(() => {
        send({
          type: "BOOKMARK",
          object: {
            kind: resource.kind,
            apiVersion: resource.group ? `${resource.group}/${resource.version}` : resource.version,
            metadata: { resourceVersion: String(lastRevision) },
          },
        });
      });
      timers.push(setTimeout(bookmark, options.bookmarkIntervalMs));
    };
    timers.push(setTimeout(bookmark, options.bookmarkIntervalMs));
  }
  if (request.timeoutSeconds !== undefined) timers.push(setTimeout(stop, request.timeoutSeconds * 1000));
}

// TODO(03.7): where the stream starts (return the first store revision to
// deliver). With resourceVersion N the client has seen everything up to N. With
// none (or "0") it has seen nothing: it first gets what exists now as ADDED
// events. Either way it then gets every later change exactly once, with no gap.
// Tests: "03.7 watch > resuming from a resourceVersion sees exactly the later events",
// "03.7 watch > without a resourceVersion, starts with the existing objects as ADDED".
async function startRevision(
  storage: ObjectStorage,
  request: WatchRequest,
  requested: number | undefined,
  predicate: ObjectPredicate,
  send: (event: WatchEvent<unknown>) => void,
): Promise<number> {
  todo("03.7");
}

// The store watch behind the stream: this resource in this namespace (or all
// namespaces), from `fromRevision`. If the store ends it, the stream ends too.
async function openStoreWatch(
  storage: ObjectStorage,
  resource: ResourceDefinition,
  namespace: string | undefined,
  fromRevision: number,
  onEvents: WatchHandler,
  onError: () => void,
): Promise<Watcher> {
  todo("03.7");
}
