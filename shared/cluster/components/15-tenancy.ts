/**
 * Chapter 15: tenancy. prepare() hands the namespace, serviceaccount and
 * resourcequota controllers to the controller manager (chapter 08) and the
 * token volume to every kubelet (chapter 05). start() serves the kinds,
 * turns on the admission plugins and the token authenticator, switches off
 * chapter 03's namespace cleaner, and points the Service "kubernetes" at
 * a TLS port for pods (chapter 11's secure port, opened a second time),
 * through chapter 10's proxy.
 *
 * The signing key of service-account tokens lives beside chapter 11's files:
 * <control-plane dir>/service-account.key (mode 0600).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { SecretsModule, TenancyModule } from "../contracts.ts";
import type { ClusterComponent } from "../types.ts";
import { controlPlaneDir } from "./11-secrets.ts";

export const tenancyComponent: ClusterComponent = {
  chapter: "15",
  name: "tenancy",
  after: {
    apiserver: "it serves service accounts, quotas and limit ranges there",
    "secrets and access control": "tokens need authentication on, and the Service kubernetes points at the secure port",
    services: "the Service kubernetes needs services served and the proxy running",
  },
  enabled: (ctx) =>
    existsSync(join(ctx.tree, "15-tenancy", "index.ts")) && ctx.has("11") && existsSync(join(ctx.tree, "11-secrets", "index.ts")),
  async prepare(ctx) {
    const tenancy = await ctx.load<TenancyModule>("15-tenancy/index.ts");
    const secrets = await ctx.load<SecretsModule>("11-secrets/index.ts");
    const certificate = (await secrets.loadOrCreateCertificate(controlPlaneDir(ctx))) as { certPem?: string };
    Object.assign(ctx.controllers, tenancy.controllers({ rootCA: certificate.certPem }));
    ctx.kubeletExtensions.push(tenancy.kubeletExtensions());
  },
  async start(ctx) {
    if (!ctx.apiserver || !ctx.url) throw new Error("tenancy needs the apiserver of chapter 03");
    const tenancy = await ctx.load<TenancyModule>("15-tenancy/index.ts");
    const key = await tenancy.loadOrCreateSigningKey(join(controlPlaneDir(ctx), "service-account.key"));
    await tenancy.installTenancy(ctx.apiserver, { key });
    await ensureDefaultServiceAccount(ctx.url, ctx.token);
    ctx.log("tenancy: service accounts, token requests, quotas, limit ranges and pod security served");
    if (!ctx.has("10")) return;
    // The port pods reach through the Service "kubernetes". It is a second TLS port, like chapter 11's,
    // that also accepts the SHA-1 signatures of busybox's TLS client (the test image's only HTTPS client).
    const secrets = await ctx.load<SecretsModule>("11-secrets/index.ts");
    const inCluster = await secrets.startSecurePort({
      target: { host: ctx.apiserver.host, port: ctx.apiserver.port },
      certificate: await secrets.loadOrCreateCertificate(controlPlaneDir(ctx)),
      ciphers: "DEFAULT:@SECLEVEL=0",
    });
    await tenancy.ensureKubernetesService({ server: ctx.url, token: ctx.token, securePort: Number(new URL(inCluster.url).port) });
    ctx.log(`tenancy: the Service kubernetes points at ${inCluster.url}`);
    return () => inCluster.close();
  },
};

/**
 * The ServiceAccount "default" of the namespace "default", made at bring-up.
 * The ServiceAccount controller makes it too, but only once the controller
 * manager runs: a pod created in between would be refused ("serviceaccount
 * default not found"), and a cluster that says it is up should take pods.
 * The controller then finds it there (AlreadyExists) and goes on.
 */
async function ensureDefaultServiceAccount(server: string, token: string | undefined): Promise<void> {
  const res = await fetch(`${server}/api/v1/namespaces/default/serviceaccounts`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default", namespace: "default" } }),
  });
  await res.arrayBuffer();
  if (res.status !== 201 && res.status !== 409)
    throw new Error(`tenancy: could not create the ServiceAccount default/default: HTTP ${res.status}`);
}
