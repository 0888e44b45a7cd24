/**
 * Update (PUT) with optimistic concurrency.
 *
 * Every object carries metadata.resourceVersion, the store revision of its
 * last write. A client sends back the version it read; if the object changed
 * since, the write is refused with 409 Conflict and the client reads again
 * and retries. No locks, and no update is silently lost.
 */
import { badRequest, conflict, deepClone, deepEqual, invalid, isApiError, timestamp } from "../../../shared/api/index.ts";
import type { ApiObject, ResourceDefinition } from "../registry/types.ts";
import type { RequestScope, RestContext } from "./context.ts";
import { decodeObject, type Decoded } from "./decode.ts";
import { removeObject } from "./delete.ts";
import { validateObjectMeta } from "./metadata.ts";
import { applyStatusStrategy } from "./status-strategy.ts";

/** PUT of a whole object (or of its status with subresource "status"). */
export async function updateObject(
  ctx: RestContext,
  resource: ResourceDefinition,
  namespace: string | undefined,
  name: string,
  body: unknown,
  scope: RequestScope,
  subresource: string,
): Promise<Decoded> {
  const { obj: incoming, warnings } = decodeObject(resource, body, scope.fieldValidation);
  checkNameMatches(resource, namespace, name, incoming);
  const wanted = incoming.metadata?.resourceVersion;
  const obj = await guaranteedUpdate(ctx, resource, namespace, name, scope, subresource, !!wanted, (current) => {
    // STEP(03.5): optimistic concurrency, with no locks. A PUT that names a
    // resourceVersion only applies to that version of the object (else 409 Conflict).
    // A PUT without one applies to whatever is current. This step is three
    // pieces: this callback, guaranteedUpdate() (the read-modify-write loop that
    // update, patch and /status share: admission on the finished object before
    // the "nothing changed" comparison, withoutVersion() for that comparison, a
    // dry run returns the object unwritten, finalizeIfDone() after a write) and
    // finishUpdate() (your status strategy from 03.4, the fields only the server
    // may set, generation compared after defaulting).
    // Tests: "03.5 update > accepts an update at the current resourceVersion and refuses a stale one with 409",
    // "03.5 retries a write that lost a race when no resourceVersion was pinned",
    // "03.5 counts generation only for changes of the desired state",
    // "03.5 update > a patch that changes nothing does not write".
    //#solution
    const currentVersion = current.metadata?.resourceVersion;
    if (wanted && wanted !== currentVersion) throw conflict({ resource: resource.plural, group: resource.group }, name);
    return { ...incoming, metadata: { ...incoming.metadata, resourceVersion: currentVersion } };
    //#end
  });
  return { obj, warnings };
}

/** The URL names the object; a body naming another one is a client bug. */
export function checkNameMatches(
  resource: ResourceDefinition,
  namespace: string | undefined,
  name: string,
  obj: ApiObject,
): void {
  const meta = (obj.metadata ??= {});
  if (meta.name && meta.name !== name)
    throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
  meta.name = name;
  if (resource.scope === "Namespaced") {
    if (meta.namespace && meta.namespace !== namespace) {
      throw badRequest(
        `the namespace of the provided object (${meta.namespace}) does not match the namespace sent on the request (${namespace})`,
      );
    }
    meta.namespace = namespace;
  } else {
    delete meta.namespace;
  }
}

/**
 * The read-modify-write loop behind update, patch and subresources: read the
 * current object, let `tryUpdate` make the new one, finish it (status split,
 * server-owned metadata, defaults, validation, admission) and write it with
 * compare-and-swap on the version that was read. When someone else wrote in
 * between, start over, unless the client pinned a resourceVersion (then the
 * conflict is the client's to handle: 409).
 */
