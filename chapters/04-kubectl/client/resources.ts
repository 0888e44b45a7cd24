/**
 * The resource types of the core API group ("v1"), as the client addresses
 * them. A later chapter that adds a resource to the apiserver declares its
 * ResourceType beside its own code, the same way.
 */
import type { ResourceType } from "./rest.ts";

export const PODS: ResourceType = { group: "", version: "v1", resource: "pods", kind: "Pod", namespaced: true };
export const NODES: ResourceType = { group: "", version: "v1", resource: "nodes", kind: "Node", namespaced: false };
export const NAMESPACES: ResourceType = {
  group: "",
  version: "v1",
  resource: "namespaces",
  kind: "Namespace",
  namespaced: false,
};
export const EVENTS: ResourceType = { group: "", version: "v1", resource: "events", kind: "Event", namespaced: true };

/** "v1" for the core group, "apps/v1" otherwise: the apiVersion of the type's objects. */
export function apiVersionOf(type: ResourceType): string {
  return type.group === "" ? type.version : `${type.group}/${type.version}`;
}
