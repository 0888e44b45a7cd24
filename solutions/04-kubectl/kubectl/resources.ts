/**
 * The names kubectl understands for each resource type:
 *
 *   kubectl get pods | pod | po      kubectl get nodes | node | no
 *
 * and the kind a manifest names (`kind: Pod`, `apiVersion: v1`). The real
 * kubectl learns all of this from the apiserver's discovery documents
 * (/api/v1 lists every resource with its short names); ours keeps a
 * registry. A later chapter adds its resources by calling registerResource()
 * from its own file, e.g. replicationcontrollers / rc in chapter 08.
 */
import { apiVersionOf, EVENTS, NAMESPACES, NODES, PODS } from "../client/resources.ts";
import type { ResourceType } from "../client/rest.ts";

export interface ResourceInfo extends ResourceType {
  /** "pod" */
  singular: string;
  /** "po" */
  shortNames: string[];
}

const registry: ResourceInfo[] = [];

export function registerResource(info: ResourceInfo): void {
  const existing = registry.findIndex((r) => r.resource === info.resource && r.group === info.group);
  if (existing >= 0) registry[existing] = info;
  else registry.push(info);
}

export function registeredResources(): readonly ResourceInfo[] {
  return registry;
}

/** Finds a resource by plural, singular, short name or kind, any case: "pods", "pod", "po", "Pod". */
export function findResource(name: string): ResourceInfo | undefined {
  const wanted = name.toLowerCase();
  return registry.find(
    (r) => r.resource === wanted || r.singular === wanted || r.shortNames.includes(wanted) || r.kind.toLowerCase() === wanted,
  );
}

/** Finds the resource of a manifest's apiVersion and kind ("v1", "Pod"). */
export function resourceForKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return registry.find((r) => r.kind === kind && apiVersionOf(r) === apiVersion);
}

registerResource({ ...PODS, singular: "pod", shortNames: ["po"] });
registerResource({ ...NODES, singular: "node", shortNames: ["no"] });
registerResource({ ...NAMESPACES, singular: "namespace", shortNames: ["ns"] });
registerResource({ ...EVENTS, singular: "event", shortNames: ["ev"] });
