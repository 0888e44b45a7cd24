/**
 * The dashboard's feed: one informer per kind (chapter 04's Informer: a list,
 * then a watch that resumes by itself), and a change signal for whoever
 * draws the picture. Nothing polls: a change in the cluster reaches the page
 * as a watch event, then as a Server-Sent Event.
 *
 * It uses the reference client from solutions/04-kubectl, whatever tree runs
 * the cluster: the dashboard is a tool for looking at your cluster, like the
 * real kubectl, and must work while your own chapter 04 is still in progress.
 *
 * Only kinds the apiserver serves are watched (asked through discovery), so
 * a cluster of chapter 05 shows nodes and pods, and one of chapter 10 adds
 * Services. Read-only: the feed only lists and watches.
 */
import type { Event, Node, Pod } from "../../shared/api/core.ts";
import type { KubeObject } from "../../shared/api/meta.ts";
import type { Endpoints, Service } from "../../shared/api/service.ts";
import { Informer } from "../../solutions/04-kubectl/client/informer.ts";
import { type ClientConfig, ResourceClient, type ResourceType, RestClient } from "../../solutions/04-kubectl/client/rest.ts";
import { buildPicture, type ClusterPicture, type Workload } from "./picture.ts";

const core = (resource: string, kind: string, namespaced = true): ResourceType => ({
  group: "",
  version: "v1",
  resource,
  kind,
  namespaced,
});
const apps = (resource: string, kind: string): ResourceType => ({
  group: "apps",
  version: "v1",
  resource,
  kind,
  namespaced: true,
});

/** What the picture is made of, in the order the page lists workloads. */
const KINDS = {
  nodes: core("nodes", "Node", false),
  pods: core("pods", "Pod"),
  services: core("services", "Service"),
  endpoints: core("endpoints", "Endpoints"),
  events: core("events", "Event"),
  workloads: [
    core("replicationcontrollers", "ReplicationController"),
    apps("deployments", "Deployment"),
    apps("replicasets", "ReplicaSet"),
  ],
};

export interface FeedOptions {
  /** Shown on the page: which tree runs the cluster, and its chapters. */
  cluster: { tree: string; chapters: string[] };
  /** How long start() waits for the first lists. Default 10 s. */
  syncTimeoutMs?: number;
  /** Changes closer together than this are drawn once. Default 50 ms. */
  coalesceMs?: number;
}

export class ClusterFeed {
  private readonly informers = new Map<ResourceType, Informer<KubeObject>>();
  private readonly listeners = new Set<() => void>();
  private kinds: string[] = [];
  private pending: NodeJS.Timeout | undefined;
  /** The last error of any informer (the apiserver went away...), cleared by the next change. */
  lastError: string | undefined;

  constructor(private readonly options: FeedOptions) {}

  /**
   * Finds the kinds the apiserver at `client.server` serves, starts their
   * informers and waits for their first lists. Until then the picture is empty.
   */
  async start(client: ClientConfig): Promise<void> {
    const rest = new RestClient(client);
    const served = await servedResources(rest);
    const wanted = [KINDS.nodes, KINDS.pods, KINDS.services, KINDS.endpoints, KINDS.events, ...KINDS.workloads];
    for (const type of wanted.filter((t) => served.has(`${t.group}/${t.resource}`))) {
      const informer = new Informer<KubeObject>(new ResourceClient(rest, type), {
        onError: (err) => {
          this.lastError = err.message;
          this.changed();
        },
      });
      const changed = () => {
        this.lastError = undefined;
        this.changed();
      };
      informer.onAdd(changed).onUpdate(changed).onDelete(changed);
      this.informers.set(type, informer.start());
    }
    this.kinds = [...this.informers.keys()].map((t) => t.kind);
    const timeout = this.options.syncTimeoutMs ?? 10_000;
    await Promise.all([...this.informers.values()].map((i) => i.waitForSync(timeout)));
  }

  /** Calls `listener` after the cluster changed (coalesced); returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  picture(): ClusterPicture {
    const items = <T>(type: ResourceType) => (this.informers.get(type)?.list() ?? []) as T[];
    // List items come without a kind (as in Kubernetes); the type we watched says it.
    const workloads = KINDS.workloads.flatMap((type) => items<Workload>(type).map((w) => ({ ...w, kind: type.kind })));
    return buildPicture({
      nodes: items<Node>(KINDS.nodes),
      pods: items<Pod>(KINDS.pods),
      services: items<Service>(KINDS.services),
      endpoints: items<Endpoints>(KINDS.endpoints),
      // ReplicaSets owned by a Deployment are the Deployment's business: show the Deployment.
      workloads: workloads.filter((w) => !(w.kind === "ReplicaSet" && w.metadata?.ownerReferences?.some((o) => o.controller))),
      events: items<Event>(KINDS.events),
      cluster: { ...this.options.cluster, kinds: this.kinds },
    });
  }

  async stop(): Promise<void> {
    clearTimeout(this.pending);
    this.listeners.clear();
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }

  private changed(): void {
    this.pending ??= setTimeout(() => {
      this.pending = undefined;
      for (const listener of this.listeners) listener();
    }, this.options.coalesceMs ?? 50);
  }
}

/** "group/resource" of every resource the apiserver lists in discovery ("" is the core group). */
async function servedResources(rest: RestClient): Promise<Set<string>> {
  const served = new Set<string>();
  type ResourceList = { resources?: { name: string }[] };
  const core = await rest.request<ResourceList>("GET", "/api/v1");
  for (const r of core.resources ?? []) served.add(`/${r.name}`);
  const apps = await rest.request<ResourceList>("GET", "/apis/apps/v1").catch(() => undefined);
  for (const r of apps?.resources ?? []) served.add(`apps/${r.name}`);
  return served;
}
