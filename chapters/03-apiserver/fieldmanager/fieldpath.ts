/**
 * Field paths and field sets: how server-side apply names "a field".
 *
 * A path is a list of elements, as in Kubernetes' structured-merge-diff:
 *   "f:spec"                      a field of an object
 *   'k:{"name":"main"}'           the element of a keyed list (containers by name)
 *   'v:"example.com/cleanup"'     the element of a list of values (finalizers)
 * so .spec.containers[name="main"].image is
 *   ["f:spec", "f:containers", 'k:{"name":"main"}', "f:image"].
 *
 * An object gives the set of paths it sets: every leaf (a string, a number, a
 * list replaced as a whole) and every list element or map it holds. A
 * managedFields entry stores such a set as a tree (fieldsV1), where "." marks
 * a path that is itself a member and also has members below it:
 *   {"f:spec":{"f:containers":{'k:{"name":"main"}':{".":{},"f:image":{},"f:name":{}}}}}
 */
import { isObject } from "../../../shared/api/index.ts";
import type { Schema } from "../../../shared/api/schema/types.ts";

export type FieldPath = string[];

/** One member of an object's field set: where, and (for a leaf) its value, to compare two objects. */
export interface FieldValue {
  path: FieldPath;
  leaf: boolean;
  /** JSON of a leaf's value; "" for a list element or a map (they have no value of their own). */
  value: string;
}

/** A field set with values, keyed by pathKey(). */
export type FieldValues = Map<string, FieldValue>;

export function pathKey(path: FieldPath): string {
  return JSON.stringify(path);
}

/**
 * Defaults of list keys: a port without a protocol is a TCP port, so
 * {"containerPort":80} and {"containerPort":80,"protocol":"TCP"} are one element.
 */
const KEY_DEFAULTS: Record<string, unknown> = { protocol: "TCP" };

/** The fields that identify an element of this list, or undefined when the list is not keyed. */
export function listKeys(schema: Schema | undefined): string[] | undefined {
  if (!schema) return undefined;
  const mapKeys = schema["x-kubernetes-list-map-keys"];
  if (mapKeys && mapKeys.length > 0) return mapKeys;
  const mergeKey = schema["x-kubernetes-patch-merge-key"];
  const merge = (schema["x-kubernetes-patch-strategy"] ?? "").split(",").includes("merge");
  return mergeKey && (merge || schema["x-kubernetes-list-type"] === "map") ? [mergeKey] : undefined;
}

/** A list of plain values that merges as a set (finalizers), not as a whole. */
function isSetList(schema: Schema | undefined): boolean {
  if (!schema) return false;
  if (schema["x-kubernetes-list-type"] === "set") return true;
  return (schema["x-kubernetes-patch-strategy"] ?? "").split(",").includes("merge") && !listKeys(schema);
}

export function keyElement(item: Record<string, unknown>, keys: string[]): string {
  const id: Record<string, unknown> = {};
  for (const k of keys) {
    const v = item[k] ?? KEY_DEFAULTS[k];
    if (v !== undefined) id[k] = v;
  }
  return `k:${JSON.stringify(id)}`;
}

function matchesKey(item: unknown, element: string, keys: string[]): boolean {
  return isObject(item) && keyElement(item, keys) === element;
}

export function childSchema(schema: Schema | undefined, key: string): Schema | undefined {
  if (!schema) return undefined;
  if (schema.properties && Object.hasOwn(schema.properties, key)) return schema.properties[key];
  return isObject(schema.additionalProperties) ? (schema.additionalProperties as Schema) : undefined;
}

/**
 * Every member of a value's field set, with its value. An applied
 * configuration owns its leaves and list elements; an Update also owns the
 * maps and lists it wrote (`nodes`), as Kubernetes records them ("." under
 * f:labels or f:ports).
 */
export function fieldValues(value: unknown, schema: Schema | undefined, nodes = false): FieldValues {
  const out: FieldValues = new Map();
  walk(value, schema, [], out, nodes);
  return out;
}

function add(out: FieldValues, path: FieldPath, leaf: boolean, value: unknown): void {
  if (path.length === 0) return;
  out.set(pathKey(path), { path, leaf, value: leaf ? JSON.stringify(value) : "" });
}

function walk(value: unknown, schema: Schema | undefined, path: FieldPath, out: FieldValues, nodes: boolean): void {
  if (Array.isArray(value)) {
    const keys = listKeys(schema);
    if (keys && value.every(isObject)) {
      if (nodes) add(out, path, false, undefined);
      for (const item of value as Record<string, unknown>[]) {
        const at = [...path, keyElement(item, keys)];
        add(out, at, false, undefined);
        for (const [k, v] of Object.entries(item)) walk(v, childSchema(schema?.items, k), [...at, `f:${k}`], out, nodes);
      }
    } else if (isSetList(schema) && value.every((v) => !isObject(v) && !Array.isArray(v))) {
      if (nodes) add(out, path, false, undefined);
      for (const item of value) add(out, [...path, `v:${JSON.stringify(item)}`], true, item);
    } else {
      add(out, path, true, value); // an atomic list: one owner for the whole list
    }
    return;
  }
  if (isObject(value)) {
    if (schema?.["x-kubernetes-map-type"] === "atomic" || Object.keys(value).length === 0) {
      add(out, path, true, value);
      return;
    }
    // A map (labels, annotations) that an Update wrote is a member of its own; a struct (spec) only holds members.
    if (nodes && isObject(schema?.additionalProperties) && !schema?.properties) add(out, path, false, undefined);
    for (const [k, v] of Object.entries(value)) walk(v, childSchema(schema, k), [...path, `f:${k}`], out, nodes);
    return;
  }
  add(out, path, true, value);
}

