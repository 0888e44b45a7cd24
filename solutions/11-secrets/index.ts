/**
 * Chapter 11: Secrets, ConfigMaps and access control.
 *
 *   apiserver/    the Secret and ConfigMap resources (stringData, base64, Table columns)
 *   encryption/   AES-GCM encryption at rest, a storage transformer; the key file
 *   auth/         bearer-token authentication, system:masters and RBAC authorization
 *   kubelet/      valueFrom and envFrom, secret and configMap volumes
 *   kubectl/      names for kubectl, and a Secret describer that shows sizes only
 *   secure-port/  TLS in front of the apiserver, for clients that send tokens only over TLS
 *
 * The cluster bring-up (shared/cluster/components/11-secrets.ts) calls:
 *   installSecrets(apiserver)                      serve secrets and configmaps
 *   installEncryption(apiserver, { key })          encrypt secrets in the store
 *   await installAuth(apiserver, { tokens })       tokens and roles
 *   installAccessReview(apiserver)                 kubectl auth can-i / whoami
 *   kubeletExtensions({ memoryRoot })              for every kubelet
 */
import type { ApiServer } from "../03-apiserver/index.ts";
import { configMaps } from "./apiserver/configmaps.ts";
import { secrets } from "./apiserver/secrets.ts";

/** Serves secrets and configmaps in the core group (once per apiserver). */
export function installSecrets(apiserver: ApiServer): void {
  for (const r of [secrets, configMaps])
    if (!apiserver.registry.lookup(r.group, r.version, r.plural)) apiserver.registry.register(r);
}

export { configMaps, secrets };
export { mergeStringData, validateSecretData } from "./apiserver/secrets.ts";
export * from "./encryption/index.ts";
export * from "./auth/index.ts";
export { kubeletExtensions } from "./kubelet/index.ts";
export type { SecretVolumeOptions } from "./kubelet/secret-volume.ts";
export { loadOrCreateCertificate, selfSignedCertificate, type Certificate } from "./secure-port/certificate.ts";
export { startSecurePort, type SecurePort } from "./secure-port/secure-port.ts";
export { kubectlPlugin } from "./kubectl/index.ts";
