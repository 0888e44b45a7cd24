/**
 * The conditions the namespace controller writes on a Terminating
 * namespace, with Kubernetes' types, reasons and messages, so that
 * `kubectl get namespace team-a -o yaml` tells an operator what it waits for.
 */
import { timestamp } from "../../../shared/api/index.ts";

export interface NamespaceCondition {
  type: string;
  status: "True" | "False";
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** What one pass of the controller saw. */
export interface DeletionPass {
  /** Kinds that could not be listed or deleted, with the error. */
  failures: string[];
  /** Objects still there, per "plural.group" ("pods." -> 2, "deployments.apps" -> 1), as Kubernetes names them. */
  remaining: Map<string, number>;
}

export function deletionConditions(
  pass: DeletionPass,
  previous: NamespaceCondition[] = [],
  now = new Date(),
): NamespaceCondition[] {
  const remaining = [...pass.remaining].filter(([, n]) => n > 0).sort(([a], [b]) => (a < b ? -1 : 1));
  const wanted: Omit<NamespaceCondition, "lastTransitionTime">[] = [
    {
      type: "NamespaceDeletionDiscoveryFailure",
      status: "False",
      reason: "ResourcesDiscovered",
      message: "All resources successfully discovered",
    },
    {
      type: "NamespaceDeletionGroupVersionParsingFailure",
      status: "False",
      reason: "ParsedGroupVersions",
      message: "All legacy kube types successfully parsed",
    },
    pass.failures.length
      ? {
          type: "NamespaceDeletionContentFailure",
          status: "True",
          reason: "ContentDeletionFailed",
          message: `Failed to delete all resource types, ${pass.failures.length} remaining: ${pass.failures.join(", ")}`,
        }
      : {
          type: "NamespaceDeletionContentFailure",
          status: "False",
          reason: "ContentDeleted",
          message: "All content successfully deleted, may be waiting on finalization",
        },
    remaining.length
      ? {
          type: "NamespaceContentRemaining",
          status: "True",
          reason: "SomeResourcesRemain",
          message: `Some resources are remaining: ${remaining.map(([kind, n]) => `${kind} has ${n} resource instances`).join(", ")}`,
        }
      : {
          type: "NamespaceContentRemaining",
          status: "False",
          reason: "ContentRemoved",
          message: "All content successfully removed",
        },
    {
      type: "NamespaceFinalizersRemaining",
      status: "False",
      reason: "ContentHasNoFinalizers",
      message: "All content-preserving finalizers finished",
    },
  ];
  // A condition keeps its lastTransitionTime while its status stays the same.
  return wanted.map((c) => {
    const before = previous.find((p) => p.type === c.type);
    return { ...c, lastTransitionTime: before && before.status === c.status ? before.lastTransitionTime : timestamp(now) };
  });
}
