/**
 * The Lease resource (coordination.k8s.io/v1): a plain stored kind with no
 * status and no controller behind it. Everything interesting about a Lease
 * happens in its clients: who writes it, how often, and with which
 * resourceVersion (leaderelection/ and nodelease/).
 */
import type { Lease } from "../../../shared/api/coordination.ts";
import { age, type FieldError } from "../../../shared/api/index.ts";
import { lease } from "../../../shared/api/schema/coordination.ts";
import type { ResourceDefinition, TableConvertor } from "../../03-apiserver/registry/types.ts";
import { ageColumn, column, nameColumn } from "../../03-apiserver/table/table.ts";

/** The columns of `kubectl get lease`, as the real apiserver serves them. */
export const leaseTable: TableConvertor = {
  columns: [nameColumn(), column("Holder", "Holder of the lease.", 0), ageColumn()],
  cells(obj, now) {
    const l = obj as Lease;
    return [l.metadata?.name ?? "", l.spec?.holderIdentity ?? "", age(l.metadata?.creationTimestamp, now)];
  },
};

export const leases: ResourceDefinition = {
  group: "coordination.k8s.io",
  version: "v1",
  kind: "Lease",
  plural: "leases",
  singular: "lease",
  shortNames: [],
  scope: "Namespaced",
  schema: lease,
  description: "Lease defines a lease concept.",
  strategy: {
    validate(obj) {
      const spec = (obj as Lease).spec ?? {};
      const errors: FieldError[] = [];
      if (spec.leaseDurationSeconds !== undefined && spec.leaseDurationSeconds <= 0) {
        errors.push({
          type: "FieldValueInvalid",
          field: "spec.leaseDurationSeconds",
          value: spec.leaseDurationSeconds,
          detail: "must be greater than 0",
        });
      }
      if (spec.leaseTransitions !== undefined && spec.leaseTransitions < 0) {
        errors.push({
          type: "FieldValueInvalid",
          field: "spec.leaseTransitions",
          value: spec.leaseTransitions,
          detail: "must be greater than or equal to 0",
        });
      }
      return errors;
    },
  },
  table: leaseTable,
};
