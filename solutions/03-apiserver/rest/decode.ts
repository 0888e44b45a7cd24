/**
 * Decoding a request body into an object of the resource's kind.
 *
 * The real apiserver decodes JSON into Go structs: a field of the wrong type
 * is an error, an unknown field is dropped (and, when the client asked for
 * fieldValidation=Strict as kubectl does, an error). We do the same by
 * walking the body along the kind's schema.
 */
import { badRequest, groupVersion, isObject } from "../../../shared/api/index.ts";
import type { Schema } from "../../../shared/api/schema/types.ts";
import type { ApiObject, ResourceDefinition } from "../registry/types.ts";

export type FieldValidation = "Strict" | "Warn" | "Ignore";

export function parseFieldValidation(value: string | null): FieldValidation {
  if (value === null || value === "") return "Warn";
  if (value === "Strict" || value === "Warn" || value === "Ignore") return value;
  throw badRequest(`fieldValidation: invalid value "${value}": valid values are "Ignore", "Warn" and "Strict"`);
}

export interface Decoded {
  obj: ApiObject;
  /** Unknown fields (under fieldValidation=Warn), for Warning headers. */
  warnings: string[];
}

/**
 * Checks that `body` is an object of the resource's kind and that its fields
 * have the types of the schema. Fills in a missing apiVersion and kind.
 */
export function decodeObject(resource: ResourceDefinition, body: unknown, fieldValidation: FieldValidation): Decoded {
  const gv = groupVersion(resource.group, resource.version);
  if (!isObject(body)) throw badRequest(`the request body must be a JSON object (a ${resource.kind}), not ${describe(body)}`);
  if (body.apiVersion !== undefined && body.apiVersion !== gv) {
    throw badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${gv})`);
  }
  if (body.kind !== undefined && body.kind !== resource.kind) {
    throw badRequest(
      `the kind in the data (${String(body.kind)}) does not match the expected kind (${resource.kind}) for resource "${resource.plural}"`,
    );
  }
  return decodeWithSchema(
    body,
    resource.schema,
    `${resource.kind} in version "${resource.version}" cannot be handled as a ${resource.kind}`,
    fieldValidation,
    {
      apiVersion: gv,
      kind: resource.kind,
    },
  );
}

/** Decodes any body against a schema (also used for subresource bodies such as Binding). */
export function decodeWithSchema(
  body: Record<string, unknown>,
  schema: Schema,
  typeErrorPrefix: string,
  fieldValidation: FieldValidation,
  typeMeta: { apiVersion: string; kind: string },
): Decoded {
  const unknown: string[] = [];
  const typeErrors: string[] = [];
  const pruned = walk(body, schema, "", unknown, typeErrors) as Record<string, unknown>;
  if (typeErrors.length > 0) throw badRequest(`${typeErrorPrefix}: ${typeErrors.slice(0, 5).join("; ")}`);
  if (unknown.length > 0 && fieldValidation === "Strict") {
    throw badRequest(`strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(", ")}`);
  }
  const obj = { apiVersion: typeMeta.apiVersion, kind: typeMeta.kind, ...pruned } as ApiObject;
  obj.apiVersion = typeMeta.apiVersion;
  obj.kind = typeMeta.kind;
  if (obj.metadata === undefined) obj.metadata = {};
  return { obj, warnings: fieldValidation === "Warn" ? unknown.map((f) => `unknown field "${f}"`) : [] };
}

// STEP(03.2): check `value` against `schema` the way Go's JSON decoding would.
// A value of the wrong type is a type error (one message per field, naming the
// field's path, e.g. "spec.containers[0].name"). null means "not set": drop it
// first, even for a field the schema does not know (that is not reported), and
// drop a null array element too (Go would make it an empty value; dropping it
// means no later step ever meets a null). Any other field the schema does not
// know is pruned and its path recorded in `unknown`.
// Schemas may allow free-form maps and int-or-string fields (see schema/types.ts).
// Tests: "03.2 decodes a body along the schema"; over HTTP, once 03.3 is done too,
// "03.3 create > wrong types are 400; unknown fields are 400 under fieldValidation=Strict and dropped otherwise".
/** Returns the value with unknown fields and nulls removed; records problems. */
function walk(value: unknown, schema: Schema, path: string, unknown: string[], typeErrors: string[]): unknown {
  //#solution
  if (schema["x-kubernetes-preserve-unknown-fields"] && !schema.properties) return value;
  if (schema["x-kubernetes-int-or-string"]) {
    if (typeof value === "string" || (typeof value === "number" && Number.isInteger(value))) return value;
    typeErrors.push(`${path || "the object"}: expected an integer or a string, got ${describe(value)}`);
    return value;
  }
  switch (schema.type) {
    case "string":
      if (typeof value !== "string") typeErrors.push(`${path}: expected a string, got ${describe(value)}`);
      return value;
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value))
        typeErrors.push(`${path}: expected an integer, got ${describe(value)}`);
      return value;
    case "number":
      if (typeof value !== "number") typeErrors.push(`${path}: expected a number, got ${describe(value)}`);
      return value;
    case "boolean":
      if (typeof value !== "boolean") typeErrors.push(`${path}: expected a boolean, got ${describe(value)}`);
      return value;
    case "array": {
      if (!Array.isArray(value)) {
        typeErrors.push(`${path}: expected an array, got ${describe(value)}`);
        return value;
      }
      const items = schema.items;
      return items ? value.filter((v) => v !== null).map((v, i) => walk(v, items, `${path}[${i}]`, unknown, typeErrors)) : value;
    }
    case "object": {
      if (!isObject(value)) {
        typeErrors.push(`${path || "the object"}: expected an object, got ${describe(value)}`);
        return value;
      }
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(value)) {
        if (v === null || v === undefined) continue;
        const childPath = path ? `${path}.${key}` : key;
        const prop = schema.properties && Object.hasOwn(schema.properties, key) ? schema.properties[key] : undefined;
        if (prop) out[key] = walk(v, prop, childPath, unknown, typeErrors);
        else if (isObject(schema.additionalProperties))
          out[key] = walk(v, schema.additionalProperties, childPath, unknown, typeErrors);
        else if (schema.additionalProperties === true || schema["x-kubernetes-preserve-unknown-fields"]) out[key] = v;
        else unknown.push(childPath);
      }
      return out;
    }
    default:
      return value;
  }
  //#end
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return `a string (${JSON.stringify(value.length > 40 ? value.slice(0, 40) + "..." : value)})`;
  return `${typeof value} (${String(value)})`;
}
