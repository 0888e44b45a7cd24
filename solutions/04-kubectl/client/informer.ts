/**
 * An Informer keeps a local copy of one resource type in memory and tells
 * handlers what changed. It is how every controller in Kubernetes reads the
 * cluster: one list, then one watch that streams changes, instead of asking
 * the apiserver again and again ("polling"). Controllers read the cache,
 * which is free, and react to the add/update/delete calls.
 *
 *        list (resourceVersion=R)           watch from R
 *   apiserver ----------------------> cache <------------- apiserver
 *                                       |  ADDED / MODIFIED / DELETED
 *                                       v
 *                         onAdd(obj) onUpdate(old, new) onDelete(obj)
 *
 * The watch resumes by itself after a dropped connection (watch.ts). When the
 * server answers 410 Expired, the history we needed is gone: the informer lists
 * again and reconciles its cache with the fresh list, calling the handlers
 * for what changed while it was not looking (including deletions it missed).
 */
import type { ResourceClient } from "./rest.ts";
import type { KubeObject } from "../../../shared/api/meta.ts";
import { Watch, type ObjectEvent } from "./watch.ts";

export type AddHandler<T> = (object: T) => void;
export type UpdateHandler<T> = (oldObject: T, newObject: T) => void;
export type DeleteHandler<T> = (object: T) => void;

export interface InformerOptions {
  /** Only this namespace; default all namespaces. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Called when listing fails or a handler throws; the informer keeps going. */
  onError?(err: Error): void;
  /** First delay before retrying a failed list (doubles up to 5 s). Default 200 ms. */
  retryDelayMs?: number;
}

/** The cache key of an object: "namespace/name", or "name" when cluster-scoped. */
export function keyOf(object: KubeObject): string {
  const { namespace, name } = object.metadata ?? {};
  return namespace ? `${namespace}/${name}` : `${name}`;
}

export class Informer<T extends KubeObject> {
  private readonly cache = new Map<string, T>();
  private readonly addHandlers: AddHandler<T>[] = [];
  private readonly updateHandlers: UpdateHandler<T>[] = [];
  private readonly deleteHandlers: DeleteHandler<T>[] = [];
  private syncWaiters: Array<() => void> = [];
  private watch: Watch<T> | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;

  /** True once the first list is in the cache. */
  hasSynced = false;
  /** How many times the informer listed (1 + relists after 410 Expired or failures). */
  lists = 0;

  constructor(
    readonly resource: ResourceClient<T>,
    readonly options: InformerOptions = {},
  ) {}

  onAdd(handler: AddHandler<T>): this {
    this.addHandlers.push(handler);
    return this;
  }
  onUpdate(handler: UpdateHandler<T>): this {
    this.updateHandlers.push(handler);
    return this;
  }
  onDelete(handler: DeleteHandler<T>): this {
    this.deleteHandlers.push(handler);
    return this;
  }

  /** Starts listing and watching in the background; see waitForSync(). */
  start(): this {
    this.running ??= this.run();
    return this;
  }

