/**
 * Chapter 11: Secrets and ConfigMaps on the apiserver, Secrets encrypted in
 * the store, bearer tokens and RBAC; and for every kubelet the secret and
 * configMap volumes, envFrom and valueFrom.
 *
 * The cluster's credentials live in <data dir>/control-plane/ (the store's
 * folder when options.dataDir is given, else the cluster's temp folder), NOT
 * in the store itself:
 *
 *   encryption-key   the AES-256 key for Secrets (made on the first start, mode 0600)
 *   tokens.csv       token,user,uid,"groups": who each bearer token is (mode 0600)
 *   apiserver.crt, apiserver.key   the self-signed certificate of the secure port
 *
 * The secure port (TLS, https://127.0.0.1:<any free port>) is for the real
 * kubectl, which sends tokens only over TLS; the components keep using the
 * plain port on loopback, with their token.
 *
 * The first start writes two tokens: one for the admin (kubernetes-admin, in
 * system:masters: the kubeconfig of `npm start`) and one that every component
 * sends (system:kube-components, also in system:masters, for simplicity:
 * real clusters give each component its own identity and only the rights it
 * needs). A test may put more lines in tokens.csv before the cluster starts.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { rm } from "node:fs/promises";
import type { SecretsModule } from "../contracts.ts";
import type { ClusterComponent, ClusterContext } from "../types.ts";

export const ADMIN_USER = "kubernetes-admin";
export const COMPONENTS_USER = "system:kube-components";

/** Where this cluster keeps its key file and token file. */
export function controlPlaneDir(ctx: Pick<ClusterContext, "options" | "tempDir">): string {
  return join(ctx.options.dataDir ?? ctx.tempDir, "control-plane");
}

/** The tmpfs folder of this cluster's secret volumes (removed on close). */
function memoryRoot(ctx: ClusterContext): string {
  return join("/dev/shm", `k8s-workshop-${ctx.id}`);
}

export const secretsComponent: ClusterComponent = {
  chapter: "11",
  name: "secrets and access control",
  after: { apiserver: "it turns authentication, authorization and encryption on in the apiserver" },
  enabled: (ctx) => existsSync(join(ctx.tree, "11-secrets", "index.ts")),
  async prepare(ctx) {
    const secrets = await ctx.load<SecretsModule>("11-secrets/index.ts");
    const tokens = await secrets.ensureTokens(join(controlPlaneDir(ctx), "tokens.csv"), [
      { user: ADMIN_USER, uid: "admin", groups: [secrets.MASTERS_GROUP] },
      { user: COMPONENTS_USER, uid: "components", groups: [secrets.MASTERS_GROUP] },
    ]);
    ctx.adminToken = tokens.find((t) => t.user === ADMIN_USER)!.token;
    ctx.token = tokens.find((t) => t.user === COMPONENTS_USER)!.token;
    ctx.kubeletExtensions.push(secrets.kubeletExtensions({ memoryRoot: memoryRoot(ctx) }));
    ctx.onClose(() => rm(memoryRoot(ctx), { recursive: true, force: true }));
  },
  async start(ctx) {
    if (!ctx.apiserver) throw new Error("secrets and access control need the apiserver of chapter 03");
    const secrets = await ctx.load<SecretsModule>("11-secrets/index.ts");
    const dir = controlPlaneDir(ctx);
    secrets.installSecrets(ctx.apiserver);
    secrets.installEncryption(ctx.apiserver, { key: await secrets.loadOrCreateKey(join(dir, "encryption-key")) });
    const tokens = (await secrets.readTokenFile(join(dir, "tokens.csv"))) ?? [];
    await secrets.installAuth(ctx.apiserver, { tokens });
    secrets.installAccessReview(ctx.apiserver);
    const secure = await secrets.startSecurePort({
      target: { host: ctx.apiserver.host, port: ctx.apiserver.port },
      certificate: await secrets.loadOrCreateCertificate(dir),
    });
    ctx.secureUrl = secure.url;
    ctx.log(`secrets: encrypted at rest, ${tokens.length} bearer tokens in ${dir}, secure port ${secure.url}`);
    return () => secure.close();
  },
};
