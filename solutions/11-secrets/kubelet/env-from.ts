/**
 * envFrom: every key of a Secret or ConfigMap becomes a variable.
 *
 *   envFrom:
 *   - configMapRef: { name: settings }
 *   - secretRef: { name: db }
 *     prefix: DB_                       # password -> DB_password
 *
 * An environment source (chapter 05's extension point) with order 20: above
 * Service variables (10), below the container's own `env` (100), so a
 * variable written out in `env` always wins. Within envFrom, a later entry
 * overrides an earlier one. Keys that are not valid variable names are skipped.
 */
import { EnvError, type EnvSource } from "../../05-pods/index.ts";
import { notFoundMessage, readData, type SourceKind } from "./objects.ts";

/** What Kubernetes accepts as an environment variable name. */
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export const envFromSource: EnvSource = {
  name: "envFrom",
  order: 20,
  // STEP(11.6): every key of each referenced object becomes a variable
  // (prefix + key), in order; names that are not valid are skipped. A missing
  // object fails the start, unless optional.
  async variables(ctx) {
    //#solution
    const namespace = ctx.pod.metadata?.namespace ?? "default";
    const out: Record<string, string> = {};
    for (const entry of ctx.container.envFrom ?? []) {
      const [kind, ref]: [SourceKind, { name?: string; optional?: boolean } | undefined] = entry.secretRef
        ? ["secret", entry.secretRef]
        : ["configmap", entry.configMapRef];
      if (!ref) continue;
      const data = await readData(ctx.client, kind, namespace, ref.name ?? "");
      if (!data) {
        if (ref.optional) continue;
        throw new EnvError(notFoundMessage(kind, ref.name ?? ""));
      }
      for (const [key, value] of data) {
        const name = (entry.prefix ?? "") + key;
        if (ENV_NAME.test(name)) out[name] = value.toString("utf8");
      }
    }
    return out;
    //#end
  },
};