export async function guaranteedUpdate(
  ctx: RestContext,
  resource: ResourceDefinition,
  namespace: string | undefined,
  name: string,
  scope: RequestScope,
  subresource: string,
  pinnedVersion: boolean,
  tryUpdate: (current: ApiObject) => ApiObject | Promise<ApiObject>,
): Promise<ApiObject> {
  //#solution
  for (let attempt = 0; ; attempt++) {
    const current = await ctx.storage.get(resource, namespace, name);
    const currentVersion = current.metadata?.resourceVersion ?? "";
    const proposed = await tryUpdate(deepClone(current));
    const next = finishUpdate(resource, subresource, proposed, current);
    await ctx.chain.admit({
      operation: "UPDATE",
      resource,
      subresource,
      namespace,
      name,
      object: next,
      oldObject: current,
      user: scope.user,
    });

    // Nothing changed: do not write (no new resourceVersion, no watch event).
    if (deepEqual(withoutVersion(next), withoutVersion(current))) return current;
    if (scope.dryRun) return next;
    try {
      const written = await ctx.storage.update(resource, next, currentVersion);
      return await finalizeIfDone(ctx, resource, written);
    } catch (err) {
      if (isApiError(err, "Conflict") && !pinnedVersion && attempt < 20) continue;
      throw err;
    }
  }
  //#end
}

/** Applies the status strategy and the server-owned metadata, then defaults and validates. */
function finishUpdate(resource: ResourceDefinition, subresource: string, proposed: ApiObject, current: ApiObject): ApiObject {
  //#solution
  const next = applyStatusStrategy(resource, subresource, proposed, current);
  const meta = (next.metadata = { ...next.metadata });
  const old = current.metadata ?? {};
  // Fields only the server sets.
  meta.name = old.name;
  if (old.namespace) meta.namespace = old.namespace;
  else delete meta.namespace;
  meta.uid = old.uid;
  meta.creationTimestamp = old.creationTimestamp;
  setOrDelete(meta, "deletionTimestamp", old.deletionTimestamp);
  setOrDelete(meta, "deletionGracePeriodSeconds", old.deletionGracePeriodSeconds);
  if (old.generateName) meta.generateName = old.generateName;

  resource.strategy?.prepareForUpdate?.(next, current);
  resource.strategy?.defaults?.(next);
  // generation counts changes of the desired state (everything but metadata
  // and status), compared after defaulting, as Go defaults while it decodes:
  // a body that leaves out a defaulted field changes nothing the user wants.
  next.metadata!.generation = (old.generation ?? 1) + (deepEqual(desiredState(next), desiredState(current)) ? 0 : 1);
  const errors = [
    ...validateObjectMeta(resource, next),
    ...(resource.strategy?.validate?.(next) ?? []),
    ...(resource.strategy?.validateUpdate?.(next, current) ?? []),
  ];
  if (errors.length > 0) throw invalid(resource.kind, meta.name ?? "", errors, resource.group);
  return next;
  //#end
}

/**
 * An object that is being deleted and waits only for its finalizers goes
 * away when an update removes the last finalizer.
 */
async function finalizeIfDone(ctx: RestContext, resource: ResourceDefinition, obj: ApiObject): Promise<ApiObject> {
  const meta = obj.metadata ?? {};
  if (meta.deletionTimestamp && meta.deletionGracePeriodSeconds === 0 && (meta.finalizers ?? []).length === 0) {
    try {
      return await removeObject(ctx, resource, obj, meta.resourceVersion);
    } catch (err) {
      if (isApiError(err, "Conflict") || isApiError(err, "NotFound")) return obj;
      throw err;
    }
  }
  return obj;
}

function setOrDelete<K extends string>(target: Partial<Record<K, unknown>>, key: K, value: unknown): void {
  if (value === undefined) delete target[key];
  else target[key] = value;
}

function desiredState(obj: ApiObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

function withoutVersion(obj: ApiObject): ApiObject {
  const { resourceVersion: _rv, ...meta } = obj.metadata ?? {};
  return { ...obj, metadata: meta };
}

/** Now plus some seconds, as a Kubernetes timestamp. */
export function secondsFromNow(seconds: number): string {
  return timestamp(new Date(Date.now() + seconds * 1000));
}
