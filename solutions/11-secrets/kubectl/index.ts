/**
 * Chapter 11's part of the chapter 04 kubectl, as a plugin
 * (04-kubectl/kubectl/plugin.ts): the names secret(s), configmap(s)/cm and
 * the RBAC kinds, and a describer for Secrets that shows sizes only.
 */
import type { KubectlPlugin } from "../../04-kubectl/kubectl/plugin.ts";
import type { ResourceInfo } from "../../04-kubectl/kubectl/resources.ts";
import { CONFIGMAPS, SECRETS } from "../kubelet/objects.ts";
import { describeSecret } from "./describe-secret.ts";

const rbac = (kind: string, resource: string, namespaced: boolean): ResourceInfo => ({
  group: "rbac.authorization.k8s.io",
  version: "v1",
  kind,
  resource,
  namespaced,
  singular: kind.toLowerCase(),
  shortNames: [],
});

export const kubectlPlugin: KubectlPlugin = {
  resources: [
    { ...SECRETS, singular: "secret", shortNames: [] },
    { ...CONFIGMAPS, singular: "configmap", shortNames: ["cm"] },
    rbac("Role", "roles", true),
    rbac("RoleBinding", "rolebindings", true),
    rbac("ClusterRole", "clusterroles", false),
    rbac("ClusterRoleBinding", "clusterrolebindings", false),
  ],
  describers: { Secret: describeSecret },
};
