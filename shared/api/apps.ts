/**
 * The types of chapter 13 (group apps, version v1): ReplicaSet and
 * Deployment.
 *
 * A ReplicaSet is the replication controller of chapter 08 with a richer
 * selector (matchLabels and matchExpressions). A Deployment manages
 * ReplicaSets: one per version of its pod template, and it moves the
 * replicas from the old ones to the new one at a controlled pace.
 */
import type { PodTemplateSpec } from "./core.ts";
import type { KubeObject } from "./meta.ts";

/** One set-based requirement: "tier In (web, api)", "canary DoesNotExist". */
export interface LabelSelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  values?: string[];
}

/** The object form of a selector. Every part must hold (AND). Empty selects everything. */
export interface LabelSelectorSpec {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** Conditions of ReplicaSets and Deployments: type, status, reason, message and times. */
export interface AppsCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface ReplicaSetSpec {
  replicas?: number;
  minReadySeconds?: number;
  /** Required in apps/v1, and immutable. */
  selector?: LabelSelectorSpec;
  template?: PodTemplateSpec;
}

export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: AppsCondition[];
}

export interface ReplicaSet extends KubeObject {
  apiVersion?: "apps/v1";
  kind?: "ReplicaSet";
  spec?: ReplicaSetSpec;
  status?: ReplicaSetStatus;
}

/** An absolute number of pods (2) or a share of spec.replicas ("25%"). */
export type IntOrPercent = number | string;

export interface DeploymentStrategy {
  /** "RollingUpdate" (default): replace pods a few at a time. "Recreate": all old pods go first. */
  type?: "RollingUpdate" | "Recreate";
  rollingUpdate?: {
    /** How many pods may exist above spec.replicas during a rollout. Default "25%" (rounded up). */
    maxSurge?: IntOrPercent;
    /** How many of spec.replicas may be unavailable during a rollout. Default "25%" (rounded down). */
    maxUnavailable?: IntOrPercent;
  };
}

export interface DeploymentSpec {
  replicas?: number;
  selector?: LabelSelectorSpec;
  template?: PodTemplateSpec;
  strategy?: DeploymentStrategy;
  /** A new pod counts as available once it has been Ready this long. Default 0. */
  minReadySeconds?: number;
  /** How many old ReplicaSets (with 0 replicas) to keep for rollbacks. Default 10. */
  revisionHistoryLimit?: number;
  /** The controller stops rolling out (it still scales). */
  paused?: boolean;
  /** A rollout that makes no progress for this long is reported as failed. Default 600. */
  progressDeadlineSeconds?: number;
}

export interface DeploymentStatus {
  observedGeneration?: number;
  /** Pods of every ReplicaSet of the Deployment. */
  replicas?: number;
  /** Pods of the newest ReplicaSet (the current template). */
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: AppsCondition[];
  /** Bumped when two templates hash to the same name, so the next hash differs. */
  collisionCount?: number;
}

export interface Deployment extends KubeObject {
  apiVersion?: "apps/v1";
  kind?: "Deployment";
  spec?: DeploymentSpec;
  status?: DeploymentStatus;
}
