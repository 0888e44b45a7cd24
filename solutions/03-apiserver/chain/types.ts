/**
 * The request chain: every request passes authentication (who is it?),
 * authorization (may they do this?) and, for writes, admission (is this
 * object acceptable? should it be changed first?), as in the real apiserver.
 *
 * In this chapter the chain is empty: everyone is anonymous and everything
 * is allowed. Chapter 11 adds bearer tokens and roles; chapter 06 adds an
 * admission policy for hostPath volumes. They only add plugins here.
 */
import type { IncomingMessage } from "node:http";
import type { ApiObject, ResourceDefinition } from "../registry/types.ts";

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
}

/** The anonymous user: who a request is when no authenticator recognizes it. */
export const ANONYMOUS: UserInfo = { username: "system:anonymous", groups: ["system:unauthenticated"] };

/**
 * Recognizes a request's credentials. Return the user, or undefined when the
 * request carries no credential of this kind. Throw unauthorized() for a bad one.
 */
export type Authenticator = (req: IncomingMessage) => UserInfo | undefined | Promise<UserInfo | undefined>;

/** What the request is about, in the terms RBAC uses (Kubernetes' RequestInfo). */
export interface RequestAttributes {
  user: UserInfo;
  /** get, list, watch, create, update, patch, delete, deletecollection (or the HTTP verb, lower case, for non-resource paths). */
  verb: string;
  isResourceRequest: boolean;
  /** The URL path, e.g. /api/v1/namespaces/default/pods or /version. */
  path: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

export type AuthorizationDecision = { decision: "allow" } | { decision: "deny"; reason: string } | { decision: "no-opinion" };

export interface Authorizer {
  name: string;
  authorize(attributes: RequestAttributes): AuthorizationDecision | Promise<AuthorizationDecision>;
}

export type AdmissionOperation = "CREATE" | "UPDATE" | "DELETE" | "CONNECT";

export interface AdmissionRequest {
  operation: AdmissionOperation;
  resource: ResourceDefinition;
  subresource: string;
  namespace: string | undefined;
  name: string;
  /** The new object (create, update). A mutating plugin may change it in place. */
  object?: ApiObject;
  /** The stored object (update, delete). */
  oldObject?: ApiObject;
  user: UserInfo;
}

/**
 * An admission plugin. `admit` may change request.object (mutating admission,
 * e.g. set a default service account); `validate` only checks (validating
 * admission). Either throws an ApiError (usually forbidden()) to reject.
 */
export interface AdmissionPlugin {
  name: string;
  admit?(request: AdmissionRequest): void | Promise<void>;
  validate?(request: AdmissionRequest): void | Promise<void>;
}
