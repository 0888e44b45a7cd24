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

// STEP(11.5): one key of a Secret or ConfigMap, as text. A missing object or
// key fails the container's start with Kubernetes' message, unless the ref
// is optional (then undefined). Tests: the "11.5" tests.
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
