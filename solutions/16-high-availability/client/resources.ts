/** How clients address the kind of this chapter. */
import type { ResourceType } from "../../04-kubectl/client/rest.ts";

export const LEASES: ResourceType = {
  group: "coordination.k8s.io",
  version: "v1",
  resource: "leases",
  kind: "Lease",
  namespaced: true,
};
