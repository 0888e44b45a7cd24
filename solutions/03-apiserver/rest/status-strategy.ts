/**
 * The status subresource splits an object between two writers: users (and
 * controllers) write the desired state, `spec`, through the main resource;
 * the component doing the work (the kubelet for pods and nodes) writes the
 * observed state, `status`, through /status. Each write keeps the other
 * half as it is stored, so a kubelet's status update can never undo a
 * user's change to the spec, and a user cannot fake a status.
 */
import type { ApiObject, ResourceDefinition } from "../registry/types.ts";

// STEP(03.5): the object to store for an update. A write through /status may
// change only status; a write to the main resource of a kind with a status
// subresource may change anything but status. Other writes (kinds without the
// split, other subresources such as binding) store `incoming` as it is.
// Tests: "03.5 status > a PUT to /status changes only status; a PUT to the pod changes only spec and metadata",
// "03.5 status > merge-patches status through /status".
export function applyStatusStrategy(
  resource: ResourceDefinition,
  subresource: string,
  incoming: ApiObject,
  current: ApiObject,
): ApiObject {
  //#solution
  if (subresource === "status") {
    const next: ApiObject = {
      ...current,
      metadata: { ...current.metadata, resourceVersion: incoming.metadata?.resourceVersion },
    };
    if (incoming.status === undefined) delete next.status;
    else next.status = incoming.status;
    return next;
  }
  if (subresource === "" && resource.statusSubresource) {
    const next: ApiObject = { ...incoming };
    if (current.status === undefined) delete next.status;
    else next.status = current.status;
    return next;
  }
  return incoming;
  //#end
}
