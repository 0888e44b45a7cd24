/**
 * Watching a resource: one long HTTP response that never ends, carrying one
 * JSON event per line:
 *
 *   GET /api/v1/namespaces/default/pods?watch=1&resourceVersion=41
 *
 *   {"type":"ADDED","object":{"kind":"Pod","metadata":{"name":"web","resourceVersion":"42"},...}}
 *   {"type":"MODIFIED","object":{...,"resourceVersion":"45"}}
 *   {"type":"DELETED","object":{...,"resourceVersion":"46"}}
 *
 * Each event's object carries a resourceVersion. Remembering the last one
 * lets a watch RESUME after the connection drops: ask again with
 * resourceVersion=<last seen> and the server replays exactly what was missed,
 * nothing lost, nothing twice. The server only keeps so much history; when
 * the version we ask for is older than that, it answers 410 Expired (as an
 * HTTP status or as an ERROR event carrying a Status with code 410). Then
 * resuming is impossible: the caller must list again (see informer.ts).
 */
import { ApiError, isApiError, type ResourceClient } from "./rest.ts";
import type { KubeObject, Status, WatchEvent } from "../../../shared/api/meta.ts";

/**
 * Splits a byte stream into lines. Chunks arrive cut anywhere: in the middle
 * of a line, or even in the middle of a multi-byte UTF-8 character.
 */
export async function* readLines(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  // STEP(04.2): the lines of a stream, whatever the chunk boundaries: a chunk
  // may end in the middle of a line, or in the middle of a UTF-8 character.
  // Empty lines are not events.
  // Tests: "04.2 watch stream parsing > splits chunks into lines, whatever the cuts (even inside a UTF-8 character)".
  //#solution
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of body) {
    // Search only the new text: what was buffered before has no newline.
    let from = buffered.length;
    buffered += decoder.decode(chunk, { stream: true });
    let start = 0;
    let newline: number;
    while ((newline = buffered.indexOf("\n", from)) >= 0) {
      const line = buffered.slice(start, newline).trim();
      start = from = newline + 1;
      if (line !== "") yield line;
    }
    buffered = buffered.slice(start);
  }
  buffered += decoder.decode();
  if (buffered.trim() !== "") yield buffered.trim();
  //#end
}

/** Parses one line of a watch stream; a line that is not an event is an error. */
export function parseWatchEvent<T>(line: string): WatchEvent<T> {
  // STEP(04.2): one line as a watch event ({"type": ..., "object": {...}}).
  // Anything else is a broken server: an Error that quotes the line.
  // Tests: "04.2 watch stream parsing > parses events and rejects lines that are not events".
  //#solution
  let event: unknown;
  try {
    event = JSON.parse(line);
  } catch {
    throw new Error(`watch: not a JSON event: ${line.slice(0, 120)}`);
  }
  const e = event as { type?: unknown; object?: unknown };
  if (typeof e !== "object" || e === null || typeof e.type !== "string" || typeof e.object !== "object" || e.object === null) {
    throw new Error(`watch: not a watch event (want {"type":...,"object":{...}}): ${line.slice(0, 120)}`);
  }
  return event as WatchEvent<T>;
  //#end
}

/** A watch event about an object (not ERROR, not BOOKMARK). */
export interface ObjectEvent<T> {
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: T;
}

export interface WatchOptions<T> {
  namespace?: string;
  /** Start after this version (usually the resourceVersion of a list). */
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Request header Accept (kubectl get -w asks for Tables). */
  accept?: string;
  /** Called for ADDED, MODIFIED and DELETED, in order; the next event waits for it. */
  onEvent(event: ObjectEvent<T>): void | Promise<void>;
  /** The server no longer has our resourceVersion (410 Expired): the watch has stopped, list again. */
  onGone?(err: ApiError): void;
  /** A connection problem; the watch retries by itself. */
  onError?(err: Error): void;
  /** First delay before reconnecting (doubles up to 5 s). Default 100 ms. */
  retryDelayMs?: number;
}

