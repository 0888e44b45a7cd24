/** Registers what chapter 03 serves: namespaces, pods (with binding), nodes and events. */
import type { ResourceRegistry } from "../registry.ts";
import { bindingSubresource } from "./binding.ts";
import { events } from "./events.ts";
import { namespaces } from "./namespaces.ts";
import { nodes } from "./nodes.ts";
import { pods } from "./pods.ts";

export function registerCoreResources(registry: ResourceRegistry): void {
  registry.register(namespaces);
  registry.register(pods);
  registry.register(nodes);
  registry.register(events);
  registry.addSubresource("", "pods", bindingSubresource);
}

export { bindingSubresource, events, namespaces, nodes, pods };
