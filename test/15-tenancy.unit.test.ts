/**
 * Chapter 15, no server: the decisions of tenancy as functions. Token claims
 * and their checks, the token volume a pod gets, a quota's charge, a
 * LimitRange's defaults and bounds, the Pod Security baseline checks, and
 * one pass of the namespace controller over fake clients.
 */
import { describe, expect, it } from "vitest";
import { applyContainerLimits } from "@tree/15-tenancy/admission/limit-range.ts";
import { baselineViolations } from "@tree/15-tenancy/admission/pod-security.ts";
import { chargeQuota, QuotaExceeded } from "@tree/15-tenancy/admission/resource-quota.ts";
import { mountServiceAccountToken, TOKEN_MOUNT_PATH } from "@tree/15-tenancy/admission/service-account.ts";
import { usageOf } from "@tree/15-tenancy/admission/usage.ts";
import { newSigningKey } from "@tree/15-tenancy/auth/signing-key.ts";
import { signToken, tokenClaims, verifyToken, type TokenLookup, type TokenSettings } from "@tree/15-tenancy/auth/tokens.ts";
import { NamespaceController } from "@tree/15-tenancy/controllers/namespace-controller.ts";
import { ApiError } from "../shared/api/errors.ts";
import type { Container, Namespace, Pod } from "../shared/api/index.ts";
import type { ResourceQuota, ServiceAccount } from "../shared/api/tenancy.ts";

const key = newSigningKey();
const settings: TokenSettings = { key, issuer: "https://issuer.test", audiences: ["https://issuer.test"] };
const account: ServiceAccount = { metadata: { name: "builder", namespace: "team-a", uid: "sa-uid-1" } };
const NOW = new Date("2026-11-29T10:00:00Z");

async function expectStatus(promise: Promise<unknown>, code: number, what: string): Promise<void> {
  try {
    await promise;
  } catch (err) {
    expect(err, `${what}: threw ${String(err)}`).toBeInstanceOf(ApiError);
    expect((err as ApiError).status.code, `${what}: ${(err as ApiError).status.message}`).toBe(code);
    return;
  }
  throw new Error(`${what} was accepted; it must fail with ${code}`);
}

describe("15.1 token claims", () => {
  it("15.1 a token names the account, the issuer, the default audiences and an hour of life", () => {
    const c = tokenClaims(account, {}, NOW, settings);
    expect(c.sub).toBe("system:serviceaccount:team-a:builder");
    expect(c.iss).toBe("https://issuer.test");
    expect(c.aud).toEqual(["https://issuer.test"]);
    expect(c.iat).toBe(NOW.getTime() / 1000);
    expect(c.nbf).toBe(c.iat);
    expect(c.exp - c.iat).toBe(3600);
    expect(c["kubernetes.io"]).toEqual({ namespace: "team-a", serviceaccount: { name: "builder", uid: "sa-uid-1" } });
  });

  it("15.1 the request chooses audiences and lifetime, and may bind the token to a pod", () => {
    const c = tokenClaims(
      account,
      { spec: { audiences: ["vault"], expirationSeconds: 900, boundObjectRef: { kind: "Pod", name: "web", uid: "pod-1" } } },
      NOW,
      settings,
    );
    expect(c.aud).toEqual(["vault"]);
    expect(c.exp - c.iat).toBe(900);
    expect(c["kubernetes.io"].pod).toEqual({ name: "web", uid: "pod-1" });
  });

  it("15.1 under ten minutes, or bound to something that is not a pod, is a 400", async () => {
    await expectStatus(
      Promise.resolve().then(() => tokenClaims(account, { spec: { expirationSeconds: 599 } }, NOW, settings)),
      400,
      "a 599 s token",
    );
    await expectStatus(
      Promise.resolve().then(() =>
        tokenClaims(account, { spec: { boundObjectRef: { kind: "Node", name: "n" } } }, NOW, settings),
      ),
      400,
      "a token bound to a Node",
    );
  });
});

