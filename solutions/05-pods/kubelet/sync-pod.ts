/**
 * syncPod: the heart of the kubelet. Kubernetes is built on one idea,
 * repeated in every component: compare the DESIRED state (here: the pod's
 * spec, from the apiserver) with the ACTUAL state (the containers on the
 * engine), and act to close the gap. Never "run this container" as an
 * order to execute once, always "make it so", again and again:
 *
 *   desired (pod.spec)          actual (containers with the pod's uid label)
 *   ------------------          ------------------------------------------
 *   the pod exists        --->  a running pause container?   no: create it
 *   container "web"       --->  a running "web" instance?    no: start one,
 *                                                            if the restart
 *                                                            policy says so
 *                                                            and the back-off
 *                                                            allows it
 *
 * A sync is idempotent: run it twice and the second one does nothing. That
 * is what makes the kubelet robust: after a crash, a restart, a missed
 * event, the next sync simply puts things right.
 */
import type { Container, Pod } from "../../../shared/api/index.ts";
import { isRuntimeError } from "../../../shared/runtime/errors.ts";
import type { ContainerRuntime, ContainerStatus } from "../../../shared/runtime/types.ts";
import type { RestClient } from "../../04-kubectl/client/rest.ts";
import { cpuMillis, memoryBytes } from "../../../shared/api/quantity.ts";
import {
  appContainerSpec,
  containerHash,
  groupByPod,
  LABEL_CONTAINER_HASH,
  LABEL_POD_UID,
  nodeLabels,
  restartCountOf,
  sandboxSpec,
  type ContainerContext,
  type ContainerExtras,
  type PodContainers,
} from "./containers.ts";
import { EnvError, type EnvironmentBuilder } from "./env.ts";
import { shouldRestart, type BackOff } from "./restart-policy.ts";
import type { Waiting } from "./status.ts";
import { VolumeError, type VolumeManager, type VolumeSource } from "./volumes.ts";

/** Everything a sync needs; one per kubelet. */
export interface SyncContext {
  runtime: ContainerRuntime;
  containers: ContainerContext;
  volumes: VolumeManager;
  env: EnvironmentBuilder;
  backOff: BackOff;
  client: RestClient;
  /**
   * The pause image once this kubelet found (or pulled) it: checked once,
   * not for every pod, as a runtime keeps its sandbox image at hand. App
   * images are still checked before each container (Kubernetes'
   * EnsureImageExists; chapter 13 reports it as an event). A create that
   * answers ImageNotFound forgets the image.
   */
  imagesPresent: Set<string>;
  /** Ask for another sync of this pod in `ms` (when a back-off ends). */
  requeueAfter(uid: string, ms: number): void;
  /** Reports what the kubelet did, for the log. */
  log(message: string): void;
}

export interface SyncResult {
  /** Containers that should run but do not, and why. */
  waiting: Map<string, Waiting>;
  /** The pod's containers on the engine when the sync ended: what the status is computed from. */
  observed: PodContainers | undefined;
}

/** The pod's containers on this node, inspected (undefined: none). */
export async function observePod(ctx: SyncContext, uid: string): Promise<PodContainers | undefined> {
  const summaries = await ctx.runtime.list({ ...nodeLabels(ctx.containers), [LABEL_POD_UID]: uid });
  return groupByPod(
    await inspectAll(
      ctx.runtime,
      summaries.map((s) => s.id),
    ),
  ).get(uid);
}

/**
 * `observed` after some of its containers changed: those in `ids` are
 * inspected again (or for the first time), the others are kept as they
 * were. One inspect per changed container costs less than a new list of
 * the pod's containers followed by an inspect of each.
 */
export async function reobserve(
  ctx: SyncContext,
  uid: string,
  observed: PodContainers | undefined,
  ids: Iterable<string>,
): Promise<PodContainers | undefined> {
  const fresh = new Set(ids);
  if (fresh.size === 0) return observed;
  const kept = [...(observed?.sandboxes ?? []), ...[...(observed?.containers.values() ?? [])].flat()].filter(
    (c) => !fresh.has(c.id),
  );
  return groupByPod([...kept, ...(await inspectAll(ctx.runtime, [...fresh]))]).get(uid);
}

/** Makes sure the pause image is on the engine: asks the runtime the first time only (see SyncContext.imagesPresent). */
export async function ensurePauseImage(ctx: SyncContext): Promise<void> {
  const image = ctx.containers.pauseImage;
  if (ctx.imagesPresent.has(image)) return;
  await ctx.runtime.ensureImage(image);
  ctx.imagesPresent.add(image);
}