/** A field set as the fieldsV1 tree of a managedFields entry. */
export function toFieldsV1(paths: Iterable<FieldPath>): Record<string, unknown> {
  const root: Record<string, Record<string, unknown>> = {};
  const members: Record<string, unknown>[] = [];
  for (const path of paths) {
    let node: Record<string, unknown> = root;
    for (const el of path) node = (node[el] ??= {}) as Record<string, unknown>;
    members.push(node);
  }
  for (const node of members) if (Object.keys(node).some((k) => k !== ".")) node["."] = {};
  return sortTree(root);
}

function sortTree(node: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = Object.keys(node).sort((a, b) => (a === "." ? -1 : b === "." ? 1 : a < b ? -1 : a > b ? 1 : 0));
  for (const k of keys) out[k] = sortTree(node[k] as Record<string, unknown>);
  return out;
}

/** The paths of a fieldsV1 tree (malformed parts are skipped: they own nothing). */
export function fromFieldsV1(tree: unknown, prefix: FieldPath = []): FieldPath[] {
  if (!isObject(tree)) return [];
  const paths: FieldPath[] = [];
  for (const [el, child] of Object.entries(tree)) {
    if (el === ".") {
      if (prefix.length > 0) paths.push(prefix);
    } else if (isObject(child) && Object.keys(child).length === 0) {
      paths.push([...prefix, el]);
    } else {
      paths.push(...fromFieldsV1(child, [...prefix, el]));
    }
  }
  return paths;
}

/** A path as Kubernetes prints it in a conflict: .spec.containers[name="main"].image */
export function pathString(path: FieldPath): string {
  return path
    .map((el) => {
      const body = el.slice(2);
      if (el.startsWith("f:")) return `.${body}`;
      if (el.startsWith("v:")) return `[=${body}]`;
      if (el.startsWith("k:")) {
        const id = JSON.parse(body) as Record<string, unknown>;
        return `[${Object.entries(id)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(",")}]`;
      }
      return `[${body}]`;
    })
    .join("");
}

/** Removes the field at path from obj (the schema says which lists are keyed). Missing: nothing to do. */
export function deletePath(obj: unknown, path: FieldPath, schema: Schema | undefined): void {
  let node: unknown = obj;
  let s = schema;
  for (let i = 0; i < path.length; i++) {
    const el = path[i]!;
    const last = i === path.length - 1;
    if (el.startsWith("f:") && isObject(node)) {
      const name = el.slice(2);
      if (last) delete node[name];
      node = node[name];
      s = childSchema(s, name);
    } else if (Array.isArray(node)) {
      const keys = listKeys(s);
      const index = el.startsWith("k:")
        ? node.findIndex((item) => keys !== undefined && matchesKey(item, el, keys))
        : node.findIndex((item) => `v:${JSON.stringify(item)}` === el);
      if (index < 0) return;
      if (last) node.splice(index, 1);
      node = node[index];
      s = s?.items;
    } else {
      return;
    }
  }
}

/**
 * Merges an applied configuration into the live object: maps field by field,
 * keyed lists element by element, lists of values as sets, anything else
 * replaced by the configuration's value.
 */
export function mergeApplied(live: unknown, config: unknown, schema: Schema | undefined): unknown {
  if (Array.isArray(config)) {
    const keys = listKeys(schema);
    if (!Array.isArray(live)) return structuredClone(config);
    if (keys && config.every(isObject)) {
      const result = [...live];
      for (const item of config as Record<string, unknown>[]) {
        const el = keyElement(item, keys);
        const index = result.findIndex((o) => matchesKey(o, el, keys));
        if (index >= 0) result[index] = mergeApplied(result[index], item, schema?.items);
        else result.push(structuredClone(item));
      }
      return result;
    }
    if (isSetList(schema)) {
      const result = [...live];
      for (const v of config) if (!result.some((o) => JSON.stringify(o) === JSON.stringify(v))) result.push(v);
      return result;
    }
    return structuredClone(config);
  }
  if (isObject(config) && isObject(live) && schema?.["x-kubernetes-map-type"] !== "atomic") {
    const result: Record<string, unknown> = { ...live };
    for (const [k, v] of Object.entries(config)) {
      if (v === null) delete result[k];
      else result[k] = mergeApplied(live[k], v, childSchema(schema, k));
    }
    return result;
  }
  return structuredClone(config);
}
