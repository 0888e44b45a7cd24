/** How clients address the kinds of this chapter. */
import type { ResourceType } from "../../04-kubectl/client/rest.ts";

export const INGRESSES: ResourceType = {
  group: "networking.k8s.io",
  version: "v1",
  resource: "ingresses",
  kind: "Ingress",
  namespaced: true,
};
export const INGRESS_CLASSES: ResourceType = {
  group: "networking.k8s.io",
  version: "v1",
  resource: "ingressclasses",
  kind: "IngressClass",
  namespaced: false,
};
