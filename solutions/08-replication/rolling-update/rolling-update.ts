/**
 * The rolling update of replication controllers, done by the client (the
 * classic `kubectl rolling-update`): replace the pods of one RC by pods of
 * another, one at a time, so the service never stops.
 *
 *   web (old template, 3)             web-v2 (new template, 0)
 *   deployment=3f2a...                deployment=9c41...
 *
 *   1. old 3 ready   new 0            scale new up by one ...
 *   2. old 3         new 1 -> Ready   ... wait until its new pod is Ready,
 *   3. old 2         new 1            then scale old down by one
 *   4. old 2         new 2 -> Ready
 *   5. old 1         new 2 ...        until new = 3 and old = 0; delete old.
 *
 * At every moment at least (replicas - 1) pods are Ready, so never zero
 * (given the old pods were Ready to begin with).
 *
 * Two RCs must never select each other's pods: both get a `deployment`
 * label with a hash of their template, added to their selector and to
 * their template. The old RC's running pods are labelled first, then its
 * selector is narrowed: in that order no pod ever stops matching its RC.
 *
 * Kubernetes later moved this loop into the cluster: a Deployment owns
 * ReplicaSets and its controller does these steps server-side, so an update
 * survives the laptop that started it closing, can be paused and rolled
 * back, and keeps a history. `kubectl rolling-update` was removed in 1.18.
 *
 * This file is given: chapter 13 (deployments) builds that server-side
 * controller, and the plan below becomes its job.
 */
import { createHash } from "node:crypto";
import { isApiError, type Pod, type PodTemplateSpec } from "../../../shared/api/index.ts";
import type { ReplicationController } from "../../../shared/api/replication.ts";
import { PODS } from "../../04-kubectl/client/resources.ts";
import type { ResourceClient, RestClient } from "../../04-kubectl/client/rest.ts";
import { selectorFromSet } from "../../07-labels/labels/selector.ts";
import { REPLICATION_CONTROLLERS, ScaleClient } from "../client/resources.ts";

/** The label that tells the pods of the two RCs apart. */
export const DEPLOYMENT_LABEL = "deployment";

export interface RollingUpdateOptions {
  client: RestClient;
  namespace: string;
  /** The RC to replace. */
  oldName: string;
  /** The new RC: a name and a template (its replicas default to the old RC's). */
  next: ReplicationController;
  /** Pause between steps. Default 0. */
  updatePeriodMs?: number;
  /** Give up waiting for one new pod to be Ready after this long. Default 5 minutes. */
  podTimeoutMs?: number;
  /** How often to look at the RCs while waiting. Default 250 ms. */
  pollIntervalMs?: number;
  /** Progress lines ("Scaling web-v2 up to 1"). */
  log?: (line: string) => void;
}

/** A short hash of a template, without the deployment label itself. */
export function templateHash(template: PodTemplateSpec | undefined): string {
  const copy = structuredClone(template ?? {});
  if (copy.metadata?.labels) delete copy.metadata.labels[DEPLOYMENT_LABEL];
  return createHash("sha256").update(JSON.stringify(copy)).digest("hex").slice(0, 10);
}

/** The RC with `deployment: value` in its selector and its template's labels. */
export function withDeploymentLabel(rc: ReplicationController, value: string): ReplicationController {
  const spec = rc.spec ?? {};
  const template = spec.template ?? {};
  return {
    ...rc,
    spec: {
      ...spec,
      selector: { ...(spec.selector ?? template.metadata?.labels ?? {}), [DEPLOYMENT_LABEL]: value },
      template: { ...template, metadata: { ...template.metadata, labels: { ...template.metadata?.labels, [DEPLOYMENT_LABEL]: value } } },
    },
  };
}

/** One step of the plan: what to scale next, given the current sizes. */
export type RollingStep = { kind: "scaleUpNew"; to: number } | { kind: "scaleDownOld"; to: number } | { kind: "done" };

// Given: one pod up, wait until it is Ready, one pod down; until the new RC
// has `wanted` pods and the old one none. (The caller waits after every scale-up.)
export function nextStep(oldReplicas: number, newReplicas: number, wanted: number): RollingStep {
  if (newReplicas < wanted && newReplicas + oldReplicas <= wanted) return { kind: "scaleUpNew", to: newReplicas + 1 };
  if (oldReplicas > 0) return { kind: "scaleDownOld", to: oldReplicas - 1 };
  if (newReplicas < wanted) return { kind: "scaleUpNew", to: newReplicas + 1 };
  return { kind: "done" };
}

export class RollingUpdateError extends Error {
  override readonly name = "RollingUpdateError";
}