/** Inspects containers; one removed in the meantime is skipped. */
export async function inspectAll(runtime: ContainerRuntime, ids: string[]): Promise<ContainerStatus[]> {
  const found = await Promise.all(
    ids.map((id) =>
      runtime.inspect(id).catch((err: unknown) => {
        if (isRuntimeError(err, "ContainerNotFound")) return undefined;
        throw err;
      }),
    ),
  );
  return found.filter((s): s is ContainerStatus => s !== undefined);
}

function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
}

/** Kubernetes limits -> cgroup settings. Requests matter to the scheduler (chapter 09), not here. */
export function resourceLimits(container: Container): ContainerExtras["resources"] {
  const limits = container.resources?.limits ?? {};
  const out: NonNullable<ContainerExtras["resources"]> = {};
  if (limits.memory !== undefined) out.memoryBytes = memoryBytes(limits.memory);
  if (limits.cpu !== undefined) out.cpuMillis = cpuMillis(limits.cpu);
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Brings the pod's containers to what its spec asks for. */
export async function syncPod(outer: SyncContext, pod: Pod): Promise<SyncResult> {
  const uid = pod.metadata?.uid ?? "";
  const waiting = new Map<string, Waiting>();
  // The containers this sync creates, starts or stops: inspected again at
  // the end, so the status written next is what the engine has now.
  const changed = new Set<string>();
  const ctx: SyncContext = { ...outer, runtime: recordChanges(outer.runtime, changed, outer.imagesPresent) };
  let observed = await observePod(ctx, uid);

  // A finished pod keeps its exited containers (for `kubectl logs`) but
  // nothing of it runs any more, not even the pause container.
  if (isTerminal(pod)) {
    const running = [...(observed?.sandboxes ?? []), ...[...(observed?.containers.values() ?? [])].flat()].filter(
      (c) => c.state === "running",
    );
    await Promise.all(running.map((c) => ctx.runtime.stop(c.id, 0)));
    return { waiting, observed: await reobserve(ctx, uid, observed, changed) };
  }

  // Old instances: keep the current one and the one before it (for `kubectl logs --previous`).
  for (const instances of observed?.containers.values() ?? []) {
    for (const old of instances.slice(2)) await ctx.runtime.remove(old.id);
  }
  for (const old of observed?.sandboxes.slice(1) ?? []) await ctx.runtime.remove(old.id);

  const ensured = await ensureSandbox(ctx, pod, observed);
  observed = ensured.observed;
  const sandbox = ensured.sandbox;
  if (!sandbox) throw new Error(`pod ${podRef(pod)}: the pause container vanished as it started`);

  let volumes: Map<string, VolumeSource>;
  try {
    volumes = await ctx.volumes.setUpPod(pod);
  } catch (err) {
    if (!(err instanceof VolumeError)) throw err;
    for (const c of pod.spec?.containers ?? []) waiting.set(c.name, { reason: "ContainerCreating", message: err.message });
    ctx.requeueAfter(uid, 2_000);
    return { waiting, observed: await reobserve(ctx, uid, observed, changed) };
  }

  for (const container of pod.spec?.containers ?? []) {
    const instances = observed?.containers.get(container.name) ?? [];
    await syncContainer(ctx, pod, container, instances[0], sandbox.id, volumes, waiting);
  }
  return { waiting, observed: await reobserve(ctx, uid, observed, changed) };
}

/**
 * The runtime, noting the id of every container created, started, stopped
 * or removed through it; a create that finds no image forgets that image
 * was present (someone removed it: the next sync pulls it again).
 */
function recordChanges(runtime: ContainerRuntime, changed: Set<string>, imagesPresent: Set<string>): ContainerRuntime {
  const note = (id: string): string => (changed.add(id), id);
  return {
    ping: () => runtime.ping(),
    ensureImage: (image, onProgress) => runtime.ensureImage(image, onProgress),
    create: async (spec) => {
      try {
        return note(await runtime.create(spec));
      } catch (err) {
        if (isRuntimeError(err, "ImageNotFound")) imagesPresent.delete(spec.image);
        throw err;
      }
    },
    start: (id) => runtime.start(note(id)),
    stop: (id, gracePeriodSeconds) => runtime.stop(note(id), gracePeriodSeconds),
    remove: (id) => runtime.remove(note(id)),
    list: (labels) => runtime.list(labels),
    inspect: (id) => runtime.inspect(id),
    logs: (id, options) => runtime.logs(id, options),
    exec: (id, command) => runtime.exec(id, command),
  };
}

/** Makes sure the pod has a running pause container; returns it and what the pod now has on the engine. */
async function ensureSandbox(
  ctx: SyncContext,
  pod: Pod,
  observed: PodContainers | undefined,
): Promise<{ observed: PodContainers | undefined; sandbox: ContainerStatus | undefined }> {
  const uid = pod.metadata?.uid ?? "";
  // STEP(05.4): the sync decision, part 1: the sandbox. Afterwards the pod
  // has a running pause container, and no app container runs in a dead one
  // (its network namespace is gone). Stop those, do not remove them: they
  // are the previous instances (restartCount counts on, logs --previous).
  // A new sandbox's attempt is the dead one's + 1 (0 for the first).
  // Return what is now on the engine (ensurePauseImage() and reobserve()
  // above save calls to it: a busy engine answers each one slowly).
  // Tests: "05.4 sync > a new pod ...", "05.4 sync > a dead pause container ...".
  //#solution
  let sandbox = observed?.sandboxes[0];
  if (sandbox?.state !== "running") {
    // Kubernetes gives them the pod's grace period; here their network is already gone, so at once.
    const stranded = [...(observed?.containers.values() ?? [])].flat().filter((c) => c.state === "running");
    await Promise.all(stranded.map((c) => ctx.runtime.stop(c.id, 0)));
    const attempt = sandbox ? restartCountOf(sandbox) + 1 : 0;
    await ensurePauseImage(ctx);
    const id = await ctx.runtime.create(sandboxSpec(ctx.containers, pod, attempt));
    await ctx.runtime.start(id);
    ctx.log(`pod ${podRef(pod)}: started the pause container ${id.slice(0, 12)}`);
    // Inspect what changed (one call each), rather than list the pod again.
    observed = await reobserve(ctx, uid, observed, [id, ...stranded.map((c) => c.id)]);
    sandbox = observed?.sandboxes[0];
  }
  return { observed, sandbox };
  //#end
}

/** One container of the pod: leave it, start it, restart it, or wait. */
async function syncContainer(
  ctx: SyncContext,
  pod: Pod,
  container: Container,
  current: ContainerStatus | undefined,
  sandboxId: string,
  volumes: Map<string, VolumeSource>,
  waiting: Map<string, Waiting>,
): Promise<void> {
  const uid = pod.metadata?.uid ?? "";
  const key = `${uid}/${container.name}`;
  let restartCount = 0;
  // STEP(05.4): the sync decision, part 2: one container. From `current`
  // (its newest instance, or none), the spec, the restart policy and the
  // back-off, decide: leave it, kill it, restart it, or wait. Fall through
  // to startContainer() (below) with the next restartCount to start one.
  // A wait shows as CrashLoopBackOff and must wake the pod up again later.
  // A changed spec (its hash label differs) is a kill and a start, whatever
  // the restart policy says, in the same sandbox.
  // Tests: "05.4 sync > a second sync ...", "05.4 sync > a changed spec ...";
  // with 05.6: "05.6 sync > a crashed container restarts ...".
  //#solution
  if (current?.state === "running") {
    if (current.labels[LABEL_CONTAINER_HASH] === containerHash(container)) return;
    ctx.log(`pod ${podRef(pod)}: container ${container.name}'s definition changed, it will be restarted`);
    await ctx.runtime.stop(current.id, pod.spec?.terminationGracePeriodSeconds ?? 30);
    restartCount = restartCountOf(current) + 1;
  } else if (current) {
    const exitCode = current.state === "exited" ? (current.exitCode ?? 0) : 128;
    if (!shouldRestart(pod.spec?.restartPolicy ?? "Always", exitCode)) return;
    const finishedAt = Date.parse(current.finishedAt ?? current.createdAt);
    if (ctx.backOff.inBackOff(key, finishedAt)) {
      const delay = ctx.backOff.delay(key);
      const meta = pod.metadata ?? {};
      waiting.set(container.name, {
        reason: "CrashLoopBackOff",
        message: `back-off ${formatSeconds(delay)} restarting failed container=${container.name} pod=${meta.name}_${meta.namespace}(${uid})`,
      });
      ctx.requeueAfter(uid, Math.max(0, finishedAt + delay - Date.now()) + 10);
      return;
    }
    ctx.backOff.next(key);
    restartCount = restartCountOf(current) + 1;
  }
  //#end
  await startContainer(ctx, pod, container, sandboxId, restartCount, volumes, waiting);
}

/** Creates and starts one instance; what goes wrong becomes a waiting reason, as in Kubernetes. */
async function startContainer(
  ctx: SyncContext,
  pod: Pod,
  container: Container,
  sandboxId: string,
  restartCount: number,
  volumes: Map<string, VolumeSource>,
  waiting: Map<string, Waiting>,
): Promise<void> {
  const image = container.image ?? "";
  let extras: ContainerExtras;
  try {
    extras = {
      env: await ctx.env.build({ pod, container, nodeName: ctx.containers.nodeName, client: ctx.client }),
      mounts: ctx.volumes.mountsFor(container, volumes),
      resources: resourceLimits(container),
    };
  } catch (err) {
    if (!(err instanceof EnvError || err instanceof VolumeError || /quantity/.test((err as Error).message))) throw err;
    waiting.set(container.name, { reason: "CreateContainerConfigError", message: (err as Error).message });
    return;
  }
  // imagePullPolicy: with no registry at hand, "Always" and "IfNotPresent"
  // both mean "pull when missing"; "Never" never pulls (create then fails
  // with ImageNotFound if the image is not there: ErrImageNeverPull).
  if (container.imagePullPolicy !== "Never") {
    try {
      await ctx.runtime.ensureImage(image);
    } catch (err) {
      if (!isRuntimeError(err, "ImageNotFound")) throw err;
      waiting.set(container.name, { reason: "ErrImagePull", message: err.message });
      ctx.requeueAfter(pod.metadata?.uid ?? "", 5_000);
      return;
    }
  }
  let id: string;
  try {
    id = await ctx.runtime.create(appContainerSpec(ctx.containers, pod, container, sandboxId, restartCount, extras));
  } catch (err) {
    if (!isRuntimeError(err)) throw err;
    const reason =
      err.code === "ImageNotFound"
        ? container.imagePullPolicy === "Never"
          ? "ErrImageNeverPull"
          : "ErrImagePull"
        : "CreateContainerError";
    waiting.set(container.name, { reason, message: err.message });
    return;
  }
  try {
    await ctx.runtime.start(id);
    ctx.log(`pod ${podRef(pod)}: started container ${container.name} (restart ${restartCount})`);
  } catch (err) {
    if (!isRuntimeError(err)) throw err;
    // The created container stays, with the engine's error: the next sync treats it as a failed run.
    ctx.backOff.next(`${pod.metadata?.uid}/${container.name}`);
    waiting.set(container.name, { reason: "RunContainerError", message: err.message });
    ctx.requeueAfter(pod.metadata?.uid ?? "", ctx.backOff.delay(`${pod.metadata?.uid}/${container.name}`));
  }
}

/**
 * Stops every container of a pod, app containers first (each gets
 * `gracePeriodSeconds` between SIGTERM and SIGKILL), then the pause
 * container; removes them all and tears down the pod's volumes.
 */
export async function killPod(ctx: SyncContext, uid: string, gracePeriodSeconds: number): Promise<void> {
  // STEP(05.7): afterwards nothing of pod `uid` is left on this node:
  // no container, no volume, no back-off entry. The app containers get the
  // grace period to exit; the pause container must outlive them.
  // Tests: "05.7 kubelet > deletes a pod gracefully ...".
  //#solution
  const observed = await observePod(ctx, uid);
  const apps = [...(observed?.containers.values() ?? [])].flat();
  await Promise.all(apps.map((c) => (c.state === "running" ? ctx.runtime.stop(c.id, gracePeriodSeconds) : undefined)));
  const sandboxes = observed?.sandboxes ?? [];
  await Promise.all(sandboxes.map((c) => (c.state === "running" ? ctx.runtime.stop(c.id, 0) : undefined)));
  await Promise.all([...apps, ...sandboxes].map((c) => ctx.runtime.remove(c.id)));
  await ctx.volumes.tearDownPod(uid);
  ctx.backOff.forget(`${uid}/`);
  //#end
}

export function podRef(pod: Pod): string {
  return `${pod.metadata?.namespace ?? "default"}/${pod.metadata?.name ?? "?"}`;
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? `${s}s` : `${s.toFixed(1)}s`;
}
