/**
 * Chapter 15 challenges: optional extensions. They fail until you build
 * them; run them with `npm run check 15 -- --challenges`.
 */
import { describe, expect, it } from "vitest";
import * as podSecurity from "@tree/15-tenancy/admission/pod-security.ts";
import * as quota from "@tree/15-tenancy/admission/resource-quota.ts";
import type { Pod } from "../../shared/api/index.ts";
import type { ResourceQuota } from "../../shared/api/tenancy.ts";

type Warnings = (pod: Pod, labels: Record<string, string>) => string[];
type Missing = (quota: ResourceQuota, pod: Pod) => string[];

function exported<T>(module: object, name: string, hint: string): T {
  const fn = (module as Record<string, unknown>)[name];
  if (typeof fn !== "function") throw new Error(`export ${name} from ${hint}`);
  return fn as T;
}

const privileged: Pod = {
  metadata: { name: "tool" },
  spec: { containers: [{ name: "tool", securityContext: { privileged: true } }] },
};

describe("15 challenge > warn", () => {
  const warnings = () => exported<Warnings>(podSecurity, "podSecurityWarnings", "admission/pod-security.ts");

  it("a pod that breaks the warn level gets a warning, and one that does not gets none", () => {
    expect(warnings()(privileged, { "pod-security.kubernetes.io/warn": "baseline" })).toEqual([
      'would violate PodSecurity "baseline:latest": privileged (container "tool" must not set securityContext.privileged=true)',
    ]);
    expect(warnings()(privileged, { "pod-security.kubernetes.io/warn": "privileged" })).toEqual([]);
    expect(warnings()(privileged, {})).toEqual([]);
  });
});

describe("15 challenge > must specify", () => {
  const missing = () => exported<Missing>(quota, "missingResources", "admission/resource-quota.ts");
  const q: ResourceQuota = {
    metadata: { name: "compute" },
    spec: { hard: { "requests.cpu": "2", "limits.memory": "1Gi", pods: "5" } },
  };

  it("names each compute resource of the quota that a container leaves out", () => {
    const pod: Pod = {
      metadata: { name: "p" },
      spec: { containers: [{ name: "a", resources: { requests: { cpu: "100m" } } }, { name: "b" }] },
    };
    expect(missing()(q, pod).sort()).toEqual(["limits.memory", "requests.cpu"]);
    const complete: Pod = {
      metadata: { name: "p" },
      spec: { containers: [{ name: "a", resources: { requests: { cpu: "100m" }, limits: { memory: "64Mi" } } }] },
    };
    expect(missing()(q, complete)).toEqual([]);
  });
});
