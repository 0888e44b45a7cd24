/**
 * DefaultBinder: the bind plugin. It writes the decision with one request,
 *
 *   POST /api/v1/namespaces/{ns}/pods/{name}/binding
 *   { "apiVersion": "v1", "kind": "Binding",
 *     "metadata": { "name": "web", "namespace": "default", "uid": "..." },
 *     "target": { "apiVersion": "v1", "kind": "Node", "name": "node-2" } }
 *
 * The apiserver sets spec.nodeName (once: a second binding is 409 Conflict)
 * and PodScheduled=True; the node's kubelet sees the pod in its watch and
 * starts it. The scheduler never runs anything itself.
 */
import type { Binding } from "../../../shared/api/index.ts";
import type { RestClient } from "../../04-kubectl/client/rest.ts";
import { PODS } from "../../04-kubectl/client/resources.ts";
import { resourcePath } from "../../04-kubectl/client/rest.ts";
import { SUCCESS, type Plugin } from "../framework/types.ts";

export const NAME = "DefaultBinder";

export function defaultBinder(client: RestClient): Plugin {
  return {
    name: NAME,
    async bind(_state, pod, nodeName) {
      // Errors (ApiError) propagate: the scheduler forgets the pod and retries.
      const { name, namespace, uid } = pod.metadata ?? {};
      const binding: Binding = {
        apiVersion: "v1",
        kind: "Binding",
        metadata: { name, namespace, uid },
        target: { apiVersion: "v1", kind: "Node", name: nodeName },
      };
      await client.request("POST", resourcePath(PODS, { namespace, name, subresource: "binding" }), { body: binding });
      return SUCCESS;
    },
  };
}
