/**
 * Node ports: a NodePort Service is also reachable on one port of every node
 * (Kubernetes' --service-node-port-range, 30000-32767). Here every node is
 * this host, and the proxy listens on 127.0.0.1:<nodePort>.
 */
import type { Store } from "../../../shared/store/types.ts";
import { RangeAllocator, type IntRange } from "./range-allocator.ts";

export const NODE_PORTS_PREFIX = "/registry/servicenodeports/";
export const DEFAULT_NODE_PORT_RANGE = "30000-32767";

/** "30000-32767" -> the range of ports. */
export function parsePortRange(range: string): IntRange {
  const m = /^(\d+)-(\d+)$/.exec(range.trim());
  const first = Number(m?.[1]);
  const last = Number(m?.[2]);
  if (!m || first < 1 || last > 65535 || first > last) throw new Error(`"${range}" is not a port range such as 30000-32767`);
  return { first, last, format: String, description: `${first}-${last}` };
}

export function newNodePortAllocator(
  store: Store,
  range = DEFAULT_NODE_PORT_RANGE,
  pickStart?: (size: number) => number,
): RangeAllocator {
  return new RangeAllocator(store, NODE_PORTS_PREFIX, parsePortRange(range), pickStart);
}
