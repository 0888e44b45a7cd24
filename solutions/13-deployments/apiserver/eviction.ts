/**
 * pods/NAME/eviction (policy/v1 Eviction): "delete this pod, but only if no
 * PodDisruptionBudget forbids it". `kubectl drain` posts one per pod, and
 * retries every 5 seconds while the answer is 429.
 *
 *   POST /api/v1/namespaces/default/pods/web-1/eviction
 *     { apiVersion: policy/v1, kind: Eviction, metadata: { name: web-1 }, deleteOptions: {...} }
 *
 *   pod finished, pending or already deleting   -> delete it (it is no longer available anyway)
 *   no budget selects the pod                  -> delete it
 *   the budget's status allows a disruption    -> one disruption fewer, the pod in
 *                                                  status.disruptedPods, then delete it: 201
 *   otherwise                                  -> 429 TooManyRequests, nothing changes
 *
 * The decrement is a compare-and-swap on the budget's status (chapter 03's
 * guaranteedUpdate). Two evictions at the same moment both read "1 allowed";
 * only one write wins, the other reads again and sees 0. That is why a
 * budget holds even when a drain evicts many pods at once.
 *
 * The real kubectl sends the Eviction as protobuf; its message is below.
 * Kubernetes: pkg/registry/core/pod/storage/eviction.go.
 */
import type { Request, Response } from "express";
import { ApiError, badRequest, isObject, statusOf, type DeleteOptions, type Pod } from "../../../shared/api/index.ts";
import type { Eviction, PodDisruptionBudget } from "../../../shared/api/policy.ts";
import { locals } from "../../03-apiserver/chain/middleware.ts";
import { requestScope } from "../../03-apiserver/handlers/write.ts";
import { OBJECT_CONTENT_TYPES, parseBody, readBody } from "../../03-apiserver/http/body.ts";
import { metadataField, type Message } from "../../03-apiserver/http/protobuf.ts";
import type { ApiServer } from "../../03-apiserver/index.ts";
import type { ApiObject, ResourceDefinition, Subresource } from "../../03-apiserver/registry/types.ts";
import { deleteObject } from "../../03-apiserver/rest/delete.ts";
import { guaranteedUpdate } from "../../03-apiserver/rest/update.ts";
import { isPodReady } from "../../08-replication/replication/reconcile.ts";
import { selects } from "../disruption/budget.ts";

/** meta/v1 DeleteOptions, with the field numbers of Kubernetes' generated.proto. */
const DeleteOptionsMessage: Message = {
  1: ["gracePeriodSeconds", "int64"],
  2: ["preconditions", { message: { 1: ["uid", "string"], 2: ["resourceVersion", "string"] } }],
  3: ["orphanDependents", "bool"],
  4: ["propagationPolicy", "string"],
  5: ["dryRun", "string", "repeated"],
  6: ["ignoreStoreReadErrorWithClusterBreakingPotential", "bool"],
};

/** policy/v1 Eviction { 1 metadata, 2 deleteOptions }. */
export const EvictionMessage: Message = { 1: metadataField, 2: ["deleteOptions", { message: DeleteOptionsMessage }] };

/** Kubernetes' words, which `kubectl drain` prints before it retries. */
export const DISRUPTION_BUDGET_MESSAGE = "Cannot evict pod as it would violate the pod's disruption budget.";

function tooManyRequests(cause: string): ApiError {
  return new ApiError(
    statusOf(429, "TooManyRequests", DISRUPTION_BUDGET_MESSAGE, { causes: [{ reason: "DisruptionBudget", message: cause }] }),
  );
}

/** Reads and checks the body: an Eviction (JSON, YAML or protobuf) for this pod. */
async function readEviction(req: Request, podName: string): Promise<Eviction> {
  const body = parseBody(await readBody(req), req.headers["content-type"] ?? "", OBJECT_CONTENT_TYPES, {
    apiVersion: "policy/v1",
    kind: "Eviction",
    message: EvictionMessage,
  });
  if (!isObject(body)) throw badRequest("the body must be an Eviction object (apiVersion policy/v1, kind Eviction)");
  if (body.kind !== "Eviction" || !["policy/v1", "policy/v1beta1"].includes(String(body.apiVersion)))
    throw badRequest(
      `the body must be an Eviction (apiVersion policy/v1), not ${String(body.kind)} (${String(body.apiVersion)})`,
    );
  const eviction = body as unknown as Eviction;
  if (eviction.metadata !== undefined && !isObject(eviction.metadata)) throw badRequest("metadata must be an object");
  if (eviction.deleteOptions !== undefined && !isObject(eviction.deleteOptions))
    throw badRequest("deleteOptions must be an object");
  const grace = eviction.deleteOptions?.gracePeriodSeconds;
  if (grace !== undefined && !(typeof grace === "number" && Number.isInteger(grace) && grace >= 0))
    throw badRequest(`deleteOptions.gracePeriodSeconds must be a whole number >= 0, not ${JSON.stringify(grace)}`);
  if (eviction.metadata?.name !== podName) throw badRequest("name in URL does not match name in Eviction object");
  return eviction;
}

