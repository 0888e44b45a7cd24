/**
 * Table output: `kubectl get` does not format objects itself. It asks the
 * server for a Table (Accept: application/json;as=Table;v=v1;g=meta.k8s.io)
 * and prints the columns the server chose. That is how `kubectl get pods`
 * shows READY and STATUS for pods but ROLES and VERSION for nodes, and how
 * it can print resources it has never heard of.
 */
import {
  age,
  type PartialObjectMetadata,
  type Table,
  type TableColumnDefinition,
  type TableRow,
} from "../../../shared/api/index.ts";
import type { ApiObject, ResourceDefinition, TableConvertor } from "../registry/types.ts";

export type IncludeObject = "None" | "Metadata" | "Object";

/** The columns of a resource without its own: NAME and AGE. */
export const DEFAULT_TABLE: TableConvertor = {
  columns: [nameColumn(), ageColumn()],
  cells: (obj, now) => [obj.metadata?.name ?? "", age(obj.metadata?.creationTimestamp, now)],
};

export function nameColumn(): TableColumnDefinition {
  return {
    name: "Name",
    type: "string",
    format: "name",
    description: "Name must be unique within a namespace. Cannot be updated.",
    priority: 0,
  };
}

export function ageColumn(): TableColumnDefinition {
  return {
    name: "Age",
    type: "string",
    format: "",
    description: "CreationTimestamp is the time the object was created, as an age (5m, 3h, 2d).",
    priority: 0,
  };
}

/** A column, briefly: column("Ready", "The number of ready containers"), column("IP", "...", 1). */
export function column(
  name: string,
  description: string,
  priority = 0,
  type: TableColumnDefinition["type"] = "string",
): TableColumnDefinition {
  return { name, type, format: "", description, priority };
}

/** The object a row carries: only metadata unless the client asked for the whole object. */
function rowObject(obj: ApiObject, include: IncludeObject): unknown {
  if (include === "Object") return obj;
  if (include === "None") return undefined;
  const partial: PartialObjectMetadata = {
    kind: "PartialObjectMetadata",
    apiVersion: "meta.k8s.io/v1",
    metadata: obj.metadata ?? {},
  };
  return partial;
}

/** The Table of some objects: the convertor's columns and one row per object. */
export function toTable(
  resource: ResourceDefinition,
  objects: ApiObject[],
  resourceVersion: string,
  include: IncludeObject,
  now = new Date(),
): Table {
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: { resourceVersion },
    columnDefinitions: (resource.table ?? DEFAULT_TABLE).columns,
    rows: objects.map((obj) => tableRow(resource, obj, include, now)),
  };
}

/** One row of a Table: the cells of the resource's columns, and the object as asked. */
export function tableRow(resource: ResourceDefinition, obj: ApiObject, include: IncludeObject, now: Date): TableRow {
  const row: TableRow = { cells: (resource.table ?? DEFAULT_TABLE).cells(obj, now) };
  const object = rowObject(obj, include);
  if (object !== undefined) row.object = object;
  return row;
}
