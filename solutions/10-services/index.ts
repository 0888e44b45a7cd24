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
 *   kubeletExtensions()                           Service variables for every kubelet
 *   controllers()                                 the endpoints controller, for chapter 08's controller manager
 *   startProxy({ server, addresses, ... })        once per cluster
 * Importing this file starts and registers nothing.
 */
import type { ApiServer } from "../03-apiserver/index.ts";
import type { KubeletExtensions } from "../05-pods/index.ts";
import type { Controllers } from "../08-replication/index.ts";
import { ServiceAllocator } from "./apiserver/allocation.ts";
import { endpointsResource } from "./apiserver/endpoints.ts";
import { DEFAULT_SERVICE_CIDR, newServiceIpAllocator } from "./apiserver/ip-allocator.ts";
import { DEFAULT_NODE_PORT_RANGE, newNodePortAllocator } from "./apiserver/port-allocator.ts";
import { servicesResource } from "./apiserver/services.ts";
import { newEndpointsController } from "./endpoints/endpoints-controller.ts";
import { serviceEnvSource } from "./kubelet/service-env.ts";

export { ServiceAllocator } from "./apiserver/allocation.ts";
export { endpointsResource, formatEndpoints } from "./apiserver/endpoints.ts";
export {
  DEFAULT_SERVICE_CIDR,
  intToIp,
  ipToInt,
  isIPv4,
  parseCidr,
  serviceIpRange,
  SERVICE_IPS_PREFIX,
} from "./apiserver/ip-allocator.ts";
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
export { kubectlPlugin } from "./kubectl/index.ts";

/** The controllers of this chapter, for chapter 08's startControllerManager(). */
export function controllers(): Controllers {
  return { endpoints: newEndpointsController };
}

/** What this chapter adds to every kubelet: the Service environment variables. */
export function kubeletExtensions(): KubeletExtensions {
  return { envSources: [serviceEnvSource] };
}

export interface ServicesOptions {
  /** Where cluster IPs come from, e.g. "192.168.40.0/21". Default 10.96.0.0/16. */
  serviceCIDR?: string;
  /** Node ports. Default 30000-32767. */
  nodePortRange?: string;
}

/** Serves services and endpoints on an apiserver. Again for the same server: nothing. */
export function installServices(apiserver: ApiServer, options: ServicesOptions = {}): void {
  // The apiserver's own registry says whether it is served already (no
  // module-level memory: a second copy of this module must agree).
  if (apiserver.registry.lookup("", "v1", "services")) return;
  const store = apiserver.storage.store;
  const allocator = new ServiceAllocator(
    newServiceIpAllocator(store, options.serviceCIDR ?? DEFAULT_SERVICE_CIDR),
    newNodePortAllocator(store, options.nodePortRange ?? DEFAULT_NODE_PORT_RANGE),
  );
  apiserver.registry.register(servicesResource(allocator));
  apiserver.registry.register(endpointsResource);
}
