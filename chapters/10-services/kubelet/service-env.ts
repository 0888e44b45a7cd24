/**
 * Service environment variables: before DNS, this is how a container found
 * its Services, and Kubernetes still sets them. For every Service in the
 * pod's namespace when the container starts (not later ones: environment
 * variables cannot change in a running process):
 *
 *   WEB_SERVICE_HOST=10.96.0.12            WEB_PORT=tcp://10.96.0.12:8000
 *   WEB_SERVICE_PORT=8000                  WEB_PORT_8000_TCP=tcp://10.96.0.12:8000
 *   WEB_SERVICE_PORT_HTTP=8000 (named)     WEB_PORT_8000_TCP_PROTO=tcp
 *                                          WEB_PORT_8000_TCP_PORT=8000
 *                                          WEB_PORT_8000_TCP_ADDR=10.96.0.12
 *
 * The right-hand column imitates Docker's old "links" variables, which is
 * why it exists. An environment source of the kubelet (chapter 05's extension
 * point) with order 10: envFrom (20) and the container's own env (100)
 * override it. A pod with spec.enableServiceLinks: false gets none.
 */
import type { Service } from "../../../shared/api/service.ts";
import { isApiError, type RestClient } from "../../04-kubectl/client/rest.ts";
import { EnvError, type EnvSource } from "../../05-pods/kubelet/env.ts";
import { SERVICES } from "../client/resources.ts";
import { todo } from "../../../shared/todo.ts";

/** "my-web.v2" -> "MY_WEB_V2": a Service name as a variable prefix. */
export function envPrefix(serviceName: string): string {
  return serviceName.toUpperCase().replace(/[-.]/g, "_");
}

// TODO(10.6): the variables of one Service, named and formatted exactly as
// Kubernetes does (the table above): programs already read them. A Service
// without a cluster IP, headless, or without ports gives none. Tests: the
// "10.6" tests.
export function serviceVariables(service: Service): Record<string, string> {
  todo("10.6");
}

export const serviceEnvSource: EnvSource = {
  name: "services",
  order: 10,
  async variables(ctx) {
    if (ctx.pod.spec?.enableServiceLinks === false) return {};
    const namespace = ctx.pod.metadata?.namespace ?? "default";
    const services = await listServices(ctx.client, namespace);
    const out: Record<string, string> = {};
    // Sorted by name, so the result never depends on the order of the list.
    for (const service of [...services].sort((a, b) => (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""))) {
      Object.assign(out, serviceVariables(service));
    }
    return out;
  },
};

/** The Services of a namespace. Not served yet is an EnvError: the kubelet tries the container again later. */
async function listServices(client: RestClient, namespace: string): Promise<Service[]> {
  try {
    return (await client.resource<Service>(SERVICES).list(namespace)).items;
  } catch (err) {
    if (isApiError(err, "NotFound")) throw new EnvError("the apiserver does not serve services yet; the container starts once it does");
    throw err;
  }
}
