/**
 * The types of chapter 15's tenancy objects (core/v1 unless noted):
 * ServiceAccount, TokenRequest (authentication.k8s.io/v1), ResourceQuota and
 * LimitRange. They let many teams share one cluster: each team gets a
 * namespace, identities for its programs, a budget and defaults.
 */
import type { KubeObject } from "./meta.ts";

export interface ServiceAccount extends KubeObject {
  apiVersion?: "v1";
  kind?: "ServiceAccount";
  /** false: pods of this account get no token unless they ask for one (pod.spec.automountServiceAccountToken). */
  automountServiceAccountToken?: boolean;
  secrets?: { name?: string }[];
}

/** POST .../serviceaccounts/NAME/token: ask for a short-lived token of that account. */
export interface TokenRequest extends KubeObject {
  apiVersion?: "authentication.k8s.io/v1";
  kind?: "TokenRequest";
  spec?: {
    /** Who the token is for: a server accepts a token only when it is one of them. Default: the apiserver. */
    audiences?: string[];
    /** Lifetime. Default 3600, at least 600. */
    expirationSeconds?: number;
    /** The token dies with this object (a Pod or a Secret). */
    boundObjectRef?: { kind?: string; apiVersion?: string; name?: string; uid?: string };
  };
  status?: { token?: string; expirationTimestamp?: string };
}

/** The resources a quota counts or sums, e.g. "pods", "requests.cpu", "limits.memory". */
export type ResourceList = Record<string, string | number>;

export interface ResourceQuota extends KubeObject {
  apiVersion?: "v1";
  kind?: "ResourceQuota";
  spec?: { hard?: ResourceList };
  /** Written by the quota controller: the limits, and how much the namespace uses now. */
  status?: { hard?: ResourceList; used?: ResourceList };
}

export interface LimitRangeItem {
  /** "Container" is the type this workshop applies. */
  type: string;
  /** Default limits for a container without them. */
  default?: ResourceList;
  /** Default requests for a container without them. */
  defaultRequest?: ResourceList;
  min?: ResourceList;
  max?: ResourceList;
}

export interface LimitRange extends KubeObject {
  apiVersion?: "v1";
  kind?: "LimitRange";
  spec?: { limits?: LimitRangeItem[] };
}
