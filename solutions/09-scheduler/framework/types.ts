/**
 * The scheduling framework's vocabulary, in the shape of kube-scheduler's
 * pkg/scheduler/framework: a plugin is an object with a name and one or more
 * extension points. The scheduler calls them, in this order, for each pod:
 *
 *   queueSort     which pending pod goes first              (queue/)
 *   preFilter     compute once per pod what filters need    (CycleState)
 *   filter        can this node run the pod? yes / no + reasons
 *   score         how good is this feasible node? 0..100
 *   normalizeScore  rescale one plugin's scores over all nodes
 *   bind          tell the apiserver: pod -> node
 *
 * Writing a plugin means writing one object that implements some of these
 * (see plugins/ for the default ones) and listing it in framework/default-profile.ts.
 */
import type { Pod } from "../../../shared/api/index.ts";
import type { NodeInfo } from "./node-info.ts";

/** The highest score a score plugin may give a node (after normalizeScore). */
export const MAX_NODE_SCORE = 100;

/**
 * What a plugin answers. "Unschedulable" means "not on this node, but maybe
 * later" (the pod is retried when the cluster changes); "Error" means
 * something broke. `reasons` are the phrases of the failure message:
 * "Insufficient memory", "node(s) were unschedulable". "Skip" is a
 * preFilter's answer only: "this pod asks for nothing I check", so the
 * framework does not run this plugin's filter on any node in this cycle
 * (kube-scheduler's framework.Skip). With 5,000 nodes, a filter that is not
 * called is the cheapest filter. A preScore may answer "Skip" too: then the
 * plugin does not score this pod.
 */
export type Code = "Success" | "Unschedulable" | "Error" | "Skip";

export interface Status {
  code: Code;
  reasons: string[];
  /** Which plugin said it (filled in by the framework). */
  plugin?: string;
}

export const SUCCESS: Status = Object.freeze({ code: "Success", reasons: [] }) as Status;

/** A filter's "no", with the reasons Kubernetes prints. */
export function unschedulable(...reasons: string[]): Status {
  return { code: "Unschedulable", reasons };
}

/** A preFilter's "my filter has nothing to check for this pod". */
export const SKIP: Status = Object.freeze({ code: "Skip", reasons: [] }) as Status;

export function isSuccess(status: Status | undefined): boolean {
  return status === undefined || status.code === "Success";
}

/**
 * Scratch space for one scheduling cycle of one pod: a preFilter computes
 * something once (the pod's requests) and the filter of every node reads it.
 * A fresh CycleState is made for every attempt.
 */
export class CycleState {
  private readonly data = new Map<string, unknown>();
  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }
  write(key: string, value: unknown): void {
    this.data.set(key, value);
  }
}

/** One node's score from one plugin. */
export interface NodeScore {
  name: string;
  score: number;
}

/** A pod waiting in the scheduling queue, with what the queue knows about it. */
export interface QueuedPodInfo {
  pod: Pod;
  /** When the pod entered the queue (ms since epoch): the tie-breaker of the queue order. */
  timestamp: number;
  /** How many times scheduling was tried (drives the back-off). */
  attempts: number;
  /** When the last attempt failed; the back-off counts from here. */
  lastFailure?: number;
}

/**
 * A plugin: a name plus the extension points it implements. All methods are
 * optional; the framework calls the ones that are there.
 */
export interface Plugin {
  readonly name: string;
  /** Queue order: true when pod `a` should be scheduled before pod `b`. Only one plugin may have it. */
  less?(a: QueuedPodInfo, b: QueuedPodInfo): boolean;
  /** Once per pod and cycle, before any filter. A non-success status rejects the pod on every node. */
  preFilter?(state: CycleState, pod: Pod): Status | undefined;
  /** Can `nodeInfo` run `pod`? Return SUCCESS or unschedulable(...reasons). */
  filter?(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status;
  /**
   * Once per pod and cycle, before scoring, with the feasible nodes. "Skip":
   * this plugin has nothing to score for this pod, so its score does not run
   * in this cycle (kube-scheduler's SkipScorePlugins).
   */
  preScore?(state: CycleState, pod: Pod, nodes: NodeInfo[]): Status | void;
  /** How good is this (feasible) node for the pod? Any number; normalizeScore brings it to 0..MAX_NODE_SCORE. */
  score?(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number;
  /** Rescales this plugin's scores in place, seeing all of them (e.g. "fewest pods" -> 100). */
  normalizeScore?(state: CycleState, pod: Pod, scores: NodeScore[]): void;
  /** Writes the decision to the apiserver. The first plugin with a bind does it. */
  bind?(state: CycleState, pod: Pod, nodeName: string): Promise<Status>;
}

export type FilterPlugin = Plugin & Required<Pick<Plugin, "filter">>;
export type ScorePlugin = Plugin & Required<Pick<Plugin, "score">>;
export type BindPlugin = Plugin & Required<Pick<Plugin, "bind">>;
