/** How clients (controllers, the proxy, the kubelet, kubectl) address Services and Endpoints. */
import type { ResourceType } from "../../04-kubectl/client/rest.ts";

export const SERVICES: ResourceType = { group: "", version: "v1", resource: "services", kind: "Service", namespaced: true };
export const ENDPOINTS: ResourceType = { group: "", version: "v1", resource: "endpoints", kind: "Endpoints", namespaced: true };
