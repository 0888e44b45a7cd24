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
import { todo } from "../../../shared/todo.ts";

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

  // TODO(10.1): reserve the cluster IP (unless headless) and, for a NodePort
  // Service, the node ports, and write them into the Service. All or nothing:
  // a failure gives back what was taken and throws Kubernetes' 422 (errorFor).
  // The FinishFunc keeps (true) or releases (false) everything. Tests: the
  // "10.1" tests.
  async allocate(service: Service): Promise<FinishFunc> {
    todo("10.1");
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
