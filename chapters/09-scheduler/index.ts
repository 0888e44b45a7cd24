/**
 * The scheduler: decides which node runs each pod, and nothing else.
 *
 *   const scheduler = await startScheduler({ server: "http://127.0.0.1:6443" });
 *   ...
 *   await scheduler.stop();
 *
 * It watches pods and nodes (informers), keeps a cache of what every node
 * has and runs, takes unbound pods from a queue one at a time, filters and
 * scores the nodes with its plugins, and POSTs a Binding. A second
 * scheduler with another schedulerName can run beside it: each only takes
 * the pods whose spec.schedulerName names it.
 *
 *   informers ──> cache ─┐
 *       │                 ├──> schedule-one: filter, score ──> bind (DefaultBinder)
 *       └──────> queue ──┘
 *
 * Files: framework/ (plugin interfaces, NodeInfo, the runner, the default
 * profile), plugins/ (one file per plugin), cache/, queue/, schedule-one.ts
 * (one decision), scheduler.ts (the loop, assume, bind, failures),
 * event-handlers.ts (informers -> cache and queue), fit-error.ts (the
 * "0/3 nodes are available" message), events.ts (Events).
 */
import type { Node, Pod } from "../../shared/api/index.ts";
import { Informer } from "../04-kubectl/client/informer.ts";
import { NODES, PODS } from "../04-kubectl/client/resources.ts";
import { RestClient } from "../04-kubectl/client/rest.ts";
import { SchedulerCache } from "./cache/cache.ts";
import { addEventHandlers, DEFAULT_SCHEDULER_NAME } from "./event-handlers.ts";
import { EventRecorder } from "./events.ts";
import { Framework } from "./framework/framework.ts";
import { buildProfile } from "./framework/default-profile.ts";
import type { Plugin } from "./framework/types.ts";
import { SchedulingQueue } from "./queue/scheduling-queue.ts";
import { seededRandom } from "./schedule-one.ts";
import { Scheduler } from "./scheduler.ts";

export type { Plugin, FilterPlugin, ScorePlugin, Status, NodeScore } from "./framework/types.ts";
export { CycleState, MAX_NODE_SCORE, SUCCESS, unschedulable } from "./framework/types.ts";
export { NodeInfo } from "./framework/node-info.ts";

export interface SchedulerOptions {
  /** The apiserver's URL. */
  server: string;
  /** A bearer token (chapter 11). */
  token?: string;
  /** The pods to take: those whose spec.schedulerName is this. Default "default-scheduler". */
  schedulerName?: string;
  /** Extra plugins, or replacements of default ones (same name). See framework/default-profile.ts. */
  plugins?: Plugin[];
  /** Score weights by plugin name, over the defaults (NodeResourcesFit 1, SelectorSpread 2). */
  weights?: Record<string, number>;
  /** Seed of the tie-breaking between equally good nodes (default: random). */
  seed?: number;
  /** Back-off of a pod after its first failed attempt (doubles each time). Default 1000 ms. */
  podInitialBackoffMs?: number;
  /** Longest back-off. Default 10 000 ms. */
  podMaxBackoffMs?: number;
  /** Errors that do not stop the scheduler (a failed write, a broken watch). Default: printed to stderr. */
  onError?(err: Error): void;
}

export interface RunningScheduler {
  /** Pods this scheduler has bound so far. */
  readonly scheduled: number;
  /** Events not written because too many were waiting (events.ts). */
  readonly eventsDropped: number;
  /** Pods waiting in the queue, by place. */
  pending(): { active: number; backoff: number; unschedulable: number };
  stop(): Promise<void>;
}

export async function startScheduler(options: SchedulerOptions): Promise<RunningScheduler> {
  if (typeof options.server !== "string" || !/^https?:\/\/[^/]/.test(options.server)) {
    throw new Error(
      `startScheduler: server must be the apiserver's URL, like http://127.0.0.1:6443 (got ${JSON.stringify(options.server)})`,
    );
  }
  const schedulerName = options.schedulerName ?? DEFAULT_SCHEDULER_NAME;
  const onError = options.onError ?? ((err: Error) => console.error(`scheduler ${schedulerName}: ${err.message}`));
  const client = new RestClient({ server: options.server, token: options.token });
  const framework = new Framework(buildProfile({ schedulerName, client, plugins: options.plugins, weights: options.weights }));
  const cache = new SchedulerCache();
  const queue = new SchedulingQueue({
    less: (a, b) => framework.less(a, b),
    initialBackoffMs: options.podInitialBackoffMs,
    maxBackoffMs: options.podMaxBackoffMs,
  });
  const recorder = new EventRecorder(client, schedulerName, onError);
  const random = seededRandom(options.seed ?? Math.floor(Math.random() * 2 ** 32));
  const scheduler = new Scheduler({ framework, cache, queue, client, recorder, random, onError });

  const pods = new Informer<Pod>(client.resource<Pod>(PODS), { onError });
  const nodes = new Informer<Node>(client.resource<Node>(NODES), { onError });
  addEventHandlers({ schedulerName, cache, queue, pods, nodes });
  nodes.start();
  pods.start();
  try {
    // Nodes first would be nicer, but both lists are quick: wait for both
    // before deciding anything, so no pod is placed on a half-known cluster.
    await Promise.all([nodes.waitForSync(), pods.waitForSync()]);
  } catch (err) {
    queue.close();
    await Promise.all([pods.stop(), nodes.stop()]);
    throw err;
  }
  const loop = scheduler.run();

  let stopping: Promise<void> | undefined;
  return {
    get scheduled() {
      return scheduler.scheduled;
    },
    get eventsDropped() {
      return recorder.dropped;
    },
    pending: () => queue.pending,
    stop() {
      stopping ??= (async () => {
        queue.close();
        await loop;
        await Promise.all([pods.stop(), nodes.stop()]);
        await scheduler.drain();
        await recorder.flush();
      })();
      return stopping;
    },
  };
}
