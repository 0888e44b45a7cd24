/**
 * The types of rbac.authorization.k8s.io/v1 (chapter 11): roles say WHAT may
 * be done, bindings say WHO may do it.
 *
 *   Role (namespaced) / ClusterRole       rules: verbs on resources of API groups
 *   RoleBinding (namespaced)              subjects get a Role or ClusterRole in ONE namespace
 *   ClusterRoleBinding                    subjects get a ClusterRole everywhere
 */
import type { KubeObject } from "./meta.ts";

export interface PolicyRule {
  /** get, list, watch, create, update, patch, delete, deletecollection, or "*". */
  verbs: string[];
  /** "" is the core group; "*" is every group. */
  apiGroups?: string[];
  /** Plurals ("secrets"), "resource/subresource" ("pods/log"), or "*". */
  resources?: string[];
  /** Only these object names (then the rule cannot allow list, watch or create). */
  resourceNames?: string[];
  /** Paths that are not resources (/version, /healthz, /api/*), for ClusterRoles. */
  nonResourceURLs?: string[];
}

export interface Role extends KubeObject {
  apiVersion?: "rbac.authorization.k8s.io/v1";
  kind?: "Role";
  rules?: PolicyRule[];
}

export interface ClusterRole extends KubeObject {
  apiVersion?: "rbac.authorization.k8s.io/v1";
  kind?: "ClusterRole";
  rules?: PolicyRule[];
}

export interface Subject {
  /** "User", "Group" or "ServiceAccount". */
  kind: string;
  name: string;
  /** For ServiceAccount subjects. */
  namespace?: string;
  apiGroup?: string;
}

export interface RoleRef {
  apiGroup: string;
  /** "Role" or "ClusterRole". */
  kind: string;
  name: string;
}

export interface RoleBinding extends KubeObject {
  apiVersion?: "rbac.authorization.k8s.io/v1";
  kind?: "RoleBinding";
  subjects?: Subject[];
  roleRef?: RoleRef;
}

export interface ClusterRoleBinding extends KubeObject {
  apiVersion?: "rbac.authorization.k8s.io/v1";
  kind?: "ClusterRoleBinding";
  subjects?: Subject[];
  roleRef?: RoleRef;
}
