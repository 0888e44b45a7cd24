/**
 * Two small controllers of Kubernetes in one loop, per namespace:
 *
 *   serviceaccount controller   every namespace has a ServiceAccount "default"
 *   root-ca-cert-publisher      every namespace has a ConfigMap "kube-root-ca.crt"
 *                               with the certificate a pod needs to trust the apiserver
 *
 * Both are re-created when someone deletes them. A namespace that is being
 * deleted is left alone (the apiserver would refuse anyway).
 */
import { isApiError, type Namespace } from "../../../shared/api/index.ts";
import type { ConfigMap } from "../../../shared/api/config.ts";
import type { ServiceAccount } from "../../../shared/api/tenancy.ts";
import type { Informer } from "../../04-kubectl/client/informer.ts";
import { NAMESPACES } from "../../04-kubectl/client/resources.ts";
import type { Controller, ControllerContext } from "../../08-replication/controller-manager/controller-manager.ts";
import { runWorkers, WorkQueue } from "../../08-replication/controller-manager/work-queue.ts";
import { ROOT_CA_CONFIGMAP } from "../admission/service-account.ts";
import { CONFIG_MAPS, SERVICE_ACCOUNTS } from "../client/resources.ts";

export const DEFAULT_SERVICE_ACCOUNT = "default";

export class ServiceAccountsController implements Controller {
  readonly name = "serviceaccount";
  private readonly queue = new WorkQueue();
  private readonly namespaces: Informer<Namespace>;
  private readonly accounts: Informer<ServiceAccount>;
  private readonly configMaps: Informer<ConfigMap>;
  private running: Promise<void> | undefined;

  constructor(
    private readonly ctx: ControllerContext,
    /** The PEM certificate of the apiserver's secure port; no ConfigMap without it. */
    private readonly rootCA: string | undefined,
  ) {
    this.namespaces = ctx.informers.forResource<Namespace>(NAMESPACES);
    this.accounts = ctx.informers.forResource<ServiceAccount>(SERVICE_ACCOUNTS);
    this.configMaps = ctx.informers.forResource<ConfigMap>(CONFIG_MAPS);
    const byName = (ns: Namespace) => this.queue.add(ns.metadata?.name ?? "");
    const byNamespace = (obj: { metadata?: { namespace?: string } }) => this.queue.add(obj.metadata?.namespace ?? "");
    this.namespaces.onAdd(byName);
    this.namespaces.onUpdate((_old, ns) => byName(ns));
    this.accounts.onDelete(byNamespace);
    this.configMaps.onDelete(byNamespace);
    this.configMaps.onUpdate((_old, cm) => byNamespace(cm));
  }

  run(): void {
    this.running ??= runWorkers(
      this.queue,
      2,
      (ns) => this.sync(ns),
      (ns, err) => this.ctx.log(`serviceaccount ${ns}: ${err.message}`),
    );
  }

  async stop(): Promise<void> {
    this.queue.shutDown();
    await this.running;
  }

  async sync(namespace: string): Promise<void> {
    const ns = this.namespaces.get(namespace);
    if (!ns || ns.metadata?.deletionTimestamp) return;
    if (!this.accounts.get(DEFAULT_SERVICE_ACCOUNT, namespace)) {
      await this.create(SERVICE_ACCOUNTS, namespace, {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace },
      });
    }
    if (!this.rootCA) return;
    const cm = this.configMaps.get(ROOT_CA_CONFIGMAP, namespace);
    const wanted = { "ca.crt": this.rootCA };
    if (!cm) {
      await this.create(CONFIG_MAPS, namespace, {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: ROOT_CA_CONFIGMAP, namespace },
        data: wanted,
      });
    } else if (cm.data?.["ca.crt"] !== this.rootCA) {
      await this.ctx.client.resource<ConfigMap>(CONFIG_MAPS).update({ ...cm, data: wanted });
    }
  }

  private async create(type: typeof SERVICE_ACCOUNTS, namespace: string, obj: ServiceAccount | ConfigMap): Promise<void> {
    try {
      await this.ctx.client.resource(type).create(obj, namespace);
    } catch (err) {
      // Already there (the cache lags), or the namespace started terminating meanwhile.
      if (isApiError(err, "AlreadyExists") || isApiError(err, "Forbidden") || isApiError(err, "NotFound")) return;
      throw err;
    }
  }
}

export function newServiceAccountsController(rootCA: string | undefined) {
  return (ctx: ControllerContext) => new ServiceAccountsController(ctx, rootCA);
}
