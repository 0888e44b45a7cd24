/**
 * The resource quota controller keeps each quota's status true:
 *
 *   status.hard = spec.hard            (admission trusts a quota only once this is written)
 *   status.used = what the namespace's objects cost now (admission/usage.ts)
 *
 * Admission raises status.used when it lets a create through. This
 * controller recounts from the objects themselves when a quota is new or
 * its limits changed, when an object that counts is deleted or a pod
 * finishes (its share comes back: "replenishment"), and every resyncMs.
 * It does not recount on every new pod: admission has counted it already,
 * and the cache may not have the pod yet.
 */
import { deepEqual, type KubeObject, type Pod } from "../../../shared/api/index.ts";
import type { ResourceQuota } from "../../../shared/api/tenancy.ts";
import type { Informer } from "../../04-kubectl/client/informer.ts";
import { PODS } from "../../04-kubectl/client/resources.ts";
import type { Controller, ControllerContext } from "../../08-replication/controller-manager/controller-manager.ts";
import { runWorkers, WorkQueue } from "../../08-replication/controller-manager/work-queue.ts";
import { sumUsage, toResourceList, usageOf } from "../admission/usage.ts";
import { CONFIG_MAPS, RESOURCE_QUOTAS, SECRETS, SERVICES } from "../client/resources.ts";

export interface ResourceQuotaControllerOptions {
  /** A full recount of every quota this often. Default 30 s (Kubernetes: 5 minutes). */
  resyncMs?: number;
}

const finished = (p: Pod) => p.status?.phase === "Succeeded" || p.status?.phase === "Failed";

export class ResourceQuotaController implements Controller {
  readonly name = "resourcequota";
  private readonly queue = new WorkQueue();
  private readonly quotas: Informer<ResourceQuota>;
  private readonly counted: Map<string, Informer<KubeObject>>;
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly options: ResourceQuotaControllerOptions = {},
  ) {
    this.quotas = ctx.informers.forResource<ResourceQuota>(RESOURCE_QUOTAS);
    this.counted = new Map(
      [PODS, SERVICES, SECRETS, CONFIG_MAPS].map((t) => [t.resource, ctx.informers.forResource<KubeObject>(t)]),
    );
    const key = (q: ResourceQuota) => `${q.metadata?.namespace ?? ""}/${q.metadata?.name ?? ""}`;
    this.quotas.onAdd((q) => this.queue.add(key(q)));
    this.quotas.onUpdate((_old, q) => {
      if (!deepEqual(q.spec?.hard ?? {}, q.status?.hard ?? {})) this.queue.add(key(q));
    });
    const replenish = (obj: KubeObject) => this.namespaceChanged(obj.metadata?.namespace ?? "");
    for (const informer of this.counted.values()) informer.onDelete(replenish);
    this.counted.get("pods")!.onUpdate((old, pod) => {
      if (!finished(old as Pod) && finished(pod as Pod)) replenish(pod);
    });
  }

  private namespaceChanged(namespace: string): void {
    for (const q of this.quotas.list())
      if (q.metadata?.namespace === namespace) this.queue.add(`${namespace}/${q.metadata?.name ?? ""}`);
  }

  run(): void {
    this.running ??= runWorkers(
      this.queue,
      1,
      (key) => this.sync(key),
      (key, err) => this.ctx.log(`resourcequota ${key}: ${err.message}`),
    );
    const resync = () => {
      for (const q of this.quotas.list()) this.queue.add(`${q.metadata?.namespace ?? ""}/${q.metadata?.name ?? ""}`);
      this.timer = setTimeout(resync, this.options.resyncMs ?? 30_000);
    };
    this.timer = setTimeout(resync, this.options.resyncMs ?? 30_000);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.queue.shutDown();
    await this.running;
  }

  async sync(key: string): Promise<void> {
    const [namespace = "", name = ""] = key.split("/");
    const quota = this.quotas.get(name, namespace);
    if (!quota) return;
    const hard = quota.spec?.hard ?? {};
    const usages = [...this.counted].flatMap(([plural, informer]) =>
      informer
        .list()
        .filter((o) => o.metadata?.namespace === namespace)
        .map((o) => usageOf(plural, o)),
    );
    const status = { hard, used: toResourceList(sumUsage(usages, hard)) };
    if (deepEqual(quota.status ?? {}, status)) return;
    await this.ctx.client.resource<ResourceQuota>(RESOURCE_QUOTAS).updateStatus({ ...quota, status });
  }
}

export function newResourceQuotaController(options: ResourceQuotaControllerOptions = {}) {
  return (ctx: ControllerContext) => new ResourceQuotaController(ctx, options);
}
