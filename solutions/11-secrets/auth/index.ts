/**
 * Access control for the apiserver: authentication (bearer tokens) and
 * authorization (system:masters, then RBAC), plugged into chapter 03's
 * request chain.
 *
 *   request --> bearer token? --> user --> system:masters? --> RBAC rules? --> handler
 *                 | unknown: 401             | yes: allow       | no: 403
 *                 | none: 401 (or anonymous, when allowed)
 */
import { isApiError } from "../../../shared/api/index.ts";
import { ADMIN } from "../../03-apiserver/chain/internal.ts";
import type { ApiServer } from "../../03-apiserver/index.ts";
import type { ApiObject } from "../../03-apiserver/registry/types.ts";
import { createDecoded } from "../../03-apiserver/rest/create.ts";
import { BOOTSTRAP_CLUSTER_ROLE_BINDINGS, BOOTSTRAP_CLUSTER_ROLES } from "./bootstrap-policy.ts";
import { mastersAuthorizer } from "./masters.ts";
import { rbacAuthorizer } from "./rbac-authorizer.ts";
import { clusterRoleBindings, clusterRoles, RBAC_RESOURCES } from "./rbac-resources.ts";
import { bearerTokenAuthenticator, rejectAnonymous } from "./token-authenticator.ts";
import type { StaticToken } from "./token-file.ts";

export interface AuthOptions {
  /** The static tokens (parseTokenFile / ensureTokens). */
  tokens: readonly StaticToken[];
  /** Let requests without a token through as system:anonymous (RBAC then decides). Default false: 401. */
  anonymous?: boolean;
}

/** Serves the RBAC kinds under /apis/rbac.authorization.k8s.io/v1 (once per apiserver). */
export function registerRbacResources(apiserver: ApiServer): void {
  for (const r of RBAC_RESOURCES) if (!apiserver.registry.lookup(r.group, r.version, r.plural)) apiserver.registry.register(r);
}

/** Turns on authentication and authorization, and creates the bootstrap roles that are missing. */
export async function installAuth(apiserver: ApiServer, options: AuthOptions): Promise<void> {
  registerRbacResources(apiserver);
  apiserver.chain.addAuthenticator(bearerTokenAuthenticator(options.tokens));
  if (!options.anonymous) apiserver.chain.addAuthenticator(rejectAnonymous);
  apiserver.chain.addAuthorizer(mastersAuthorizer);
  apiserver.chain.addAuthorizer(rbacAuthorizer(apiserver.storage));
  await createBootstrapPolicy(apiserver);
}

async function createBootstrapPolicy(apiserver: ApiServer): Promise<void> {
  const ctx = { storage: apiserver.storage, registry: apiserver.registry, chain: apiserver.chain };
  const scope = { user: ADMIN, fieldValidation: "Strict" as const, dryRun: false };
  const wanted = [
    ...BOOTSTRAP_CLUSTER_ROLES.map((obj) => ({ resource: clusterRoles, obj })),
    ...BOOTSTRAP_CLUSTER_ROLE_BINDINGS.map((obj) => ({ resource: clusterRoleBindings, obj })),
  ];
  for (const { resource, obj } of wanted) {
    try {
      await createDecoded(ctx, resource, undefined, structuredClone(obj) as ApiObject, scope);
    } catch (err) {
      if (!isApiError(err, "AlreadyExists")) throw err;
    }
  }
}

export { AUTHENTICATION_GROUP, AUTHORIZATION_GROUP, installAccessReview } from "./access-review.ts";
export { AUTHENTICATED_GROUP, bearerTokenAuthenticator, rejectAnonymous } from "./token-authenticator.ts";
export {
  ensureTokens,
  newToken,
  parseTokenFile,
  readTokenFile,
  splitCsvLine,
  tokenLine,
  type StaticToken,
} from "./token-file.ts";
export { ruleAllows, subjectMatches, rbacAuthorizer } from "./rbac-authorizer.ts";
export { MASTERS_GROUP, mastersAuthorizer } from "./masters.ts";
export { RBAC_GROUP, RBAC_RESOURCES } from "./rbac-resources.ts";
