/**
 * The Framework runs a profile's plugins at their extension points. It knows
 * nothing about any particular plugin: give it other plugins and the same
 * code schedules differently. (kube-scheduler: pkg/scheduler/framework/runtime.)
 */
import type { Pod } from "../../../shared/api/index.ts";
import type { NodeInfo } from "./node-info.ts";
import type { Profile } from "./default-profile.ts";
import { CycleState, MAX_NODE_SCORE, SUCCESS, type NodeScore, type Plugin, type QueuedPodInfo, type Status } from "./types.ts";

/** Where a cycle remembers which filters its preFilters skipped. */
const FILTERS_KEY = "Framework/filters";

export class Framework {
  /** The plugins of each extension point, found once: the filter loop asks for them on every node. */
  private readonly byPoint = new Map<keyof Plugin, Plugin[]>();

  constructor(readonly profile: Profile) {}

  get schedulerName(): string {
    return this.profile.schedulerName;
  }

  private with<K extends keyof Plugin>(point: K): Array<Plugin & Required<Pick<Plugin, K>>> {
    let plugins = this.byPoint.get(point);
    if (!plugins) {
      plugins = this.profile.plugins.filter((p) => typeof p[point] === "function");
      this.byPoint.set(point, plugins);
    }
    return plugins as Array<Plugin & Required<Pick<Plugin, K>>>;
  }

  /**
   * The filters to run for this cycle's pod: all of them, less those whose
   * preFilter answered "Skip" (kube-scheduler's SkipFilterPlugins).
   */
  filtersFor(state: CycleState): Array<Plugin & Required<Pick<Plugin, "filter">>> {
    return state.read<Array<Plugin & Required<Pick<Plugin, "filter">>>>(FILTERS_KEY) ?? this.with("filter");
  }

  /** The queue order (the queue-sort plugin; by age when there is none). */
  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
    const sorter = this.with("less")[0];
    return sorter ? sorter.less(a, b) : a.timestamp < b.timestamp;
  }

  /** Every preFilter; the first that does not succeed decides. */
  runPreFilterPlugins(state: CycleState, pod: Pod): Status {
    const skipped = new Set<string>();
    for (const plugin of this.with("preFilter")) {
      const status = plugin.preFilter(state, pod);
      if (status?.code === "Skip") skipped.add(plugin.name);
      else if (status && status.code !== "Success") return { ...status, plugin: plugin.name };
    }
    if (skipped.size > 0)
      state.write(
        FILTERS_KEY,
        this.with("filter").filter((p) => !skipped.has(p.name)),
      );
    return SUCCESS;
  }

  /**
   * The filters, in order, for one node. The first "no" is the answer (the
   * later filters do not run: it is cheaper, and the node reports the reason
   * kube-scheduler would report).
   */
  runFilterPlugins(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    // STEP(09.7): the first "no" of this.filtersFor(state) decides, naming
    // its plugin; later filters do not run. Tests: "09.7 the filter phase".
    //#solution
    for (const plugin of this.filtersFor(state)) {
      const status = plugin.filter(state, pod, nodeInfo);
      if (status.code !== "Success") return { ...status, plugin: plugin.name };
    }
    return SUCCESS;
    //#end
  }

  /**
   * Scores the feasible nodes: every score plugin scores every node, its
   * scores are normalised (if the plugin has normalizeScore), checked to be
   * in 0..MAX_NODE_SCORE, multiplied by the plugin's weight, and summed per
   * node. Returns one total per node, in the order of `nodes`. A plugin
   * whose preScore answered "Skip" adds nothing.
   */
  runScorePlugins(state: CycleState, pod: Pod, nodes: NodeInfo[]): NodeScore[] {
    const scorers = this.scorersFor(state, pod, nodes);
    // STEP(09.8): one weighted total per node, in the order of `nodes`, from
    // the plugins of `scorers`. Each plugin's scores are normalised (if it can), then must lie in
    // 0..MAX_NODE_SCORE: a plugin that breaks this is a bug, so throw and name it.
    // Tests: "09.8 scoring and choosing the node".
    //#solution
    const totals: NodeScore[] = nodes.map((n) => ({ name: n.name, score: 0 }));
    for (const plugin of scorers) {
      const weight = this.profile.weights[plugin.name] ?? 1;
      if (weight === 0) continue;
      const scores: NodeScore[] = nodes.map((n) => ({ name: n.name, score: plugin.score(state, pod, n) }));
      plugin.normalizeScore?.(state, pod, scores);
      for (let i = 0; i < scores.length; i++) {
        const s = scores[i]!;
        if (!(s.score >= 0 && s.score <= MAX_NODE_SCORE)) {
          throw new Error(
            `plugin ${plugin.name} gave node ${s.name} the score ${s.score}: scores must be 0..${MAX_NODE_SCORE} (normalizeScore should rescale them)`,
          );
        }
        totals[i]!.score += s.score * weight;
      }
    }
    return totals;
    //#end
  }

  /**
   * Runs every preScore; returns the score plugins to run for this pod: all
   * of them, less those whose preScore answered "Skip" (kube-scheduler's
   * SkipScorePlugins). A preScore that fails is a bug in the plugin.
   */
  scorersFor(state: CycleState, pod: Pod, nodes: NodeInfo[]): Array<Plugin & Required<Pick<Plugin, "score">>> {
    let skipped: Set<string> | undefined;
    for (const plugin of this.with("preScore")) {
      const status = plugin.preScore(state, pod, nodes);
      if (status?.code === "Skip") (skipped ??= new Set()).add(plugin.name);
      else if (status && status.code !== "Success")
        throw new Error(`plugin ${plugin.name}: preScore failed: ${status.reasons.join(", ")}`);
    }
    const scorers = this.with("score");
    return skipped ? scorers.filter((p) => !skipped.has(p.name)) : scorers;
  }

  /** The first bind plugin binds. */
  async runBindPlugins(state: CycleState, pod: Pod, nodeName: string): Promise<Status> {
    const binder = this.with("bind")[0];
    if (!binder) return { code: "Error", reasons: ["no bind plugin in the profile"] };
    return binder.bind(state, pod, nodeName);
  }
}
