/**
 * CPU per scheduling decision, without HTTP: the chapter 09 scheduler's
 * cache, framework and default plugins, in this process, on hollow nodes.
 * Each pod goes through what the scheduler does for it: the decision
 * (schedulePod), the assumption (cache.assumePod) and, as the watch would
 * later, the confirmation of the binding (cache.addPod). The pods and nodes
 * are those of the scheduler figure (bench/lib/load.ts).
 *
 *   npx tsx bench/schedule-cycle.ts [nodes=5000] [pods=10000] [--owned]
 *
 * --owned gives every pod a controller (one of 20 ReplicationControllers),
 * so SelectorSpread has peers to count. The figure is CPU time of this
 * process (process.cpuUsage), so a busy machine changes it less than wall
 * time; still compare runs taken back to back.
 */
import type { Pod } from "../shared/api/index.ts";
import type { RestClient } from "../solutions/04-kubectl/client/rest.ts";
import { SchedulerCache } from "../solutions/09-scheduler/cache/cache.ts";
import { DEFAULT_WEIGHTS, defaultPlugins } from "../solutions/09-scheduler/framework/default-profile.ts";
import { Framework } from "../solutions/09-scheduler/framework/framework.ts";
import { CycleState } from "../solutions/09-scheduler/framework/types.ts";
import { NodeSampler, schedulePod, seededRandom } from "../solutions/09-scheduler/schedule-one.ts";
import { benchPod, hollowNode } from "./lib/load.ts";

const args = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const owned = process.argv.includes("--owned");
const nodeCount = Number(args[0] ?? 5000);
const podCount = Number(args[1] ?? 10000);
if (!Number.isInteger(nodeCount) || nodeCount <= 0 || !Number.isInteger(podCount) || podCount <= 0) {
  console.error("usage: npx tsx bench/schedule-cycle.ts [nodes] [pods] [--owned]: both must be positive whole numbers");
  process.exit(1);
}

const cache = new SchedulerCache();
for (let i = 0; i < nodeCount; i++) cache.addNode(hollowNode(`hollow-${i}`));
// The binder is never called: no client.
const fwk = new Framework({
  schedulerName: "default-scheduler",
  plugins: defaultPlugins({} as RestClient),
  weights: DEFAULT_WEIGHTS,
});
const sampler = new NodeSampler();
const random = seededRandom(1);

function pending(i: number): Pod {
  const pod = benchPod(`pod-${i}`, "bench");
  pod.metadata!.uid = `uid-${i}`;
  if (owned) {
    const rc = `rc-${i % 20}`;
    pod.metadata!.ownerReferences = [{ apiVersion: "v1", kind: "ReplicationController", name: rc, uid: rc, controller: true }];
  }
  return pod;
}

function main(): void {
  // Made before the clock starts: decoding is not part of the decision.
  const pods = Array.from({ length: podCount }, (_, i) => pending(i));
  let decideMicros = 0;
  let confirmMicros = 0;
  let evaluated = 0;
  for (const pod of pods) {
    const t0 = process.cpuUsage();
    const result = schedulePod(fwk, new CycleState(), pod, cache.nodes(), random, sampler);
    const assumed: Pod = { ...pod, spec: { ...pod.spec!, nodeName: result.suggestedHost } };
    cache.assumePod(assumed);
    const t1 = process.cpuUsage(t0);
    // What the pod informer does when the binding comes back through the watch.
    cache.addPod(assumed);
    const t2 = process.cpuUsage(t0);
    decideMicros += t1.user + t1.system;
    confirmMicros += t2.user + t2.system - (t1.user + t1.system);
    evaluated += result.evaluatedNodes;
  }
  const perPod = (micros: number) => (micros / podCount).toFixed(1);
  console.log(
    `${podCount} pods on ${nodeCount} nodes${owned ? " (owned by 20 controllers)" : ""}: ` +
      `decide + assume ${perPod(decideMicros)} µs CPU per pod (${(decideMicros / evaluated).toFixed(2)} µs per filtered node, ` +
      `${(evaluated / podCount).toFixed(0)} nodes filtered per pod), confirm ${perPod(confirmMicros)} µs`,
  );
}

// Not at module load: a profile (node --cpu-prof) leaves module loading out.
setImmediate(main);
