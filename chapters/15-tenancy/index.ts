/**
 * Chapter 15: tenancy, many teams on one cluster.
 *
 *   apiserver/     ServiceAccount, ResourceQuota, LimitRange; serviceaccounts/NAME/token
 *                  (TokenRequest); namespaces/NAME/finalize; the Service "kubernetes"
 *   auth/          the signing key, token claims and checks (tokens.ts), the authenticator
 *   admission/     ServiceAccount (token volume), LimitRanger, ResourceQuota, PodSecurity
 *   controllers/   namespace (deletes a namespace's content), serviceaccount
 *                  (+ kube-root-ca.crt), resourcequota (status.used)
 *   kubelet/       the projected token volume; KUBERNETES_SERVICE_HOST in every namespace
 *
 * The cluster bring-up (shared/cluster/components/15-tenancy.ts) calls:
 *   loadOrCreateSigningKey(file)                   the key that signs tokens
 *   await installTenancy(apiserver, { key })       kinds, subresources, admission, authenticator
 *   controllers({ rootCA })                        for chapter 08's controller manager
 *   kubeletExtensions()                            for every kubelet
 *   ensureKubernetesService({ server, securePort })  once the apiserver and the proxy run
 * Importing this file starts and registers nothing.
 */
import type { ApiServer } from "../03-apiserver/index.ts";
import type { KubeletExtensions } from "../05-pods/index.ts";
import type { Controllers } from "../08-replication/controller-manager/controller-manager.ts";
import { limitRangeAdmission } from "./admission/limit-range.ts";
import { podSecurityAdmission } from "./admission/pod-security.ts";
import { resourceQuotaAdmission } from "./admission/resource-quota.ts";
import { serviceAccountAdmission } from "./admission/service-account.ts";
import { finalizeSubresource } from "./apiserver/finalize.ts";
import { limitRanges, resourceQuotas } from "./apiserver/quota-resources.ts";
import { serviceAccounts } from "./apiserver/serviceaccounts.ts";
import { tokenSubresource } from "./apiserver/token-request.ts";
import { serviceAccountAuthenticator, storageLookup } from "./auth/authenticator.ts";
import type { SigningKey } from "./auth/signing-key.ts";
import { DEFAULT_ISSUER, type TokenSettings } from "./auth/tokens.ts";
import { newNamespaceController, type NamespaceControllerOptions } from "./controllers/namespace-controller.ts";
import { newResourceQuotaController, type ResourceQuotaControllerOptions } from "./controllers/resource-quota-controller.ts";
import { newServiceAccountsController } from "./controllers/serviceaccounts-controller.ts";
import { kubernetesServiceEnvSource } from "./kubelet/kubernetes-env.ts";
import { projectedVolumePlugin, type ServiceAccountVolumeOptions } from "./kubelet/service-account-volume.ts";

export * from "./admission/limit-range.ts";
export * from "./admission/pod-security.ts";
export * from "./admission/resource-quota.ts";
export * from "./admission/service-account.ts";
export * from "./admission/usage.ts";
export { finalizeSubresource } from "./apiserver/finalize.ts";
export { ensureKubernetesService } from "./apiserver/kubernetes-service.ts";
export { limitRanges, resourceQuotas } from "./apiserver/quota-resources.ts";
export { serviceAccounts } from "./apiserver/serviceaccounts.ts";
export { tokenSubresource } from "./apiserver/token-request.ts";
export { serviceAccountAuthenticator, storageLookup } from "./auth/authenticator.ts";
export { loadOrCreateSigningKey, newSigningKey, signingKeyFromPem, type SigningKey } from "./auth/signing-key.ts";
export * from "./auth/tokens.ts";
export * from "./client/resources.ts";
export { namespacedKinds } from "./controllers/discovery.ts";
export { deletionConditions } from "./controllers/namespace-conditions.ts";
export { NAMESPACE_FINALIZER, NamespaceController } from "./controllers/namespace-controller.ts";
export { ResourceQuotaController } from "./controllers/resource-quota-controller.ts";
export { DEFAULT_SERVICE_ACCOUNT, ServiceAccountsController } from "./controllers/serviceaccounts-controller.ts";
export { kubernetesServiceEnvSource } from "./kubelet/kubernetes-env.ts";
export { projectedVolumePlugin } from "./kubelet/service-account-volume.ts";
export { kubectlPlugin } from "./kubectl/index.ts";

export interface TenancyOptions {
  key: SigningKey;
  /** Default DEFAULT_ISSUER. */
  issuer?: string;
  /** The audiences the apiserver accepts. Default [issuer]. */
  audiences?: string[];
}

const installed = new WeakSet<ApiServer["registry"]>();

/**
 * Serves this chapter's kinds and subresources, adds the admission plugins
 * and the token authenticator, and hands namespace deletion over from
 * chapter 03's cleaner to the namespace controller. Again for the same
 * server: nothing.
 */
export async function installTenancy(apiserver: ApiServer, options: TenancyOptions): Promise<TokenSettings> {
  const issuer = options.issuer ?? DEFAULT_ISSUER;
  const settings: TokenSettings = { key: options.key, issuer, audiences: options.audiences ?? [issuer] };
  if (installed.has(apiserver.registry)) return settings;
  installed.add(apiserver.registry);
  const { registry, storage, chain } = apiserver;
  for (const r of [serviceAccounts, resourceQuotas, limitRanges])
    if (!registry.lookup(r.group, r.version, r.plural)) registry.register(r);
  registry.addSubresource(
    "",
    "serviceaccounts",
    tokenSubresource(settings, () => registry.lookup("", "v1", "pods")),
  );
  registry.addSubresource("", "namespaces", finalizeSubresource(storage));
  // Mutating plugins run in this order, then the validating ones: defaults first, then the quota counts them.
  chain.addAdmissionPlugin(serviceAccountAdmission(storage, registry));
  chain.addAdmissionPlugin(limitRangeAdmission(storage, registry));
  chain.addAdmissionPlugin(podSecurityAdmission(storage, registry));
  chain.addAdmissionPlugin(resourceQuotaAdmission(storage, registry));
  chain.addAuthenticator(serviceAccountAuthenticator(settings, storageLookup(storage, registry)), "first");
  await apiserver.handOverNamespaceDeletion();
  return settings;
}

export interface TenancyControllerOptions {
  /** The PEM certificate pods use to trust the apiserver (kube-root-ca.crt). */
  rootCA?: string;
  namespace?: NamespaceControllerOptions;
  resourceQuota?: ResourceQuotaControllerOptions;
}

/** The controllers of this chapter, for chapter 08's startControllerManager(). */
export function controllers(options: TenancyControllerOptions = {}): Controllers {
  return {
    namespace: newNamespaceController(options.namespace),
    serviceaccount: newServiceAccountsController(options.rootCA),
    resourcequota: newResourceQuotaController(options.resourceQuota),
  };
}

/** What this chapter adds to every kubelet: the token volume and the apiserver's Service variables. */
export function kubeletExtensions(options: ServiceAccountVolumeOptions = {}): KubeletExtensions {
  return { volumePlugins: [projectedVolumePlugin(options)], envSources: [kubernetesServiceEnvSource] };
}