/** A pod whose loss costs no availability: finished, never started, or already going. */
function canIgnoreBudget(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === "Succeeded" || phase === "Failed" || phase === "Pending" || !!pod.metadata?.deletionTimestamp;
}

export const evictionSubresource = (apiserver: ApiServer): Subresource => ({
  name: "eviction",
  kind: "Eviction",
  group: "policy",
  version: "v1",
  verbs: ["create"],
  async handle({ req, res, resource: pods, namespace = "default", name, query }) {
    const eviction = await readEviction(req, name);
    const scope = requestScope(query, locals(res as Response).user);
    if (eviction.deleteOptions?.dryRun?.includes("All")) scope.dryRun = true;
    const pod = (await apiserver.storage.get(pods, namespace, name)) as Pod;
    // Delete this very pod: a new pod with the same name must not go instead.
    const options: DeleteOptions = {
      ...(eviction.deleteOptions ?? {}),
      preconditions: { ...eviction.deleteOptions?.preconditions, uid: pod.metadata?.uid },
    };
    const remove = async () => {
      await deleteObject(apiserver, pods, namespace, name, options, scope);
      return { code: 201, body: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 } };
    };
    if (canIgnoreBudget(pod)) return remove();

    const budgets = apiserver.registry.lookup("policy", "v1", "poddisruptionbudgets");
    if (!budgets) return remove();
    const matching = (await apiserver.storage.list(budgets, namespace)).items.filter((b) =>
      selects(b as PodDisruptionBudget, pod),
    ) as PodDisruptionBudget[];
    if (matching.length === 0) return remove();
    if (matching.length > 1)
      // Kubernetes answers 500 InternalError here, with this message: which budget would decide is
      // not defined. This apiserver answers every client-caused refusal with a 4xx, so 409 Conflict:
      // the pod's budgets conflict, and a client must fix them (kubectl drain reports it and goes on).
      throw new ApiError(
        statusOf(
          409,
          "Conflict",
          "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
        ),
      );
    const pdb = matching[0]!;
    const status = pdb.status;
    // An unready pod is not counted as healthy: evicting it costs nothing while the budget is met.
    if (!isPodReady(pod) && status && status.desiredHealthy > 0 && status.currentHealthy >= status.desiredHealthy)
      return remove();

    await guaranteedUpdate(
      apiserver,
      budgets,
      namespace,
      pdb.metadata?.name ?? "",
      scope,
      "status",
      false,
      (current: ApiObject) => decrement(current as PodDisruptionBudget, name),
    );
    return remove();
  },
});

/** One disruption fewer, and the pod noted as going; or 429 when none is left. */
export function decrement(pdb: PodDisruptionBudget, podName: string, now = new Date()): ApiObject {
  const status = pdb.status ?? { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
  // The controller has not looked at the newest spec yet: its count may be wrong.
  if ((status.observedGeneration ?? 0) < (pdb.metadata?.generation ?? 1))
    throw tooManyRequests(`The disruption budget ${pdb.metadata?.name} is still being processed by the server.`);
  if (status.disruptionsAllowed <= 0)
    throw tooManyRequests(
      `The disruption budget ${pdb.metadata?.name} needs ${status.desiredHealthy} healthy pods and has ${status.currentHealthy} currently`,
    );
  return {
    ...pdb,
    status: {
      ...status,
      disruptionsAllowed: status.disruptionsAllowed - 1,
      disruptedPods: { ...status.disruptedPods, [podName]: now.toISOString().replace(/\.\d{3}Z$/, "Z") },
    },
  } as ApiObject;
}

/** Registers the eviction subresource on pods (needs the poddisruptionbudgets resource registered). */
export function installEviction(apiserver: ApiServer, pods: ResourceDefinition): void {
  if (apiserver.registry.subresource(pods, "eviction")) return;
  apiserver.registry.addSubresource("", "pods", evictionSubresource(apiserver));
}
