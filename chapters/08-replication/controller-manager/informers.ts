/**
 * Shared informers: one informer per resource type for all the controllers.
 *
 * The replication controller and the garbage collector both watch pods. With
 * one informer each, the apiserver would stream every pod change twice and
 * the controller manager would keep two copies of every pod. Kubernetes'
 * SharedInformerFactory hands out one informer per type; every controller
 * adds its own handlers to it.
 */
import type { KubeObject } from "../../../shared/api/meta.ts";
import { Informer } from "../../04-kubectl/client/informer.ts";
import { apiVersionOf } from "../../04-kubectl/client/resources.ts";
import type { ResourceType, RestClient } from "../../04-kubectl/client/rest.ts";

export class SharedInformers {
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private started = false;

  constructor(
    private readonly client: RestClient,
    private readonly onError: (err: Error) => void = () => {},
  ) {}

  /** The informer of a resource type (created on first use; started with the others). */
  forResource<T extends KubeObject>(type: ResourceType): Informer<T> {
    const key = `${apiVersionOf(type)}/${type.resource}`;
    let informer = this.informers.get(key);
    if (!informer) {
      informer = new Informer<KubeObject>(this.client.resource<KubeObject>(type), { onError: this.onError });
      this.informers.set(key, informer);
      if (this.started) informer.start();
    }
    return informer as unknown as Informer<T>;
  }

  start(): void {
    this.started = true;
    for (const informer of this.informers.values()) informer.start();
  }

  /** Resolves when every informer holds its first list. */
  async waitForSync(timeoutMs?: number): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.waitForSync(timeoutMs)));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}
