/**
 * The group system:masters may do anything, before any role is consulted
 * (in Kubernetes too: it is checked ahead of RBAC, so no mistake in the
 * roles can lock the administrators out). This workshop gives the admin
 * token and the components' token this group.
 */
import type { Authorizer } from "../../03-apiserver/chain/types.ts";

export const MASTERS_GROUP = "system:masters";

export const mastersAuthorizer: Authorizer = {
  name: "system:masters",
  authorize: (a) => (a.user.groups.includes(MASTERS_GROUP) ? { decision: "allow" } : { decision: "no-opinion" }),
};