describe("15.2 token checks", () => {
  const lookup = (over: Partial<Record<"sa" | "pod", string | undefined>> = {}): TokenLookup => ({
    serviceAccountUid: async (ns, name) =>
      ns === "team-a" && name === "builder" ? ("sa" in over ? over.sa : "sa-uid-1") : undefined,
    podUid: async (ns, name) => (ns === "team-a" && name === "web" ? ("pod" in over ? over.pod : "pod-1") : undefined),
  });
  const token = (spec: object = {}, s: TokenSettings = settings) => signToken(tokenClaims(account, { spec }, NOW, s), s.key);
  const later = new Date(NOW.getTime() + 60_000);

  it("15.2 a good token is the account's user, in the service-account groups", async () => {
    const user = await verifyToken(await token(), settings, lookup(), later);
    expect(user.username).toBe("system:serviceaccount:team-a:builder");
    expect(user.uid).toBe("sa-uid-1");
    expect([...user.groups].sort()).toEqual(["system:authenticated", "system:serviceaccounts", "system:serviceaccounts:team-a"]);
  });

  it("15.2 another audience, an expired token, a changed token or another key is 401", async () => {
    await expectStatus(
      verifyToken(await token({ audiences: ["vault"] }), settings, lookup(), later),
      401,
      "a token for another audience",
    );
    await expectStatus(
      verifyToken(await token({ expirationSeconds: 600 }), settings, lookup(), new Date(NOW.getTime() + 601_000)),
      401,
      "an expired token",
    );
    const [h, p, s] = (await token()).split(".");
    const claims = JSON.parse(Buffer.from(p!, "base64url").toString());
    claims.sub = "system:serviceaccount:kube-system:admin";
    const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${s}`;
    await expectStatus(verifyToken(forged, settings, lookup(), later), 401, "a token whose claims were changed");
    const other = { ...settings, key: newSigningKey() };
    await expectStatus(verifyToken(await token({}, other), settings, lookup(), later), 401, "a token signed by another key");
  });

  it("15.2 a deleted account (or one made again with a new uid) and a deleted bound pod are 401", async () => {
    await expectStatus(verifyToken(await token(), settings, lookup({ sa: undefined }), later), 401, "the account was deleted");
    await expectStatus(
      verifyToken(await token(), settings, lookup({ sa: "sa-uid-2" }), later),
      401,
      "the account was made again",
    );
    const bound = await token({ boundObjectRef: { kind: "Pod", name: "web", uid: "pod-1" } });
    expect((await verifyToken(bound, settings, lookup(), later)).username).toBe("system:serviceaccount:team-a:builder");
    await expectStatus(verifyToken(bound, settings, lookup({ pod: undefined }), later), 401, "the bound pod was deleted");
    await expectStatus(verifyToken(bound, settings, lookup({ pod: "pod-2" }), later), 401, "the bound pod was made again");
  });
});

describe("15.3 token volume", () => {
  const pod = (spec: Partial<Pod["spec"]> = {}): Pod => ({
    metadata: { name: "web", namespace: "team-a" },
    spec: { containers: [{ name: "a" }, { name: "b" }], initContainers: [{ name: "init" }], ...spec },
  });

  it("15.3 adds one projected volume and mounts it read-only in every container", () => {
    const p = pod();
    mountServiceAccountToken(p, account);
    const volumes = p.spec!.volumes ?? [];
    expect(volumes).toHaveLength(1);
    const v = volumes[0] as unknown as { name: string; projected: { sources: object[] } };
    expect(v.name).toMatch(/^kube-api-access-[a-z0-9]{5}$/);
    expect(v.projected.sources.map((s) => Object.keys(s)[0])).toEqual(["serviceAccountToken", "configMap", "downwardAPI"]);
    for (const c of [...p.spec!.initContainers!, ...p.spec!.containers])
      expect(c.volumeMounts, `container ${c.name}`).toEqual([{ name: v.name, mountPath: TOKEN_MOUNT_PATH, readOnly: true }]);
  });

  it("15.3 the pod's automountServiceAccountToken wins over the account's; no answer means yes", () => {
    const off = pod({ automountServiceAccountToken: false });
    mountServiceAccountToken(off, account);
    expect(off.spec!.volumes ?? []).toEqual([]);
    const accountOff = pod();
    mountServiceAccountToken(accountOff, { ...account, automountServiceAccountToken: false });
    expect(accountOff.spec!.volumes ?? []).toEqual([]);
    const podOn = pod({ automountServiceAccountToken: true });
    mountServiceAccountToken(podOn, { ...account, automountServiceAccountToken: false });
    expect(podOn.spec!.volumes).toHaveLength(1);
  });

  it("15.3 a container that mounts something at the token path keeps its own mount", () => {
    const own = { name: "mine", mountPath: TOKEN_MOUNT_PATH };
    const p = pod({ containers: [{ name: "a", volumeMounts: [own] }, { name: "b" }] });
    mountServiceAccountToken(p, account);
    expect(p.spec!.containers[0]!.volumeMounts).toEqual([own]);
    expect(p.spec!.containers[1]!.volumeMounts).toHaveLength(1);
    const all = pod({ containers: [{ name: "a", volumeMounts: [own] }], initContainers: [] });
    mountServiceAccountToken(all, account);
    expect(all.spec!.volumes ?? [], "the volumes of a pod whose only container mounts the path itself").toEqual([]);
  });
});

describe("15.5 quota", () => {
  const quota = (hard: Record<string, string>, used?: Record<string, string>): ResourceQuota => ({
    metadata: { name: "team-quota", namespace: "team-a" },
    spec: { hard },
    ...(used ? { status: { hard, used } } : {}),
  });
  const podOf = (cpu: string, memory: string): Pod => ({
    metadata: { name: "p" },
    spec: { containers: [{ name: "c", resources: { requests: { cpu, memory }, limits: { cpu, memory } } }] },
  });

  it("15.5 charges what is requested and returns the new total", () => {
    const used = chargeQuota(
      quota({ pods: "3", "requests.cpu": "1" }, { pods: "1", "requests.cpu": "250m" }),
      usageOf("pods", podOf("500m", "64Mi")),
    );
    expect(used).toEqual({ pods: "2", "requests.cpu": "750m" });
  });

  it("15.5 refuses over the limit with Kubernetes' message", () => {
    expect(() => chargeQuota(quota({ pods: "2" }, { pods: "2" }), usageOf("pods", podOf("1", "1Mi")))).toThrow(
      new QuotaExceeded("exceeded quota: team-quota, requested: pods=1, used: pods=2, limited: pods=2"),
    );
    expect(() =>
      chargeQuota(
        quota(
          { pods: "5", "limits.cpu": "2", "limits.memory": "1Gi" },
          { pods: "1", "limits.cpu": "1500m", "limits.memory": "512Mi" },
        ),
        usageOf("pods", podOf("1", "256Mi")),
      ),
    ).toThrow(
      new QuotaExceeded("exceeded quota: team-quota, requested: limits.cpu=1, used: limits.cpu=1500m, limited: limits.cpu=2"),
    );
  });

  it("15.5 counts only what the quota limits, and trusts no quota without status", () => {
    expect(chargeQuota(quota({ services: "1" }, { services: "0" }), usageOf("pods", podOf("1", "1Mi")))).toEqual({
      services: "0",
    });
    expect(() => chargeQuota(quota({ pods: "2" }), usageOf("pods", podOf("1", "1Mi")))).toThrow(
      new QuotaExceeded("status unknown for quota: team-quota"),
    );
  });
});

describe("15.6 limit range", () => {
  it("15.6 fills in default limits and requests; a missing request takes the limit", () => {
    const c: Container = { name: "c" };
    const v = applyContainerLimits(c, {
      type: "Container",
      default: { cpu: "500m", memory: "128Mi" },
      defaultRequest: { cpu: "100m" },
    });
    expect(v).toEqual([]);
    expect(c.resources).toEqual({ limits: { cpu: "500m", memory: "128Mi" }, requests: { cpu: "100m", memory: "128Mi" } });
    const own: Container = { name: "own", resources: { limits: { cpu: "2" } } };
    applyContainerLimits(own, { type: "Container", default: { cpu: "500m" } });
    expect(own.resources).toEqual({ limits: { cpu: "2" }, requests: { cpu: "2" } });
  });

  it("15.6 refuses below min and above max, with Kubernetes' words", () => {
    const c: Container = { name: "c", resources: { requests: { cpu: "10m" }, limits: { cpu: "2" } } };
    expect(applyContainerLimits(c, { type: "Container", min: { cpu: "50m" }, max: { cpu: "1", memory: "1Gi" } })).toEqual([
      "minimum cpu usage per Container is 50m, but request is 10m",
      "maximum cpu usage per Container is 1, but limit is 2",
      "maximum memory usage per Container is 1Gi.  No limit is specified",
    ]);
    const none: Container = { name: "none" };
    expect(applyContainerLimits(none, { type: "Container", min: { memory: "64Mi" } }), "a min, and no request at all").toEqual([
      "minimum memory usage per Container is 64Mi.  No request is specified",
    ]);
  });
});

describe("15.7 pod security", () => {
  const pod = (spec: Partial<Pod["spec"]>): Pod => ({
    metadata: { name: "p" },
    spec: { containers: [{ name: "app" }], ...spec },
  });

  it("15.7 a plain pod, and one adding only default capabilities, pass baseline", () => {
    expect(baselineViolations(pod({}))).toEqual([]);
    expect(
      baselineViolations(
        pod({ containers: [{ name: "a", securityContext: { capabilities: { add: ["CHOWN", "NET_BIND_SERVICE"] } } }] }),
      ),
    ).toEqual([]);
  });

  it("15.7 each broken check gives one reason, in Kubernetes' order and words", () => {
    const bad = pod({
      hostNetwork: true,
      hostIPC: true,
      volumes: [
        { name: "root", hostPath: { path: "/" } },
        { name: "scratch", emptyDir: {} },
        { name: "etc", hostPath: { path: "/etc" } },
      ],
      initContainers: [{ name: "setup", securityContext: { privileged: true } }],
      containers: [
        { name: "app", securityContext: { privileged: true, capabilities: { add: ["SYS_ADMIN", "CHOWN"] } } },
        { name: "side", securityContext: { capabilities: { add: ["NET_ADMIN", "SYS_ADMIN"] } } },
      ],
    });
    expect(baselineViolations(bad)).toEqual([
      'non-default capabilities (containers "app", "side" must not include "NET_ADMIN", "SYS_ADMIN" in securityContext.capabilities.add)',
      "host namespaces (hostNetwork=true, hostIPC=true)",
      'hostPath volumes (volumes "root", "etc")',
      'privileged (containers "setup", "app" must not set securityContext.privileged=true)',
    ]);
  });
});

describe("15.4 namespace controller", () => {
  /** One pass of the controller over a fake apiserver: a namespace "gone-ns" being deleted, with pods and secrets. */
  function setup(
    options: { pods?: number; secrets?: number; failSecrets?: boolean; conflict?: boolean; finalizers?: string[] } = {},
  ) {
    const ns: Namespace = {
      metadata: { name: "gone-ns", deletionTimestamp: "2026-11-29T10:00:00Z", resourceVersion: "5" },
      spec: { finalizers: options.finalizers ?? ["kubernetes"] },
      status: { phase: "Terminating" },
    };
    const objects: Record<string, string[]> = {
      pods: Array.from({ length: options.pods ?? 0 }, (_, i) => `pod-${i}`),
      secrets: Array.from({ length: options.secrets ?? 0 }, (_, i) => `secret-${i}`),
      configmaps: [],
    };
    const calls: string[] = [];
    const requeued: string[] = [];
    const statuses: { conditions?: { type: string; status: string; message: string }[] }[] = [];
    const client = {
      async request(method: string, path: string, opts: { body?: unknown } = {}) {
        calls.push(`${method} ${path}`);
        if (path === "/apis") return { groups: [] };
        if (path === "/api/v1")
          return {
            resources: [
              { name: "pods", namespaced: true, verbs: ["list", "delete"] },
              { name: "pods/log", namespaced: true, verbs: ["get"] },
              { name: "secrets", namespaced: true, verbs: ["list", "delete"] },
              { name: "configmaps", namespaced: true, verbs: ["list", "delete"] },
              { name: "namespaces", namespaced: false, verbs: ["list", "delete"] },
            ],
          };
        const m = /^\/api\/v1\/namespaces\/gone-ns\/(\w+)(?:\/(.+))?$/.exec(path);
        if (m && method === "GET") {
          if (m[1] === "secrets" && options.failSecrets)
            throw new ApiError({ apiVersion: "v1", kind: "Status", code: 500, message: "boom" } as never);
          return { items: objects[m[1]!]!.map((name) => ({ metadata: { name } })) };
        }
        if (m && method === "DELETE") {
          // A pod stays until its kubelet stops it (graceful); a secret is gone at once.
          if (m[1] === "secrets") objects.secrets = objects.secrets!.filter((n) => n !== m[2]);
          return {};
        }
        if (path === "/api/v1/namespaces/gone-ns/status") {
          if (options.conflict)
            throw new ApiError({ apiVersion: "v1", kind: "Status", code: 409, reason: "Conflict", message: "stale" } as never);
          statuses.push((opts.body as Namespace).status as never);
          return opts.body;
        }
        if (path === "/api/v1/namespaces/gone-ns/finalize") return opts.body;
        throw new Error(`unexpected ${method} ${path}`);
      },
    };
    const informer = {
      get: (name: string) => (name === "gone-ns" ? ns : undefined),
      onAdd() {},
      onUpdate() {},
      onDelete() {},
      list: () => [ns],
    };
    const ctx = { client, informers: { forResource: () => informer }, log() {} };
    const controller = new NamespaceController(ctx as never, { recheckMs: 10 });
    (controller as unknown as { queue: { addAfter(k: string): void } }).queue.addAfter = (k: string) => requeued.push(k);
    return { controller, calls, requeued, statuses };
  }

  it("15.4 deletes every object of every namespaced kind, counts what a list still shows, and looks again while some remain", async () => {
    const { controller, calls, requeued, statuses } = setup({ pods: 2, secrets: 1 });
    await controller.sync("gone-ns");
    const remaining = statuses[0]?.conditions?.find((c) => c.type === "NamespaceContentRemaining");
    expect(remaining, "the status says what remains").toMatchObject({
      status: "True",
      message: "Some resources are remaining: pods. has 2 resource instances",
    });
    expect(calls.filter((c) => c.startsWith("DELETE")).sort()).toEqual([
      "DELETE /api/v1/namespaces/gone-ns/pods/pod-0",
      "DELETE /api/v1/namespaces/gone-ns/pods/pod-1",
      "DELETE /api/v1/namespaces/gone-ns/secrets/secret-0",
    ]);
    expect(calls).toContain("PUT /api/v1/namespaces/gone-ns/status");
    expect(calls, "not finalized while objects remain").not.toContain("PUT /api/v1/namespaces/gone-ns/finalize");
    expect(requeued).toEqual(["gone-ns"]);
  });

  it("15.4 an empty namespace is finalized; one without our finalizer is left alone", async () => {
    const empty = setup();
    await empty.controller.sync("gone-ns");
    expect(empty.calls).toContain("PUT /api/v1/namespaces/gone-ns/finalize");
    expect(empty.requeued).toEqual([]);
    const done = setup({ finalizers: [] });
    await done.controller.sync("gone-ns");
    expect(done.calls).toEqual([]);
  });

  it("15.4 a kind that fails does not stop the others and blocks the finalize; a stale write fails the pass", async () => {
    const failing = setup({ pods: 1, failSecrets: true });
    await failing.controller.sync("gone-ns");
    expect(failing.calls).toContain("DELETE /api/v1/namespaces/gone-ns/pods/pod-0");
    expect(failing.calls).toContain("GET /api/v1/namespaces/gone-ns/configmaps");
    expect(failing.calls).not.toContain("PUT /api/v1/namespaces/gone-ns/finalize");
    expect(failing.requeued).toEqual(["gone-ns"]);
    const stale = setup({ conflict: true });
    await expectStatus(stale.controller.sync("gone-ns"), 409, "a pass whose status write conflicts");
    expect(stale.calls).not.toContain("PUT /api/v1/namespaces/gone-ns/finalize");
  });
});
