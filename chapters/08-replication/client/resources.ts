/**
 * How clients address the kinds of this chapter: the ResourceType of
 * replication controllers (for ResourceClient, Informer, kubectl), and a
 * small client for the scale subresource.
 */
import type { ReplicationController, Scale } from "../../../shared/api/replication.ts";
import type { ResourceType, RestClient } from "../../04-kubectl/client/rest.ts";

export const REPLICATION_CONTROLLERS: ResourceType = {
  group: "",
  version: "v1",
  resource: "replicationcontrollers",
  kind: "ReplicationController",
  namespaced: true,
};

/** GET and PUT of replicationcontrollers/NAME/scale: read and set the wanted replica count. */
export class ScaleClient {
  constructor(private readonly rest: RestClient) {}

  private path(namespace: string, name: string): string {
    return this.rest.resource<ReplicationController>(REPLICATION_CONTROLLERS).path(namespace, name, "scale");
  }

  get(name: string, namespace: string): Promise<Scale> {
    return this.rest.request<Scale>("GET", this.path(namespace, name));
  }

  /** Replaces the Scale: 409 Conflict when metadata.resourceVersion is stale. */
  update(scale: Scale): Promise<Scale> {
    const { name = "", namespace = "default" } = scale.metadata ?? {};
    return this.rest.request<Scale>("PUT", this.path(namespace, name), { body: scale });
  }
}
