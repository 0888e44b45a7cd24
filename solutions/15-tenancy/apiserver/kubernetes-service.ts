/**
 * The Service "kubernetes" in "default": how a pod finds the apiserver.
 * Its one endpoint is the apiserver's secure port; chapter 10's proxy
 * forwards the Service's cluster IP, port 443, there. In Kubernetes the
 * apiserver itself keeps this Service and its Endpoints up to date (the
 * "kubernetes service" controller); here the cluster bring-up calls this
 * function at every start, since the secure port may change.
 *
 * The endpoint is 127.0.0.1: the proxy runs on the host, next to the
 * apiserver, so it reaches the apiserver on loopback. A real cluster puts
 * the apiserver's own network address here.
 */
import type { Endpoints, Service } from "../../../shared/api/service.ts";
import { isApiError, RestClient } from "../../04-kubectl/client/rest.ts";
import { SERVICES } from "../client/resources.ts";

const ENDPOINTS = { ...SERVICES, resource: "endpoints", kind: "Endpoints" };

export async function ensureKubernetesService(options: { server: string; token?: string; securePort: number }): Promise<Service> {
  const client = new RestClient({ server: options.server, token: options.token });
  const services = client.resource<Service>(SERVICES);
  const labels = { component: "apiserver", provider: "kubernetes" };
  let service: Service;
  try {
    service = await services.get("kubernetes", "default");
  } catch (err) {
    if (!isApiError(err, "NotFound")) throw err;
    service = await services.create(
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "kubernetes", namespace: "default", labels },
        spec: { type: "ClusterIP", ports: [{ name: "https", protocol: "TCP", port: 443, targetPort: options.securePort }] },
      },
      "default",
    );
  }
  const endpoints = client.resource<Endpoints>(ENDPOINTS);
  const wanted: Endpoints = {
    apiVersion: "v1",
    kind: "Endpoints",
    metadata: { name: "kubernetes", namespace: "default", labels },
    subsets: [{ addresses: [{ ip: "127.0.0.1" }], ports: [{ name: "https", port: options.securePort, protocol: "TCP" }] }],
  };
  try {
    const current = await endpoints.get("kubernetes", "default");
    await endpoints.update({ ...wanted, metadata: { ...current.metadata, ...wanted.metadata } });
  } catch (err) {
    if (!isApiError(err, "NotFound")) throw err;
    await endpoints.create(wanted, "default");
  }
  return service;
}
