/**
 * The types of group policy, version v1: PodDisruptionBudget and Eviction.
 *
 * A PodDisruptionBudget (PDB) says how many pods of a set may be down at
 * once for a voluntary reason (a drain, an upgrade). An Eviction is the
 * request to remove one pod while respecting those budgets: it is posted to
 * the pod's eviction subresource, and the apiserver deletes the pod only
 * when the budget allows one more disruption.
 */
import type { LabelSelectorSpec } from "./apps.ts";
import type { DeleteOptions, KubeObject } from "./meta.ts";

export interface PodDisruptionBudgetSpec {
  /** At least this many (or this percentage of) selected pods stay healthy. */
  minAvailable?: number | string;
  /** At most this many (or this percentage of) selected pods are unhealthy. Not together with minAvailable. */
  maxUnavailable?: number | string;
  /** The pods the budget covers, in the budget's namespace. An empty selector selects every pod there. */
  selector?: LabelSelectorSpec;
  /**
   * When a pod that runs but is not Ready may be evicted. "IfHealthyBudget"
   * (the default): only while the budget is met. "AlwaysAllow": always.
   * This cluster accepts the field and acts as IfHealthyBudget (a challenge of chapter 13).
   */
  unhealthyPodEvictionPolicy?: "IfHealthyBudget" | "AlwaysAllow";
}

export interface PodDisruptionBudgetCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  observedGeneration?: number;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface PodDisruptionBudgetStatus {
  /** The generation of the spec the disruption controller last looked at. */
  observedGeneration?: number;
  /**
   * Pods that an eviction has just allowed to go, by name, with the time:
   * the controller does not count them as healthy, even while they still
   * run, until it sees them go (or two minutes pass).
   */
  disruptedPods?: Record<string, string>;
  /** How many more pods may be evicted now. */
  disruptionsAllowed: number;
  /** Ready pods that are not going away. */
  currentHealthy: number;
  /** How many healthy pods the budget asks for. */
  desiredHealthy: number;
  /** How many pods the budget counts: the selected pods, or the scale of their controllers for percentages. */
  expectedPods: number;
  conditions?: PodDisruptionBudgetCondition[];
}

export interface PodDisruptionBudget extends KubeObject {
  spec?: PodDisruptionBudgetSpec;
  status?: PodDisruptionBudgetStatus;
}

/** The body posted to pods/NAME/eviction. metadata.name is the pod's name. */
export interface Eviction extends KubeObject {
  deleteOptions?: DeleteOptions;
}