  /** Resolves once the cache holds the first list; rejects after timeoutMs. */
  waitForSync(timeoutMs = 30_000): Promise<void> {
    if (this.hasSynced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(`informer for ${this.resource.type.resource} did not sync within ${timeoutMs} ms (is the apiserver up?)`),
        );
      }, timeoutMs);
      this.syncWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.watch?.stop();
    await this.running;
  }

  /** The cached object, or undefined. For cluster-scoped resources leave namespace undefined. */
  get(name: string, namespace?: string): T | undefined {
    return this.cache.get(namespace ? `${namespace}/${name}` : name);
  }

  /** Every cached object, sorted by key. */
  list(): T[] {
    return [...this.cache.keys()].sort().map((key) => this.cache.get(key)!);
  }

  /** List, then watch; on 410 Expired (or a failed list) start over. */
  private async run(): Promise<void> {
    const initialDelay = this.options.retryDelayMs ?? 200;
    let delay = initialDelay;
    while (!this.stopping) {
      const { namespace, labelSelector, fieldSelector } = this.options;
      try {
        // STEP(04.4): list, then watch from the list's resourceVersion: no change
        // between the two is lost. The cache holds the list before the informer
        // says it is synced. When the watch ends (410 Expired, an error), this loop
        // lists again.
        // Tests: "04.5 informer > keeps a cache equal to the server's list and calls add, update and delete handlers"
        // (it needs replace(), 04.5, for the list).
        //#solution
        const list = await this.resource.list(namespace, { labelSelector, fieldSelector });
        this.lists++;
        this.replace(list.items);
        this.markSynced();
        this.watch = new Watch(this.resource, {
          namespace,
          labelSelector,
          fieldSelector,
          resourceVersion: list.metadata?.resourceVersion,
          onEvent: (event) => this.handleEvent(event),
          onGone: () => {}, // the loop relists
          onError: (err) => this.report(err),
        });
        //#end
        if (this.stopping) await this.watch?.stop();
        await this.watch?.done;
        if (this.watch?.endReason === "gone") {
          delay = initialDelay;
          continue; // 410 Expired: list again at once
        }
      } catch (err) {
        this.report(err);
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, delay);
      });
      delay = Math.min(delay * 2, 5_000);
    }
  }

  /** Applies one watch event to the cache and calls the handlers. */
  private handleEvent(event: ObjectEvent<T>): void {
    // STEP(04.4): apply one event to the cache, then tell the handlers: add for a
    // new key, update (old, new) for a known one, delete with the cached object
    // (the last state this informer knew; the event's object only when the key
    // was not cached). A throwing handler must not stop the informer (this.call()).
    // Tests: "04.4 informer events > ...".
    //#solution
    const object = event.object;
    const key = keyOf(object);
    const old = this.cache.get(key);
    if (event.type === "ADDED" || event.type === "MODIFIED") {
      this.cache.set(key, object);
      if (old) this.call(this.updateHandlers, old, object);
      else this.call(this.addHandlers, object);
    } else if (event.type === "DELETED") {
      this.cache.delete(key);
      this.call(this.deleteHandlers, old ?? object);
    }
    //#end
  }

  /**
   * Makes the cache equal to a fresh list, calling handlers for the
   * differences: new keys are adds, changed resourceVersions are updates,
   * keys missing from the list were deleted while we were not watching.
   */
  private replace(items: T[]): void {
    // STEP(04.5): after a relist, make the cache equal to `items` and call the
    // handlers for exactly what the informer missed. An object whose
    // resourceVersion did not change calls no handler.
    // Tests: "04.5 informer > relists after 410 Expired and converges to the truth, reporting what it missed".
    //#solution
    const fresh = new Map(items.map((item) => [keyOf(item), item]));
    for (const [key, old] of this.cache) {
      if (!fresh.has(key)) {
        this.cache.delete(key);
        this.call(this.deleteHandlers, old);
      }
    }
    for (const [key, item] of fresh) {
      const old = this.cache.get(key);
      this.cache.set(key, item);
      if (!old) this.call(this.addHandlers, item);
      else if (old.metadata?.resourceVersion !== item.metadata?.resourceVersion) this.call(this.updateHandlers, old, item);
    }
    //#end
  }

  private markSynced(): void {
    if (this.hasSynced) return;
    this.hasSynced = true;
    for (const resolve of this.syncWaiters) resolve();
    this.syncWaiters = [];
  }

  /** Calls every handler; a handler that throws is reported, the others still run. */
  private call<A extends unknown[]>(handlers: Array<(...args: A) => void>, ...args: A): void {
    for (const handler of handlers) {
      try {
        handler(...args);
      } catch (err) {
        this.report(err);
      }
    }
  }

  private report(err: unknown): void {
    if (this.stopping) return;
    this.options.onError?.(err instanceof Error ? err : new Error(String(err)));
  }
}
