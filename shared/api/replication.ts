/**
 * The types of chapter 08: the ReplicationController (core/v1) and the Scale
 * object (autoscaling/v1) that its scale subresource speaks.
 *
 * A ReplicationController says "keep `replicas` pods that match `selector`
 * running, made from `template`". The controller manager's replication
 * controller does the keeping; the apiserver only stores the wish.
 */
import type { PodTemplateSpec } from "./core.ts";
import type { KubeObject } from "./meta.ts";

export interface ReplicationControllerSpec {
  /** How many pods are wanted. Default 1. */
  replicas?: number;
  /** A pod counts as available once it has been Ready this long. Default 0. */
  minReadySeconds?: number;
  /** Which pods belong to it, as a label map (app: web). Default: the template's labels. */
  selector?: Record<string, string>;
  /** What a new pod looks like: its labels must match the selector. */
  template?: PodTemplateSpec;
}

export interface ReplicationControllerCondition {
  /** "ReplicaFailure": the controller could not create or delete pods. */
  type: string;
  status: "True" | "False" | "Unknown";
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface ReplicationControllerStatus {
  /** How many pods it owns now (not being deleted). */
  replicas: number;
  /** Of those, how many carry every label of the template. */
  fullyLabeledReplicas?: number;
  /** Of those, how many are Ready. */
  readyReplicas?: number;
  /** Of those, how many have been Ready for minReadySeconds. */
  availableReplicas?: number;
  /** The metadata.generation the controller last acted on. */
  observedGeneration?: number;
  conditions?: ReplicationControllerCondition[];
}

export interface ReplicationController extends KubeObject {
  apiVersion?: "v1";
  kind?: "ReplicationController";
  spec?: ReplicationControllerSpec;
  status?: ReplicationControllerStatus;
}

/**
 * autoscaling/v1 Scale: the view of any scalable object that `kubectl scale`
 * (and an autoscaler) reads and writes, whatever the object's kind.
 */
export interface Scale extends KubeObject {
  apiVersion?: "autoscaling/v1";
  kind?: "Scale";
  spec?: { replicas?: number };
  status?: { replicas: number; selector?: string };
}