/** The 410 of a watch that asked for a resourceVersion the server forgot. */
export function isGone(err: unknown): err is ApiError {
  return isApiError(err) && err.code === 410;
}

/**
 * A watch that keeps itself alive: it reconnects when the connection drops
 * and resumes from the last resourceVersion it saw. It ends only when
 * stopped, or on 410 Expired (onGone), or on another error answer from the
 * server (onError, then stops: a 403 or 404 will not heal by retrying).
 */
export class Watch<T extends KubeObject> {
  /** The resourceVersion of the last event handled: where a reconnect resumes. */
  resourceVersion: string | undefined;
  /** How many times the watch connected (1 + reconnects); tests and logs read it. */
  connections = 0;
  /** Why the watch ended: stopped by its owner, 410 Expired, or an error answer. */
  endReason: "stopped" | "gone" | "error" | undefined;
  /** Resolves when the watch has ended (stopped, gone or failed). */
  readonly done: Promise<void>;
  private readonly abort = new AbortController();

  constructor(
    readonly resource: ResourceClient<T>,
    readonly options: WatchOptions<T>,
  ) {
    this.resourceVersion = options.resourceVersion;
    this.done = this.loop();
  }

  /** Stops the watch; no handler runs after this resolves. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.done;
  }

  get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async loop(): Promise<void> {
    const initialDelay = this.options.retryDelayMs ?? 100;
    let delay = initialDelay;
    this.endReason = "stopped";
    while (!this.stopped) {
      try {
        const sawEvents = await this.connectOnce();
        if (sawEvents) delay = initialDelay;
      } catch (err) {
        if (this.stopped) return;
        if (isGone(err)) {
          this.endReason = "gone";
          this.options.onGone?.(err);
          return;
        }
        if (isApiError(err)) {
          this.endReason = "error";
          this.options.onError?.(err);
          return;
        }
        this.options.onError?.(err instanceof Error ? err : new Error(String(err)));
      }
      if (this.stopped) return;
      await sleep(delay, this.abort.signal);
      delay = Math.min(delay * 2, 5_000);
    }
  }

  /**
   * One connection: open the stream from this.resourceVersion and handle its
   * events until it ends. Returns whether any event arrived; throws ApiError
   * (410 Expired included) or a connection error.
   */
  private async connectOnce(): Promise<boolean> {
    // STEP(04.3): one connection of the watch, from the last resourceVersion seen.
    // Every event reaches onEvent once, in order, also across reconnects: the
    // version to resume from moves on only after the handler has run. BOOKMARKs
    // move it on without an event. An ERROR event ends the connection with its
    // Status as an ApiError (loop() treats a 410 as "list again"). Nothing is
    // handled after stop().
    // Tests: "04.3 watch > streams events and resumes after a dropped connection without losing or repeating any",
    // "04.3 watch > reports 410 Expired when asked to resume from a compacted resourceVersion".
    //#solution
    const { namespace, labelSelector, fieldSelector, accept } = this.options;
    const res = await this.resource.rest.send("GET", this.resource.path(namespace), {
      query: {
        watch: true,
        allowWatchBookmarks: true,
        resourceVersion: this.resourceVersion,
        labelSelector,
        fieldSelector,
      },
      accept,
      signal: this.abort.signal,
    });
    this.connections++;
    let sawEvents = false;
    for await (const line of readLines(res.body)) {
      if (this.stopped) break;
      const event = parseWatchEvent<T>(line);
      if (event.type === "ERROR") throw new ApiError(event.object as Status);
      const version = (event.object as KubeObject).metadata?.resourceVersion;
      if (event.type !== "BOOKMARK") {
        await this.options.onEvent(event as ObjectEvent<T>);
        sawEvents = true;
      }
      if (version) this.resourceVersion = version;
    }
    return sawEvents;
    //#end
  }
}

/** Starts a watch; see Watch. */
export function watch<T extends KubeObject>(resource: ResourceClient<T>, options: WatchOptions<T>): Watch<T> {
  return new Watch(resource, options);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
