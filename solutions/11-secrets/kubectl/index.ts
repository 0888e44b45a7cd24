/**
 * Chapter 11 in the chapter 04 kubectl: the names secret(s), configmap(s)/cm
 * and the RBAC kinds, and a describer for Secrets that shows sizes only.
 * Importing this file registers them (workshop/kubectl.ts imports it).
 */
import { registerDescriber } from "../../04-kubectl/kubectl/describe.ts";
import { registerResource } from "../../04-kubectl/kubectl/resources.ts";
import { CONFIGMAPS, SECRETS } from "../kubelet/objects.ts";
import { describeSecret } from "./describe-secret.ts";

const rbac = (kind: string, resource: string, namespaced: boolean, shortNames: string[] = []) =>
  registerResource({ group: "rbac.authorization.k8s.io", version: "v1", kind, resource, namespaced, singular: kind.toLowerCase(), shortNames });

registerResource({ ...SECRETS, singular: "secret", shortNames: [] });
registerResource({ ...CONFIGMAPS, singular: "configmap", shortNames: ["cm"] });
rbac("Role", "roles", true);
rbac("RoleBinding", "rolebindings", true);
rbac("ClusterRole", "clusterroles", false);
rbac("ClusterRoleBinding", "clusterrolebindings", false);
registerDescriber("Secret", describeSecret);
