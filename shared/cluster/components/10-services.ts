/**
 * Chapter 10: Services and Endpoints on the apiserver, the endpoints
 * controller (handed to the controller manager in prepare()), Service
 * variables for every kubelet, and one proxy for the whole cluster.
 *
 * The cluster IPs come from the upper half of the cluster's Docker network
 * (network.ts keeps containers in the lower half). The proxy puts each one
 * on the network's bridge and listens there, so a pod reaches a Service the
 * way it reaches another pod. Hollow nodes (runtime "fake") have no network:
 * Services get addresses from 10.96.0.0/16 and nothing proxies them.
 *
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type Docker from "dockerode";
import { connectDocker } from "../../docker.ts";
import { TEST_IMAGE } from "../../test-image.ts";
import type { ServicesModule } from "../contracts.ts";
import type { ClusterComponent } from "../types.ts";

/** The other half of a subnet whose lower half is the containers' ip-range: "172.21.0.0/16" -> "172.21.128.0/17". */
export function upperHalf(subnet: string): string {
  const [ip = "", bits = ""] = subnet.split("/");
  const size = 2 ** (32 - Number(bits));
  const first = Math.floor(ip.split(".").reduce((n, part) => n * 256 + Number(part), 0) / size) * size + size / 2;
  return `${[24, 16, 8, 0].map((shift) => Math.floor(first / 2 ** shift) % 256).join(".")}/${Number(bits) + 1}`;
}

/** The network's bridge interface and, when containers are kept to part of it, the service range. */
async function networkInfo(docker: Docker, network: string): Promise<{ bridge: string; serviceCIDR?: string }> {
  const info = await docker.getNetwork(network).inspect();
  const config = info.IPAM?.Config?.[0] as { Subnet?: string; IPRange?: string } | undefined;
  const bridge = (info.Options?.["com.docker.network.bridge.name"] as string | undefined) ?? `br-${String(info.Id).slice(0, 12)}`;
  const split = config?.Subnet && config.IPRange && config.IPRange !== config.Subnet;
  return { bridge, ...(split ? { serviceCIDR: upperHalf(config.Subnet!) } : {}) };
}

export const servicesComponent: ClusterComponent = {
  chapter: "10",
  name: "services",
  after: {
    apiserver: "it serves services and endpoints there",
    kubelets: "the proxy needs the Docker network the kubelets create",
  },
  enabled: (ctx) => existsSync(join(ctx.tree, "10-services", "index.ts")),
  async prepare(ctx) {
    const services = await ctx.load<ServicesModule>("10-services/index.ts");
    ctx.kubeletExtensions.push(services.kubeletExtensions());
    Object.assign(ctx.controllers, services.controllers());
  },
  async start(ctx) {
    if (!ctx.apiserver || !ctx.url) throw new Error("services need the apiserver of chapter 03");
    const services = await ctx.load<ServicesModule>("10-services/index.ts");
    const docker = connectDocker();
    const network = ctx.network ? await networkInfo(docker, ctx.network) : undefined;
    services.installServices(ctx.apiserver, { serviceCIDR: network?.serviceCIDR });
    if (!network) {
      ctx.log("services: served; no Docker network, so no proxy");
      return;
    }
    const addresses = new services.BridgeAddresses({ docker, bridge: network.bridge, image: TEST_IMAGE, labels: ctx.labels });
    // The proxy's stop takes the cluster IPs off the bridge, with one more
    // short-lived container. At cluster close that is not needed: removing the
    // network deletes its bridge, and every address on it goes along.
    const removeAll = addresses.close.bind(addresses);
    addresses.close = () => (ctx.closing ? Promise.resolve() : removeAll());
    const proxy = await services.startProxy({ server: ctx.url, token: ctx.token, addresses, log: ctx.log });
    ctx.log(
      `services: cluster IPs from ${network.serviceCIDR ?? services.DEFAULT_SERVICE_CIDR} on ${network.bridge}, proxy running`,
    );
    return () => proxy.stop();
  },
};
