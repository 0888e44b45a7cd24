/**
 * pods/{name}/binding: how the scheduler assigns a pod to a node. POST a
 * Binding { metadata: { name: pod }, target: { kind: "Node", name: node } };
 * the pod's spec.nodeName is set, once. A second binding is a 409 Conflict,
 * so two schedulers can never both place one pod.
 */
import {
  badRequest,
  conflict,
  isObject,
  timestamp,
  type Pod,
  type PodCondition,
  type Status,
} from "../../../../shared/api/index.ts";
import * as schemas from "../../../../shared/api/schema/core.ts";
import { decodeWithSchema } from "../../rest/decode.ts";
import type { Subresource } from "../types.ts";

export const bindingSubresource: Subresource = {
  name: "binding",
  kind: "Binding",
  verbs: ["create"],
  async handle(request, api) {
    const body = await request.body();
    if (!isObject(body)) throw badRequest("the body of a binding must be a Binding object");
    if (body.kind !== undefined && body.kind !== "Binding")
      throw badRequest(`expected kind "Binding", got ${JSON.stringify(body.kind)}`);
    const { obj: binding } = decodeWithSchema(
      body,
      schemas.binding,
      'Binding in version "v1" cannot be handled as a Binding',
      "Strict",
      {
        apiVersion: "v1",
        kind: "Binding",
      },
    );
    const target = (binding as { target?: { kind?: string; name?: string } }).target;
    if (binding.metadata?.name && binding.metadata.name !== request.name) {
      throw badRequest(`the name of the binding (${binding.metadata.name}) does not match the pod on the URL (${request.name})`);
    }
    if (!target?.name) throw badRequest("target.name: Required value: the node to bind the pod to");
    if (target.kind && target.kind !== "Node")
      throw badRequest(`target.kind: Unsupported value: "${target.kind}": supported values: "Node"`);

    // Only server-owned fields change (nodeName, a condition): straight to
    // storage, as Kubernetes' BindingREST does, without the pod's update
    // strategy, validation and admission. The scheduler sends one per pod.
    await api.updateInStorage(request.resource, request.namespace, request.name, (current) => {
      const pod = current as Pod;
      if (pod.metadata?.deletionTimestamp) throw conflict({ resource: "pods" }, request.name, "the pod is being deleted");
      if (pod.spec?.nodeName)
        throw conflict(
          { resource: "pods" },
          request.name,
          `pod ${request.name} is already assigned to node "${pod.spec.nodeName}"`,
        );
      const scheduled: PodCondition = {
        type: "PodScheduled",
        status: "True",
        lastProbeTime: null,
        lastTransitionTime: timestamp(),
      };
      const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== "PodScheduled");
      return {
        ...pod,
        spec: { ...pod.spec!, nodeName: target.name },
        status: { ...pod.status, conditions: [...conditions, scheduled] },
      };
    });
    const status: Status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 };
    return { code: 201, body: status };
  },
};
