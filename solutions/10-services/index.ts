/**
 * Chapter 10: Services.
 *
 *   apiserver/    the Service and Endpoints resources; cluster IP and node port allocation
 *   endpoints/    the endpoints controller (in the controller manager): Service -> ready pod IPs
 *   proxy/        the proxy (kube-proxy, userspace mode): cluster IPs on the bridge, round robin
 *   kubelet/      Service environment variables in every container
 *   kubectl/      names (svc, ep) and describers for kubectl
 *
 * The cluster bring-up (shared/cluster/components/10-services.ts) calls:
 *   installServices(apiserver, { serviceCIDR })   serve services and endpoints
 *   serviceEnvSource                              for every kubelet
 *   startProxy({ server, addresses, ... })        once per cluster
 * and importing this file registers the endpoints controller with the
 * controller manager of chapter 08.
 */
import type { ApiServer } from "../03-apiserver/index.ts";
import { registerController } from "../08-replication/controller-manager/controller-manager.ts";
import { ServiceAllocator } from "./apiserver/allocation.ts";
import { endpointsResource } from "./apiserver/endpoints.ts";
import { DEFAULT_SERVICE_CIDR, newServiceIpAllocator } from "./apiserver/ip-allocator.ts";
import { DEFAULT_NODE_PORT_RANGE, newNodePortAllocator } from "./apiserver/port-allocator.ts";
import { servicesResource } from "./apiserver/services.ts";
import { newEndpointsController } from "./endpoints/endpoints-controller.ts";

export { ServiceAllocator } from "./apiserver/allocation.ts";
export { endpointsResource, formatEndpoints } from "./apiserver/endpoints.ts";
export { DEFAULT_SERVICE_CIDR, intToIp, ipToInt, isIPv4, parseCidr, serviceIpRange, SERVICE_IPS_PREFIX } from "./apiserver/ip-allocator.ts";
export { DEFAULT_NODE_PORT_RANGE, NODE_PORTS_PREFIX, parsePortRange } from "./apiserver/port-allocator.ts";
export { AllocationError, RangeAllocator } from "./apiserver/range-allocator.ts";
export { formatPorts, servicesResource } from "./apiserver/services.ts";
export { defaultService, validateService } from "./apiserver/service-validation.ts";
export { ENDPOINTS, SERVICES } from "./client/resources.ts";
export { EndpointsController } from "./endpoints/endpoints-controller.ts";
export { computeSubsets } from "./endpoints/subsets.ts";
export { serviceEnvSource, serviceVariables } from "./kubelet/service-env.ts";
export { BridgeAddresses, type BridgeAddressesOptions } from "./proxy/addresses.ts";
export { Proxy, startProxy, type ProxyOptions } from "./proxy/proxy.ts";
export { RoundRobin, type Endpoint } from "./proxy/round-robin.ts";
export { servicePorts } from "./proxy/service-ports.ts";

registerController("endpoints", newEndpointsController);

export interface ServicesOptions {
  /** Where cluster IPs come from, e.g. "192.168.40.0/21". Default 10.96.0.0/16. */
  serviceCIDR?: string;
  /** Node ports. Default 30000-32767. */
  nodePortRange?: string;
}

const installed = new WeakMap<ApiServer["registry"], ServiceAllocator>();

/** Serves services and endpoints on an apiserver (once per apiserver); returns its allocator. */
export function installServices(apiserver: ApiServer, options: ServicesOptions = {}): ServiceAllocator {
  const existing = installed.get(apiserver.registry);
  if (existing) return existing;
  const store = apiserver.storage.store;
  const allocator = new ServiceAllocator(
    newServiceIpAllocator(store, options.serviceCIDR ?? DEFAULT_SERVICE_CIDR),
    newNodePortAllocator(store, options.nodePortRange ?? DEFAULT_NODE_PORT_RANGE),
  );
  installed.set(apiserver.registry, allocator);
  apiserver.registry.register(servicesResource(allocator));
  apiserver.registry.register(endpointsResource);
  return allocator;
}
