/**
 * env[].valueFrom.secretKeyRef and configMapKeyRef: one variable from one key
 *
 *   env:
 *   - name: DB_PASSWORD
 *     valueFrom:
 *       secretKeyRef: { name: db, key: password }      # optional: true to allow a missing one
 *
 * These are resolvers for chapter 05's extension point (EnvVarResolver).
 * A missing object or key is an EnvError: the kubelet leaves the container
 * waiting with CreateContainerConfigError and tries again at the next sync,
 * so the pod starts once the Secret exists. With `optional: true` the
 * variable is simply left out.
 */
import type { EnvVar, KeySelector } from "../../../shared/api/index.ts";
import { EnvError, type EnvContext, type EnvVarResolver } from "../../05-pods/index.ts";
import { notFoundMessage, readData, type SourceKind } from "./objects.ts";

const NAMES: Record<SourceKind, string> = { secret: "Secret", configmap: "ConfigMap" };

// STEP(11.5): the value of one key of a Secret or ConfigMap, for an env
// variable. Read the object with readData(ctx.client, kind, the pod's
// namespace, ref.name). Missing object: undefined if ref.optional, else throw
// an EnvError(notFoundMessage(...)). Missing key: undefined if optional,
// else EnvError(`couldn't find key ${key} in ${Secret|ConfigMap} ${ns}/${name}`).
// Otherwise the value's bytes as UTF-8 text.
export async function resolveKeyRef(kind: SourceKind, ref: KeySelector, ctx: EnvContext): Promise<string | undefined> {
  //#solution
  const namespace = ctx.pod.metadata?.namespace ?? "default";
  const name = ref.name ?? "";
  const data = await readData(ctx.client, kind, namespace, name);
  if (!data) {
    if (ref.optional) return undefined;
    throw new EnvError(notFoundMessage(kind, name));
  }
  const value = data.get(ref.key);
  if (value === undefined) {
    if (ref.optional) return undefined;
    throw new EnvError(`couldn't find key ${ref.key} in ${NAMES[kind]} ${namespace}/${name}`);
  }
  return value.toString("utf8");
  //#end
}

export const secretKeyRefResolver: EnvVarResolver = {
  name: "secretKeyRef",
  canResolve: (v: EnvVar) => v.valueFrom?.secretKeyRef !== undefined,
  resolve: (v, ctx) => resolveKeyRef("secret", v.valueFrom!.secretKeyRef!, ctx),
};

export const configMapKeyRefResolver: EnvVarResolver = {
  name: "configMapKeyRef",
  canResolve: (v: EnvVar) => v.valueFrom?.configMapKeyRef !== undefined,
  resolve: (v, ctx) => resolveKeyRef("configmap", v.valueFrom!.configMapKeyRef!, ctx),
};
