/**
 * AUTHORIZATION with RBAC (role-based access control): may this user do this?
 *
 *   request attributes: user bob (groups dev, system:authenticated),
 *                       verb get, apiGroup "", resource secrets, namespace shop, name db
 *
 *   1. every ClusterRoleBinding whose subjects include bob (or one of his groups):
 *      does its ClusterRole have a rule allowing it?           -> allow, anywhere
 *   2. every RoleBinding in the namespace "shop" whose subjects include bob:
 *      does its Role (or ClusterRole) have a rule allowing it? -> allow, in "shop" only
 *   3. nothing allows it                                       -> no opinion (the chain answers 403)
 *
 * RBAC only ever adds permissions: there are no "deny" rules, so the order
 * of roles does not matter and granting least privilege means granting
 * little, never granting much and subtracting.
 *
 * This authorizer reads the roles and bindings from storage on every request.
 * The real one keeps them in an informer's cache; the answers are the same.
 */
import type { PolicyRule, RoleBinding, Subject } from "../../../shared/api/rbac.ts";
import type { Authorizer, RequestAttributes, UserInfo } from "../../03-apiserver/chain/types.ts";
import type { ObjectStorage } from "../../03-apiserver/storage/object-storage.ts";
import { isApiError } from "../../../shared/api/index.ts";
import { clusterRoleBindings, clusterRoles, roleBindings, roles } from "./rbac-resources.ts";
import { todo } from "../../../shared/todo.ts";

const matches = (list: readonly string[] | undefined, value: string): boolean => !!list && (list.includes("*") || list.includes(value));

// TODO(11.2): does one rule allow the request? RBAC only adds rights: verb,
// API group and resource must each be listed or "*" (a subresource is
// "pods/log"). resourceNames limit a rule to named objects, so such a rule
// never allows list, watch or create. Paths like /version match
// nonResourceURLs, where a trailing "*" is a prefix. Tests: the "11.2" tests.
export function ruleAllows(rule: PolicyRule, a: RequestAttributes): boolean {
  todo("11.2");
}

// TODO(11.2): is this subject the user? A ServiceAccount subject is the user
// "system:serviceaccount:NAMESPACE:NAME" (namespace defaults to the binding's).
export function subjectMatches(subject: Subject, user: UserInfo, bindingNamespace: string): boolean {
  todo("11.2");
}

export function rbacAuthorizer(storage: ObjectStorage): Authorizer {
  /** The rules of a binding's role, or none when the role does not exist (yet). */
  const rulesOf = async (binding: RoleBinding, namespace: string | undefined): Promise<PolicyRule[]> => {
    const ref = binding.roleRef;
    if (!ref) return [];
    try {
      const role = ref.kind === "Role" ? await storage.get(roles, namespace, ref.name) : await storage.get(clusterRoles, undefined, ref.name);
      return (role.rules as PolicyRule[] | undefined) ?? [];
    } catch (err) {
      if (isApiError(err, "NotFound")) return [];
      throw err;
    }
  };
  const grants = async (bindings: RoleBinding[], a: RequestAttributes, namespace: string | undefined): Promise<boolean> => {
    for (const binding of bindings) {
      const own = binding.metadata?.namespace ?? "";
      if (!(binding.subjects ?? []).some((s) => subjectMatches(s, a.user, own))) continue;
      if ((await rulesOf(binding, namespace)).some((rule) => ruleAllows(rule, a))) return true;
    }
    return false;
  };
  return {
    name: "RBAC",
    async authorize(a) {
      const cluster = (await storage.list(clusterRoleBindings)).items as RoleBinding[];
      if (await grants(cluster, a, undefined)) return { decision: "allow" };
      if (a.namespace) {
        const local = (await storage.list(roleBindings, a.namespace)).items as RoleBinding[];
        if (await grants(local, a, a.namespace)) return { decision: "allow" };
      }
      return { decision: "no-opinion" };
    },
  };
}
