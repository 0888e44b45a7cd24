/**
 * CONTAINER ENVIRONMENT SOURCES: where a container's environment variables
 * come from. An extension point: this chapter knows only the container's own
 * `env` list with plain `value`s; chapter 10 adds a source for Service
 * variables (WEB_SERVICE_HOST=...), chapter 11 adds `envFrom` (a whole
 * ConfigMap or Secret) and resolvers for `valueFrom`.
 *
 * Kubernetes' precedence, lowest first: Service variables, then envFrom,
 * then the container's own env (a variable set in `env` always wins). Here:
 * sources run in ascending `order`; a later one overrides an earlier one.
 *
 *   order 10   services      (chapter 10)
 *   order 20   envFrom       (chapter 11)
 *   order 100  env           (this file: value, and valueFrom through EnvVarResolvers)
 */
import type { Container, EnvVar, Pod } from "../../../shared/api/index.ts";
import type { RestClient } from "../../04-kubectl/client/rest.ts";

export interface EnvContext {
  pod: Pod;
  container: Container;
  nodeName: string;
  /** To read other objects (Secrets, ConfigMaps, Services). */
  client: RestClient;
}

/** One source of environment variables for a container. */
export interface EnvSource {
  name: string;
  /** Sources run in ascending order; a later one overrides variables of an earlier one. */
  order: number;
  variables(ctx: EnvContext): Promise<Record<string, string>> | Record<string, string>;
}

/**
 * Resolves one `env[i].valueFrom` (fieldRef, secretKeyRef, configMapKeyRef...).
 * Return undefined for "no value" (an optional key that is missing).
 */
export interface EnvVarResolver {
  name: string;
  canResolve(variable: EnvVar): boolean;
  resolve(variable: EnvVar, ctx: EnvContext): Promise<string | undefined> | string | undefined;
}

/** A container's environment cannot be built (the kubelet reports CreateContainerConfigError). */
export class EnvError extends Error {
  override readonly name = "EnvError";
}

/** The container's own `env` list: plain values here, valueFrom through the resolvers. */
export function containerEnvSource(resolvers: readonly EnvVarResolver[]): EnvSource {
  return {
    name: "env",
    order: 100,
    async variables(ctx) {
      const out: Record<string, string> = {};
      for (const variable of ctx.container.env ?? []) {
        if (variable.valueFrom === undefined) {
          out[variable.name] = expand(variable.value ?? "", out);
          continue;
        }
        const resolver = resolvers.find((r) => r.canResolve(variable));
        if (!resolver) {
          const kind = Object.keys(variable.valueFrom)[0] ?? "valueFrom";
          throw new EnvError(`env ${variable.name}: valueFrom.${kind} is not supported by this kubelet yet`);
        }
        const value = await resolver.resolve(variable, ctx);
        if (value !== undefined) out[variable.name] = value;
      }
      return out;
    },
  };
}

/** $(VAR) in a value refers to a variable defined before it; $$ is a literal $. */
export function expand(value: string, defined: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (match === "$$") return "$";
    return name !== undefined && name in defined ? defined[name]! : match;
  });
}

/** The sources and resolvers a kubelet uses; later chapters add theirs through KubeletOptions. */
export class EnvironmentBuilder {
  private readonly sources: EnvSource[];

  constructor(sources: readonly EnvSource[] = [], resolvers: readonly EnvVarResolver[] = []) {
    this.sources = [...sources, containerEnvSource(resolvers)].sort((a, b) => a.order - b.order);
  }

  /** The container's environment: every source in order, later ones winning. */
  async build(ctx: EnvContext): Promise<Record<string, string>> {
    // Every source in order; a later source overrides a variable an earlier one set.
    const env: Record<string, string> = {};
    for (const source of this.sources) Object.assign(env, await source.variables(ctx));
    return env;
  }
}
