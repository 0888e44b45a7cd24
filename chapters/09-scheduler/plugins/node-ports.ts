/**
 * NodePorts: a container port with a hostPort opens that port on the node
 * itself, and two pods cannot both listen on one node's port.
 * A host port is protocol, address and port; podHostPorts() has already
 * filled in the defaults (TCP, "0.0.0.0"). "0.0.0.0" is a socket on every
 * address of the node, and TCP and UDP number their ports apart:
 *
 *   TCP 0.0.0.0:8080   and TCP 10.0.0.5:8080  ->  clash
 *   TCP 10.0.0.5:8080  and TCP 10.0.0.6:8080  ->  no clash
 *   TCP 0.0.0.0:8080   and UDP 0.0.0.0:8080   ->  no clash
 *   TCP [::]:8080      and TCP 10.0.0.5:8080  ->  no clash
 *
 * Only "0.0.0.0" means every address, as in kube-scheduler (its
 * DefaultBindAllHostIP). "::" is compared like any other address.
 *
 * Reason: "node(s) didn't have free ports for the requested pod ports".
 */
import { SKIP, SUCCESS, unschedulable, type Plugin } from "../framework/types.ts";
import { podHostPorts, type HostPort } from "../framework/node-info.ts";
import { todo } from "../../../shared/todo.ts";

export const NAME = "NodePorts";
export const REASON = "node(s) didn't have free ports for the requested pod ports";

/** Do two host ports clash? */
export function portsConflict(a: HostPort, b: HostPort): boolean {
  // TODO(09.4): true when the two could not both be bound on one node
  // (examples above). Tests: "09.4 NodePorts".
  todo("09.4");
}

const STATE_KEY = "PreFilter" + NAME;

export const nodePorts: Plugin = {
  name: NAME,
  preFilter(state, pod) {
    // Most pods ask for no host port: then no node can clash, and the filter need not run.
    const wanted = podHostPorts(pod);
    state.write(STATE_KEY, wanted);
    return wanted.length === 0 ? SKIP : undefined;
  },
  filter(state, pod, nodeInfo) {
    const wanted = state.read<HostPort[]>(STATE_KEY) ?? podHostPorts(pod);
    const clash = wanted.some((w) => nodeInfo.usedPorts.some((used) => portsConflict(w, used)));
    return clash ? unschedulable(REASON) : SUCCESS;
  },
};
