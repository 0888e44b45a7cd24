/**
 * The roles every cluster starts with (Kubernetes' "bootstrap policy"),
 * created when the apiserver starts if they are missing:
 *
 *   ClusterRole cluster-admin      everything (bound to the group system:masters)
 *   ClusterRole view               read most things in a namespace, but NOT Secrets
 *   ClusterRole system:discovery   read /api, /apis, /version, /openapi (bound to every authenticated user)
 *   ClusterRole system:basic-user  ask "may I?" and "who am I?" (access reviews; bound to every authenticated user)
 *
 * `view` leaves Secrets out on purpose: being allowed to look at an app is
 * not a reason to be allowed to read its passwords.
 */
import type { ClusterRole, ClusterRoleBinding } from "../../../shared/api/rbac.ts";
import { MASTERS_GROUP } from "./masters.ts";
import { RBAC_GROUP } from "./rbac-resources.ts";
import { AUTHENTICATED_GROUP } from "./token-authenticator.ts";

const meta = (name: string) => ({ name, labels: { "kubernetes.io/bootstrapping": "rbac-defaults" } });
const READ = ["get", "list", "watch"];

export const BOOTSTRAP_CLUSTER_ROLES: ClusterRole[] = [
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: meta("cluster-admin"),
    rules: [
      { apiGroups: ["*"], resources: ["*"], verbs: ["*"] },
      { nonResourceURLs: ["*"], verbs: ["*"] },
    ],
  },
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: meta("view"),
    rules: [
      {
        apiGroups: [""],
        resources: [
          "pods",
          "pods/log",
          "pods/status",
          "configmaps",
          "events",
          "replicationcontrollers",
          "replicationcontrollers/scale",
          "services",
          "endpoints",
          "namespaces",
        ],
        verbs: READ,
      },
    ],
  },
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: meta("system:discovery"),
    rules: [
      {
        nonResourceURLs: [
          "/api",
          "/api/*",
          "/apis",
          "/apis/*",
          "/openapi",
          "/openapi/*",
          "/version",
          "/version/",
          "/healthz",
          "/livez",
          "/readyz",
        ],
        verbs: ["get"],
      },
    ],
  },
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: meta("system:basic-user"),
    rules: [
      {
        apiGroups: ["authorization.k8s.io"],
        resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
        verbs: ["create"],
      },
      { apiGroups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"], verbs: ["create"] },
    ],
  },
];

const binding = (name: string, group: string): ClusterRoleBinding => ({
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: "ClusterRoleBinding",
  metadata: meta(name),
  roleRef: { apiGroup: RBAC_GROUP, kind: "ClusterRole", name },
  subjects: [{ apiGroup: RBAC_GROUP, kind: "Group", name: group }],
});

export const BOOTSTRAP_CLUSTER_ROLE_BINDINGS: ClusterRoleBinding[] = [
  binding("cluster-admin", MASTERS_GROUP),
  binding("system:discovery", AUTHENTICATED_GROUP),
  binding("system:basic-user", AUTHENTICATED_GROUP),
];
