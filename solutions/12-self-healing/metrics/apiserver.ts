/**
 * metrics.k8s.io/v1beta1 on the apiserver: NodeMetrics (nodes) and
 * PodMetrics (pods), get and list, read from the metrics server, never
 * stored.
 *
 * In Kubernetes the apiserver does not serve this group itself. An
 * APIService object (apiregistration.k8s.io) says "metrics.k8s.io/v1beta1
 * is served by the Service kube-system/metrics-server", and the apiserver's
 * aggregation layer proxies those paths there. Clients see one API: the
 * group is in discovery (`kubectl top` checks for it) and the paths look
 * like any other resource. Here the metrics server runs inside the
 * apiserver's process, and a resource with a `read` hook (chapter 03's
 * ResourceDefinition) stands for the proxy.
 */
import { notFound } from "../../../shared/api/index.ts";
import { kindSchema } from "../../../shared/api/schema/meta.ts";
import { arrayOf, mapOf, object, string } from "../../../shared/api/schema/types.ts";
import type { ApiServer } from "../../03-apiserver/index.ts";
import type { ApiObject, ResourceDefinition } from "../../03-apiserver/registry/types.ts";
import type { MetricsServer } from "./metrics-server.ts";

const GROUP = "metrics.k8s.io";
const usageSchema = mapOf({ "x-kubernetes-int-or-string": true });

export function metricsResources(server: MetricsServer): ResourceDefinition[] {
  const nodes: ResourceDefinition = {
    group: GROUP,
    version: "v1beta1",
    kind: "NodeMetrics",
    plural: "nodes",
    singular: "",
    scope: "Cluster",
    verbs: ["get", "list"],
    schema: kindSchema(
      { timestamp: string, window: string, usage: usageSchema },
      "NodeMetrics sets resource usage metrics of a node.",
    ),
    read: {
      list: async () => (await server.nodeMetrics()) as unknown as ApiObject[],
      async get(_namespace, name) {
        const found = (await server.nodeMetrics()).find((m) => m.metadata.name === name);
        if (!found) throw notFound({ resource: "nodemetrics", group: GROUP }, name);
        return found as unknown as ApiObject;
      },
    },
  };
  const pods: ResourceDefinition = {
    group: GROUP,
    version: "v1beta1",
    kind: "PodMetrics",
    plural: "pods",
    singular: "",
    scope: "Namespaced",
    verbs: ["get", "list"],
    schema: kindSchema(
      { timestamp: string, window: string, containers: arrayOf(object({ name: string, usage: usageSchema })) },
      "PodMetrics sets resource usage metrics of a pod.",
    ),
    read: {
      list: async (namespace) => (await server.podMetrics(namespace)) as unknown as ApiObject[],
      async get(namespace, name) {
        const found = (await server.podMetrics(namespace)).find((m) => m.metadata.name === name);
        if (!found) throw notFound({ resource: "podmetrics", group: GROUP }, name);
        return found as unknown as ApiObject;
      },
    },
  };
  return [nodes, pods];
}

/** Serves metrics.k8s.io/v1beta1 from this metrics server. Again for the same apiserver: nothing. */
export function installMetricsApi(apiserver: ApiServer, server: MetricsServer): void {
  for (const resource of metricsResources(server)) {
    if (!apiserver.registry.lookup(resource.group, resource.version, resource.plural)) apiserver.registry.register(resource);
  }
}
