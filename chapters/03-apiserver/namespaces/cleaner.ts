/**
 * The namespace cleaner: empties a Terminating namespace, then removes it.
 *
 * In Kubernetes this is the namespace controller in the controller manager;
 * here it runs inside the apiserver so that deleting a namespace works from
 * chapter 03 on. It follows the namespaces in the store (list, then watch),
 * so a namespace left Terminating by a crash is finished after a restart.
 * Objects with a grace period (pods on a node) go away when their kubelet
 * has stopped them; the cleaner waits for that.
 */
import { ADMIN } from "../chain/internal.ts";
import { isApiError, type Namespace } from "../../../shared/api/index.ts";
import type { Watcher } from "../../../shared/store/types.ts";
import { resourcePrefix } from "../storage/keys.ts";
import type { RestContext } from "../rest/context.ts";
import { deleteObject } from "../rest/delete.ts";

export class NamespaceCleaner {
  private watcher: Watcher | undefined;
  private readonly running = new Set<string>();
  private stopped = false;
  private readonly sleepers = new Set<() => void>();

  constructor(private readonly ctx: RestContext) {}

  async start(): Promise<void> {
    const namespaces = this.namespaces();
    const { items, revision } = await this.ctx.storage.list(namespaces);
    for (const ns of items) this.check(ns as Namespace);
    this.watcher = await this.ctx.storage.store.watch(resourcePrefix(namespaces), { fromRevision: revision + 1 }, (events) => {
      for (const e of events) {
        if (e.type !== "PUT") continue;
        void this.ctx.storage.decode(namespaces, e.kv).then(
          (ns) => this.check(ns as Namespace),
          () => {},
        );
      }
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const wake of this.sleepers) wake();
    await this.watcher?.cancel();
  }

  private namespaces() {
    const def = this.ctx.registry.lookup("", "v1", "namespaces");
    if (!def) throw new Error("the namespaces resource is not registered");
    return def;
  }

  private check(ns: Namespace): void {
    const name = ns.metadata?.name;
    if (!name || !ns.metadata?.deletionTimestamp || this.running.has(name) || this.stopped) return;
    this.running.add(name);
    void this.clean(name).finally(() => this.running.delete(name));
  }

  private async clean(name: string): Promise<void> {
    const scope = { user: ADMIN, fieldValidation: "Ignore" as const, dryRun: false };
    for (let delay = 50; !this.stopped; delay = Math.min(delay * 2, 1000)) {
      try {
        let remaining = 0;
        // Resources read from elsewhere (metrics) have nothing stored here; their paths may match a stored kind's.
        for (const resource of this.ctx.registry.all().filter((r) => r.scope === "Namespaced" && !r.read)) {
          const { items } = await this.ctx.storage.list(resource, name);
          remaining += items.length;
          for (const item of items) {
            await deleteObject(this.ctx, resource, name, item.metadata?.name ?? "", {}, scope).catch((err: unknown) => {
              if (!isApiError(err, "NotFound") && !isApiError(err, "Conflict")) throw err;
            });
          }
        }
        if (remaining === 0) {
          const namespaces = this.namespaces();
          const ns = await this.ctx.storage.get(namespaces, undefined, name);
          await this.ctx.storage.delete(namespaces, ns, ns.metadata?.resourceVersion);
          return;
        }
      } catch (err) {
        if (isApiError(err, "NotFound")) return;
        if (this.stopped) return;
        // A conflict or a passing error: try again after the delay.
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.sleepers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, delay);
        this.sleepers.add(wake);
      });
    }
  }
}
