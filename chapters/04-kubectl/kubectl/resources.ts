/**
 * The names kubectl understands for each resource type:
 *
 *   kubectl get pods | pod | po      kubectl get nodes | node | no
 *
 * and the kind a manifest names (`kind: Pod`, `apiVersion: v1`). The real
 * kubectl learns all of this from the apiserver's discovery documents
 * (/api/v1 lists every resource with its short names); ours keeps a
 * catalog. A later chapter adds its resources in its kubectl plugin
 * (plugin.ts), e.g. replicationcontrollers / rc in chapter 08.
 */
import { apiVersionOf, EVENTS, NAMESPACES, NODES, PODS } from "../client/resources.ts";
import type { ResourceType } from "../client/rest.ts";

export interface ResourceInfo extends ResourceType {
  /** "pod" */
  singular: string;
  /** "po" */
  shortNames: string[];
}

/** The resource types of this chapter. */
export const CORE_RESOURCES: readonly ResourceInfo[] = [
  { ...PODS, singular: "pod", shortNames: ["po"] },
  { ...NODES, singular: "node", shortNames: ["no"] },
  { ...NAMESPACES, singular: "namespace", shortNames: ["ns"] },
  { ...EVENTS, singular: "event", shortNames: ["ev"] },
];

/** The resource types one kubectl run knows: chapter 04's and its plugins'. */
export class ResourceCatalog {
  private readonly list: ResourceInfo[] = [];

  constructor(resources: Iterable<ResourceInfo> = CORE_RESOURCES) {
    for (const info of resources) this.add(info);
  }

  /** Adds a type; one with the same group and plural replaces the earlier one. */
  add(info: ResourceInfo): void {
    const existing = this.list.findIndex((r) => r.resource === info.resource && r.group === info.group);
    if (existing >= 0) this.list[existing] = info;
    else this.list.push(info);
  }

  all(): readonly ResourceInfo[] {
    return this.list;
  }

  /** Finds a resource by plural, singular, short name or kind, any case: "pods", "pod", "po", "Pod". */
  find(name: string): ResourceInfo | undefined {
    const wanted = name.toLowerCase();
    return this.list.find(
      (r) => r.resource === wanted || r.singular === wanted || r.shortNames.includes(wanted) || r.kind.toLowerCase() === wanted,
    );
  }

  /** Finds the resource of a manifest's apiVersion and kind ("v1", "Pod"). */
  forKind(apiVersion: string, kind: string): ResourceInfo | undefined {
    return this.list.find((r) => r.kind === kind && apiVersionOf(r) === apiVersion);
  }
}
