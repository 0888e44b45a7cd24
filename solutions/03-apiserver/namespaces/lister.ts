/**
 * The namespaces the apiserver knows to be active, kept in memory.
 *
 * Every create of a namespaced object checks its namespace (namespace-check.ts).
 * Reading it from the store each time costs a JSON.parse, and the read waits
 * until the last write is on disk: with many writers, one more round of group
 * commit per create. Kubernetes' NamespaceLifecycle admission plugin reads a
 * lister instead: an informer's cache of the namespaces, fed by a watch.
 *
 * This is that cache, reduced to what the check needs: the store keys of the
 * namespaces that exist and are not being deleted. It answers only "known
 * active"; anything else (a namespace created a moment ago whose event has not
 * arrived, one being deleted, one that does not exist) goes to the store, as
 * NamespaceLifecycle does a live lookup when its lister misses. So a stale
 * cache can only be stale in one way: a namespace that just started
 * terminating still looks active. The watch handler removes a key as soon as
 * any event for it arrives, before it decodes the event, so that window is as
 * short as the watch's delivery (Kubernetes has the same window). With the
 * embedded store that is shorter than the write's own answer: the store calls
 * watch handlers before the writer hears back.
 */
import type { Namespace } from "../../../shared/api/index.ts";
import type { Watcher } from "../../../shared/store/types.ts";
import type { RestContext } from "../rest/context.ts";
import { objectKey, resourcePrefix } from "../storage/keys.ts";

export class NamespaceLister {
  /** Store keys of the namespaces known to be active (the key, as the watch events name it). */
  private readonly active = new Set<string>();
  /** The newest event seen per key: an older event decoded late must not undo it. */
  private readonly newest = new Map<string, number>();
  private watcher: Watcher | undefined;
  /** False until the list is loaded, and again once the watch ends: then every check reads the store. */
  private synced = false;

  constructor(private readonly ctx: Omit<RestContext, "namespaces">) {}

  /** True only when the namespace is known to exist and not to be terminating. */
  isActive(name: string): boolean {
    const namespaces = this.ctx.registry.lookup("", "v1", "namespaces");
    return this.synced && !!namespaces && this.active.has(objectKey(namespaces, undefined, name));
  }

  /** List, then watch from the list's revision (an informer's list-then-watch). */
  async start(): Promise<void> {
    const namespaces = this.ctx.registry.lookup("", "v1", "namespaces");
    if (!namespaces) return;
    const { items, revision } = await this.ctx.storage.list(namespaces);
    for (const ns of items) this.remember(objectKey(namespaces, undefined, ns.metadata?.name ?? ""), ns as Namespace);
    this.watcher = await this.ctx.storage.store.watch(
      resourcePrefix(namespaces),
      { fromRevision: revision + 1 },
      (events) => {
        for (const e of events) {
          // Forget first, synchronously: until the event is decoded, the store decides.
          const key = e.kv.key;
          this.active.delete(key);
          if (e.type !== "PUT") {
            this.newest.delete(key);
            continue;
          }
          this.newest.set(key, e.kv.modRevision);
          void this.ctx.storage.decode(namespaces, e.kv).then(
            (ns) => {
              if (this.newest.get(key) !== e.kv.modRevision) return;
              this.newest.delete(key);
              this.remember(key, ns as Namespace);
            },
            () => {},
          );
        }
      },
      // The watch ended (the store closed, a connection lost): stop answering from memory.
      () => (this.synced = false),
    );
    this.synced = true;
  }

  async stop(): Promise<void> {
    this.synced = false;
    await this.watcher?.cancel();
  }

  private remember(key: string, ns: Namespace): void {
    if (ns.metadata?.deletionTimestamp || ns.status?.phase === "Terminating") this.active.delete(key);
    else this.active.add(key);
  }
}
