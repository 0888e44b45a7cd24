/**
 * What a Service holds outside itself: its cluster IP and its node ports.
 * The apiserver reserves them just before it stores a new Service (the
 * strategy's beginCreate hook of chapter 03) and gives them back when the
 * Service is deleted (afterDelete), or when the create did not happen after
 * all (finish(false): the name was taken, or it was a dry run).
 */
import { field, invalid } from "../../../shared/api/index.ts";
import type { Service } from "../../../shared/api/service.ts";
import type { FinishFunc } from "../../03-apiserver/registry/types.ts";
import { intToIp, ipToInt } from "./ip-allocator.ts";
import { AllocationError, type Owner, type RangeAllocator } from "./range-allocator.ts";

function ownerOf(service: Service): Owner {
  return { namespace: service.metadata?.namespace ?? "default", name: service.metadata?.name ?? "" };
}

export class ServiceAllocator {
  constructor(
    /** Cluster IPs, from the service range. */
    readonly ips: RangeAllocator,
    /** Node ports, 30000-32767. */
    readonly nodePorts: RangeAllocator,
  ) {}

  // STEP(10.1): reserve the cluster IP (unless headless) and, for a NodePort
  // Service, the node ports, and write them into the Service. All or nothing:
  // a failure gives back what was taken and throws Kubernetes' 422 (errorFor).
  // The FinishFunc keeps (true) or releases (false) everything. Tests: the
  // "10.1" tests.
  async allocate(service: Service): Promise<FinishFunc> {
    //#solution
    const owner = ownerOf(service);
    const spec = service.spec ?? {};
    const taken: Array<() => Promise<void>> = [];
    const giveBack = async () => {
      for (const release of taken.reverse()) await release();
    };
    try {
      if (spec.clusterIP !== "None") {
        const ip = spec.clusterIP ? ipToInt(spec.clusterIP) : undefined;
        try {
          if (ip !== undefined) await this.ips.allocate(ip, owner, "IP");
          const value = ip ?? (await this.ips.allocateNext(owner, "IP"));
          taken.push(() => this.ips.release(value, owner));
          spec.clusterIP = intToIp(value);
          spec.clusterIPs = [spec.clusterIP];
        } catch (err) {
          throw errorFor(err, owner, "spec.clusterIPs", spec.clusterIP ? [spec.clusterIP] : [], spec.clusterIP ? `failed to allocate IP ${spec.clusterIP}: ` : "failed to allocate a service IP: ");
        }
      }
      if (spec.type === "NodePort") {
        for (const [i, port] of (spec.ports ?? []).entries()) {
          try {
            if (port.nodePort) await this.nodePorts.allocate(port.nodePort, owner, "port");
            const value = port.nodePort || (await this.nodePorts.allocateNext(owner, "port"));
            taken.push(() => this.nodePorts.release(value, owner));
            port.nodePort = value;
          } catch (err) {
            throw errorFor(err, owner, `spec.ports[${i}].nodePort`, port.nodePort, "");
          }
        }
      }
    } catch (err) {
      await giveBack();
      throw err;
    }
    return async (stored) => {
      if (!stored) await giveBack();
    };
    //#end
  }

  /** Gives back the cluster IP and node ports of a deleted Service. */
  async release(service: Service): Promise<void> {
    const owner = ownerOf(service);
    const ip = service.spec?.clusterIP;
    if (ip && ip !== "None") await this.ips.release(ipToInt(ip), owner);
    for (const port of service.spec?.ports ?? []) {
      if (port.nodePort) await this.nodePorts.release(port.nodePort, owner);
    }
  }
}

/** An AllocationError becomes the 422 Kubernetes answers; anything else passes through. */
function errorFor(err: unknown, owner: Owner, path: string, value: unknown, prefix: string): unknown {
  if (!(err instanceof AllocationError)) return err;
  return invalid("Service", owner.name, [field.invalid(path, value, prefix + err.message)]);
}
