/** Schemas of the kinds in shared/api/rbac.ts. */
import { kindSchema } from "./meta.ts";
import { arrayOf, object, string, type Schema } from "./types.ts";

const strings = arrayOf(string, { listType: "atomic" });

const policyRule = object(
  { verbs: strings, apiGroups: strings, resources: strings, resourceNames: strings, nonResourceURLs: strings },
  { required: ["verbs"] },
);

const subject = object({ kind: string, name: string, namespace: string, apiGroup: string }, { required: ["kind", "name"] });
const roleRef = object({ apiGroup: string, kind: string, name: string }, { required: ["apiGroup", "kind", "name"] });

export const role: Schema = kindSchema(
  { rules: arrayOf(policyRule, { listType: "atomic" }) },
  "Role is a namespaced set of rules.",
);
export const clusterRole: Schema = kindSchema(
  {
    rules: arrayOf(policyRule, { listType: "atomic" }),
    aggregationRule: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
  },
  "ClusterRole is a cluster-wide set of rules.",
);
export const roleBinding: Schema = kindSchema(
  { subjects: arrayOf(subject, { listType: "atomic" }), roleRef },
  "RoleBinding grants the rules of a role to subjects in one namespace.",
);
export const clusterRoleBinding: Schema = kindSchema(
  { subjects: arrayOf(subject, { listType: "atomic" }), roleRef },
  "ClusterRoleBinding grants the rules of a ClusterRole to subjects in every namespace.",
);
