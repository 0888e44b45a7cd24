/**
 * Which plugins run, in which order, with which weights: the scheduler's
 * "profile". The defaults follow kube-scheduler's default profile (filters
 * in its order, so a node is refused with the same reason it would give).
 *
 * To add a plugin: write plugins/<name>.ts exporting a Plugin, and either
 * list it here or pass it to startScheduler({ plugins: [myPlugin] }). A
 * plugin with the name of a default one replaces it; a new one runs after
 * the defaults (but before the default binder, so it may bind itself).
 */
import type { RestClient } from "../../04-kubectl/client/rest.ts";
import { defaultBinder, NAME as DEFAULT_BINDER } from "../plugins/default-binder.ts";
import { nodeAffinity } from "../plugins/node-affinity.ts";
import { nodePorts } from "../plugins/node-ports.ts";
import { nodeResourcesFit } from "../plugins/node-resources-fit.ts";
import { nodeUnschedulable } from "../plugins/node-unschedulable.ts";
import { prioritySort } from "../plugins/priority-sort.ts";
import { selectorSpread } from "../plugins/selector-spread.ts";
import { taintToleration } from "../plugins/taint-toleration.ts";
import type { Plugin } from "./types.ts";

export interface Profile {
  /** Pods whose spec.schedulerName is this one are ours. */
  schedulerName: string;
  /** In the order their extension points run. */
  plugins: Plugin[];
  /** Score weights by plugin name (default 1). */
  weights: Record<string, number>;
}

/** kube-scheduler gives topology spreading twice the weight of resource balance. */
export const DEFAULT_WEIGHTS: Record<string, number> = { NodeResourcesFit: 1, SelectorSpread: 2 };

export function defaultPlugins(client: RestClient): Plugin[] {
  return [
    prioritySort,
    nodeUnschedulable,
    taintToleration,
    nodeAffinity,
    nodePorts,
    nodeResourcesFit,
    selectorSpread,
    defaultBinder(client),
  ];
}

export function buildProfile(options: {
  schedulerName: string;
  client: RestClient;
  plugins?: Plugin[];
  weights?: Record<string, number>;
}): Profile {
  const plugins = defaultPlugins(options.client);
  for (const plugin of options.plugins ?? []) {
    if (!plugin || typeof plugin.name !== "string" || plugin.name === "") {
      throw new Error(
        'a scheduler plugin needs a name: export an object like { name: "MyPlugin", filter(state, pod, nodeInfo) { ... } }',
      );
    }
    const same = plugins.findIndex((p) => p.name === plugin.name);
    if (same >= 0) plugins[same] = plugin;
    else
      plugins.splice(
        plugins.findIndex((p) => p.name === DEFAULT_BINDER),
        0,
        plugin,
      );
  }
  if (plugins.filter((p) => p.less).length > 1) {
    throw new Error(
      `only one plugin may sort the queue, found: ${plugins
        .filter((p) => p.less)
        .map((p) => p.name)
        .join(", ")}`,
    );
  }
  const weights = { ...DEFAULT_WEIGHTS, ...options.weights };
  for (const [name, w] of Object.entries(weights)) {
    if (!Number.isFinite(w) || w < 0) throw new Error(`the weight of ${name} must be a number >= 0, got ${w}`);
  }
  return { schedulerName: options.schedulerName, plugins, weights };
}
