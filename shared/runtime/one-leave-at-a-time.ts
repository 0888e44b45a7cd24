/**
 * A ContainerRuntime in which containers leave their network one at a time.
 *
 * A container with a network of its own (a pod's pause container) leaves
 * that network when it stops or is removed. Docker 20.10 can lose count of
 * a network's endpoints when several containers leave the same network at
 * the same moment: the network then keeps a count above zero with no
 * endpoint left, and Docker refuses to remove it ("has active endpoints")
 * until the engine restarts (docs/decisions.md, "A Docker network left
 * behind"). The kubelets of a cluster share one network and stop pods side
 * by side (a ReplicaSet scaled down, a rollout), so the cluster wraps the
 * runtime they share in this (shared/cluster/components/05-kubelets.ts).
 *
 * Containers that share another's network (`container:<id>`, as app
 * containers share their pause container's) or have none own no endpoint:
 * they stop and go freely, in parallel.
 */
import type { ContainerRuntime, ContainerSpec } from "./types.ts";

export function oneLeaveAtATime(runtime: ContainerRuntime): ContainerRuntime {
  // Containers created here without an endpoint of their own. Any other id
  // (one created before this process started) waits its turn: a wait costs
  // little, a network that cannot be removed a lot.
  const noEndpoint = new Set<string>();
  let last: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(id: string, task: () => Promise<T>): Promise<T> => {
    if (noEndpoint.has(id)) return task();
    const turn = last.then(task, task);
    last = turn.catch(() => {});
    return turn;
  };
  return {
    ping: () => runtime.ping(),
    ensureImage: (image, onProgress) => runtime.ensureImage(image, onProgress),
    create: async (spec) => {
      const id = await runtime.create(spec);
      if (!hasOwnEndpoint(spec)) noEndpoint.add(id);
      return id;
    },
    start: (id) => runtime.start(id),
    stop: (id, gracePeriodSeconds) => inTurn(id, () => runtime.stop(id, gracePeriodSeconds)),
    remove: async (id) => {
      await inTurn(id, () => runtime.remove(id));
      noEndpoint.delete(id);
    },
    list: (labels) => runtime.list(labels),
    inspect: (id) => runtime.inspect(id),
    logs: (id, options) => runtime.logs(id, options),
    exec: (id, command) => runtime.exec(id, command),
  };
}

/** Does a container of this spec get an endpoint on a Docker network (the default bridge included)? */
export function hasOwnEndpoint(spec: Pick<ContainerSpec, "networkMode">): boolean {
  const mode = spec.networkMode ?? "bridge";
  return mode !== "none" && mode !== "host" && !mode.startsWith("container:");
}
