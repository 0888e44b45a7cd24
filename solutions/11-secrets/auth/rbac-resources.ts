/**
 * The four RBAC kinds, served under /apis/rbac.authorization.k8s.io/v1 like
 * any other resource: `kubectl apply -f role.yaml` stores them, and the RBAC
 * authorizer (rbac-authorizer.ts) reads them on every request.
 */
import { age, field, type FieldError } from "../../../shared/api/index.ts";
import type { PolicyRule, RoleBinding } from "../../../shared/api/rbac.ts";
import * as schemas from "../../../shared/api/schema/rbac.ts";
import type { ApiObject, ResourceDefinition, Scope } from "../../03-apiserver/registry/types.ts";
import { ageColumn, column, nameColumn } from "../../03-apiserver/table/table.ts";
import type { Schema } from "../../../shared/api/schema/types.ts";

export const RBAC_GROUP = "rbac.authorization.k8s.io";

function validateRules(obj: ApiObject, namespaced: boolean): FieldError[] {
  const errors: FieldError[] = [];
  ((obj.rules as PolicyRule[] | undefined) ?? []).forEach((rule, i) => {
    const path = `rules[${i}]`;
    if (!rule.verbs?.length) errors.push(field.required(`${path}.verbs`, "verbs must contain at least one value"));
    if (rule.nonResourceURLs?.length) {
      if (namespaced)
        errors.push(
          field.invalid(`${path}.nonResourceURLs`, rule.nonResourceURLs, "namespaced rules cannot apply to non-resource URLs"),
        );
      if (rule.resources?.length || rule.apiGroups?.length)
        errors.push(
          field.invalid(
            `${path}.nonResourceURLs`,
            rule.nonResourceURLs,
            "rules cannot apply to both regular resources and non-resource URLs",
          ),
        );
    } else {
      if (!rule.resources?.length)
        errors.push(field.required(`${path}.resources`, "resource rules must supply at least one resource"));
      if (!rule.apiGroups?.length)
        errors.push(field.required(`${path}.apiGroups`, "resource rules must supply at least one api group"));
    }
  });
  return errors;
}

function validateBinding(obj: ApiObject, namespaced: boolean): FieldError[] {
  const b = obj as RoleBinding;
  const errors: FieldError[] = [];
  if (!b.roleRef?.name) errors.push(field.required("roleRef.name"));
  const kinds = namespaced ? ["Role", "ClusterRole"] : ["ClusterRole"];
  if (b.roleRef && !kinds.includes(b.roleRef.kind)) errors.push(field.notSupported("roleRef.kind", b.roleRef.kind, kinds));
  if (b.roleRef && b.roleRef.apiGroup !== RBAC_GROUP)
    errors.push(field.notSupported("roleRef.apiGroup", b.roleRef.apiGroup, [RBAC_GROUP]));
  (b.subjects ?? []).forEach((s, i) => {
    if (!["User", "Group", "ServiceAccount"].includes(s.kind))
      errors.push(field.notSupported(`subjects[${i}].kind`, s.kind, ["User", "Group", "ServiceAccount"]));
    if (!s.name) errors.push(field.required(`subjects[${i}].name`));
  });
  return errors;
}

function bindingCells(obj: ApiObject, now: Date): unknown[] {
  const b = obj as RoleBinding;
  const subjects = (b.subjects ?? []).map((s) => `${s.kind === "ServiceAccount" ? `${s.namespace ?? ""}/` : ""}${s.name}`);
  return [
    b.metadata?.name ?? "",
    `${b.roleRef?.kind ?? ""}/${b.roleRef?.name ?? ""}`,
    age(b.metadata?.creationTimestamp, now),
    subjects.join(", "),
  ];
}

const bindingColumns = [
  nameColumn(),
  column("Role", "The role the binding grants."),
  ageColumn(),
  column("Subjects", "Who gets it.", 1),
];

function roleDefinition(kind: string, plural: string, scope: Scope, schema: Schema): ResourceDefinition {
  const namespaced = scope === "Namespaced";
  return {
    group: RBAC_GROUP,
    version: "v1",
    kind,
    plural,
    singular: kind.toLowerCase(),
    scope,
    schema,
    // RBAC names may hold ":" (system:discovery): any name that is a valid path segment.
    nameFormat: "PathSegment",
    strategy: { validate: (obj) => validateRules(obj, namespaced) },
    table: {
      columns: [nameColumn(), column("Created At", "When the role was created.")],
      cells: (obj) => [obj.metadata?.name ?? "", obj.metadata?.creationTimestamp ?? ""],
    },
  };
}

function bindingDefinition(kind: string, plural: string, scope: Scope, schema: Schema): ResourceDefinition {
  return {
    group: RBAC_GROUP,
    version: "v1",
    kind,
    plural,
    singular: kind.toLowerCase(),
    scope,
    schema,
    nameFormat: "PathSegment",
    strategy: {
      validate: (obj) => validateBinding(obj, scope === "Namespaced"),
      // The role a binding grants cannot change: delete and re-create the binding instead.
      validateUpdate: (obj, old) =>
        JSON.stringify((obj as RoleBinding).roleRef) === JSON.stringify((old as RoleBinding).roleRef)
          ? []
          : [field.invalid("roleRef", (obj as RoleBinding).roleRef, "cannot change roleRef")],
    },
    table: { columns: bindingColumns, cells: bindingCells },
  };
}

export const roles = roleDefinition("Role", "roles", "Namespaced", schemas.role);
export const clusterRoles = roleDefinition("ClusterRole", "clusterroles", "Cluster", schemas.clusterRole);
export const roleBindings = bindingDefinition("RoleBinding", "rolebindings", "Namespaced", schemas.roleBinding);
export const clusterRoleBindings = bindingDefinition(
  "ClusterRoleBinding",
  "clusterrolebindings",
  "Cluster",
  schemas.clusterRoleBinding,
);

export const RBAC_RESOURCES = [roles, clusterRoles, roleBindings, clusterRoleBindings];