/** Replaces the RC `oldName` by `next`, one pod at a time. Returns the new RC. */
export async function rollingUpdate(options: RollingUpdateOptions): Promise<ReplicationController> {
  const { client, namespace } = options;
  const log = options.log ?? (() => {});
  const rcs = client.resource<ReplicationController>(REPLICATION_CONTROLLERS);
  const pods = client.resource<Pod>(PODS);
  const scales = new ScaleClient(client);
  const poll = options.pollIntervalMs ?? 250;
  const newName = options.next.metadata?.name ?? "";
  if (!newName) throw new RollingUpdateError("the new replication controller needs a name");
  if (newName === options.oldName) throw new RollingUpdateError(`the new replication controller must have a name other than ${options.oldName}`);

  let old = await rcs.get(options.oldName, namespace);
  const wanted = options.next.spec?.replicas ?? old.spec?.replicas ?? 1;

  // 1. Give the old RC and its pods a deployment label of their own.
  if (!old.spec?.selector?.[DEPLOYMENT_LABEL]) old = await labelOldController(rcs, pods, old, log);
  const oldHash = old.spec?.selector?.[DEPLOYMENT_LABEL];

  // 2. The new RC (or the one a previous, interrupted run left), with its own label.
  const newHash = templateHash(options.next.spec?.template);
  if (newHash === oldHash) throw new RollingUpdateError(`${newName} has the same template as ${options.oldName}: nothing to update`);
  const base = options.next.spec?.selector ?? options.next.spec?.template?.metadata?.labels ?? {};
  const { [DEPLOYMENT_LABEL]: _ignored, ...selector } = base;
  let created = withDeploymentLabel({ ...options.next, spec: { ...options.next.spec, selector, replicas: 0 } }, newHash);
  created = { apiVersion: "v1", kind: "ReplicationController", ...created, metadata: { ...created.metadata, namespace } };
  try {
    created = await rcs.create(created, namespace);
    log(`Created ${newName}`);
  } catch (err) {
    if (!isApiError(err, "AlreadyExists")) throw err;
    created = await rcs.get(newName, namespace);
    log(`Continuing update with existing controller ${newName}.`);
  }

  // 3. One by one: a new pod up and Ready, then an old one down.
  const period = options.updatePeriodMs ?? 0;
  for (;;) {
    const [o, n] = await Promise.all([scales.get(options.oldName, namespace), scales.get(newName, namespace)]);
    const step = nextStep(o.spec?.replicas ?? 0, n.spec?.replicas ?? 0, wanted);
    if (step.kind === "done") break;
    // Each Scale is written with the resourceVersion just read: if the RC
    // changed meanwhile (its controller writes its status), read again.
    try {
      if (step.kind === "scaleUpNew") {
        await scales.update({ ...n, spec: { replicas: step.to } });
        log(`Scaling ${newName} up to ${step.to}`);
        await waitForReady(rcs, newName, namespace, step.to, options.podTimeoutMs ?? 300_000, poll);
      } else {
        await scales.update({ ...o, spec: { replicas: step.to } });
        log(`Scaling ${options.oldName} down to ${step.to}`);
      }
    } catch (err) {
      if (isApiError(err, "Conflict")) continue;
      throw err;
    }
    if (period > 0) await sleep(period);
  }

  // 4. The old RC has no pods left to keep: delete it (and, in the background, its terminating pods).
  await client.request("DELETE", rcs.path(namespace, options.oldName), { body: { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Background" } });
  log(`Update succeeded. Deleting ${options.oldName}`);
  return rcs.get(newName, namespace);
}

/** Adds deployment=<hash> to the old RC's template, then to its pods, then to its selector. */
async function labelOldController(
  rcs: ResourceClient<ReplicationController>,
  pods: ResourceClient<Pod>,
  old: ReplicationController,
  log: (line: string) => void,
): Promise<ReplicationController> {
  const name = old.metadata?.name ?? "";
  const namespace = old.metadata?.namespace;
  const hash = templateHash(old.spec?.template);
  // a. The template: pods it creates from now on carry the label.
  const labelled = withDeploymentLabel(old, hash);
  await updateRc(rcs, name, namespace, (rc) => ({ ...rc, spec: { ...rc.spec, template: labelled.spec?.template } }));
  // b. The pods it has now.
  const selector = selectorFromSet(old.spec?.selector ?? {}).toString();
  const list = await pods.list(namespace, { labelSelector: selector });
  for (const pod of list.items) {
    if (pod.metadata?.ownerReferences?.some((r) => r.controller && r.uid !== old.metadata?.uid)) continue;
    await pods.patch(pod.metadata?.name ?? "", { metadata: { labels: { [DEPLOYMENT_LABEL]: hash } } }, namespace);
  }
  // c. The selector: it now picks exactly the labelled pods.
  const updated = await updateRc(rcs, name, namespace, (rc) => ({ ...rc, spec: { ...rc.spec, selector: labelled.spec?.selector } }));
  log(`Labelled ${name} and its pods with ${DEPLOYMENT_LABEL}=${hash}`);
  return updated;
}

/** Read-modify-write of an RC, again on a conflict (its controller keeps writing its status). */
async function updateRc(
  rcs: ResourceClient<ReplicationController>,
  name: string,
  namespace: string | undefined,
  change: (rc: ReplicationController) => ReplicationController,
): Promise<ReplicationController> {
  for (let attempt = 0; ; attempt++) {
    const current = await rcs.get(name, namespace);
    try {
      return await rcs.update(change(current));
    } catch (err) {
      if (!isApiError(err, "Conflict") || attempt >= 10) throw err;
    }
  }
}

/** Waits until the RC has at least `count` Ready pods. */
async function waitForReady(rcs: ResourceClient<ReplicationController>, name: string, namespace: string, count: number, timeoutMs: number, pollMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rc = await rcs.get(name, namespace);
    const fresh = (rc.status?.observedGeneration ?? 0) >= (rc.metadata?.generation ?? 0);
    if (fresh && (rc.status?.readyReplicas ?? 0) >= count) return;
    if (Date.now() > deadline) {
      throw new RollingUpdateError(`timed out after ${timeoutMs} ms waiting for ${count} ready pod(s) of ${name} (ready: ${rc.status?.readyReplicas ?? 0}); the update stopped here, run it again to continue`);
    }
    await sleep(pollMs);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
