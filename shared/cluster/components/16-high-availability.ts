/**
 * Chapter 16: high availability. prepare() sets the wrapper with which the
 * components of chapters 08 and 09 start the controller manager and the
 * scheduler: two replicas each, behind a leader election on a Lease
 * (kube-system/kube-controller-manager, kube-system/kube-scheduler). start()
 * serves leases, starts a node Lease beside every kubelet, and gives chapter
 * 12's node lifecycle controller the leases as a second heartbeat.
 * options.leaderElection and options.nodeLease tune the timings (tests
 * shorten Kubernetes' 15 s lease to a few seconds).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { HighAvailabilityModule, SelfHealingModule, Stoppable } from "../contracts.ts";
import type { ClusterComponent } from "../types.ts";

const MODULE = "16-high-availability/index.ts";

export const highAvailabilityComponent: ClusterComponent = {
  chapter: "16",
  name: "high availability",
  after: {
    apiserver: "leases are served there",
    "secrets and access control": "the electors and node leases send their token from their first request",
    kubelets: "each kubelet gets its node Lease",
  },
  enabled: (ctx) => existsSync(join(ctx.tree, MODULE)),
  async prepare(ctx) {
    const ha = await ctx.load<HighAvailabilityModule>(MODULE);
    // The apiserver's URL is known only once it runs: read it when a component starts.
    ctx.controlPlaneWrapper = (leaseName, start) => {
      if (!ctx.url) throw new Error("leader election needs the apiserver of chapter 03");
      return ha.leaderElected({ ...ctx.options.leaderElection, server: ctx.url, token: ctx.token, log: ctx.log })(
        leaseName,
        start,
      );
    };
  },
  async start(ctx) {
    if (!ctx.apiserver || !ctx.url) throw new Error("high availability needs the apiserver of chapter 03");
    const ha = await ctx.load<HighAvailabilityModule>(MODULE);
    ha.installLeases(ctx.apiserver);

    // Chapter 12's controller, again, with the node leases as a second heartbeat.
    if (ctx.has("12") && existsSync(join(ctx.tree, "12-self-healing", "index.ts"))) {
      const healing = await ctx.load<SelfHealingModule>("12-self-healing/index.ts");
      Object.assign(
        ctx.controllers,
        healing.controllers({ ...ctx.options.nodeLifecycle, leaseHeartbeats: ha.nodeLeaseHeartbeats }),
      );
    }

    // A node Lease beside every kubelet: started and stopped with it.
    const url = ctx.url;
    const leases = new Map<string, Stoppable>();
    const startLease = (nodeName: string) =>
      leases.set(
        nodeName,
        ha.startNodeLease({ ...ctx.options.nodeLease, server: url, token: ctx.token, nodeName, log: ctx.log }),
      );
    const stopLease = async (nodeName: string) => {
      const lease = leases.get(nodeName);
      leases.delete(nodeName);
      await lease?.stop();
    };
    for (const node of ctx.nodes) startLease(node.nodeName);
    const { startNode, stopNode } = ctx;
    if (startNode && stopNode) {
      ctx.startNode = async (name) => {
        await stopLease(name);
        const kubelet = await startNode(name);
        startLease(name);
        return kubelet;
      };
      ctx.stopNode = async (name) => {
        await stopLease(name);
        await stopNode(name);
      };
    }
    const o = ctx.options.leaderElection ?? {};
    ctx.log(
      `high availability: leases served; scheduler and controller manager as ${o.replicas ?? 2} replicas each (lease ${(o.leaseDurationMs ?? 15_000) / 1000}s); ${leases.size} node leases`,
    );
    return async () => {
      await Promise.all([...leases.keys()].map(stopLease));
    };
  },
};
