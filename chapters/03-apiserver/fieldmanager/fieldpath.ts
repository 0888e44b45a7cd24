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

/**
 * The fieldsV1 tree of every member of a value's field set: the same tree as
 * toFieldsV1() of fieldValues(value, schema, nodes), built in one walk, with
 * no path arrays, path keys or leaf values in between. A create needs only
 * this (its manager owns every field the new object sets), and every create
 * pays for it: the set, then its tree, took about a tenth of the apiserver's
 * time per create. Kubernetes too computes it from the object
 * (structured-merge-diff's ToFieldSet, then its fieldsV1 encoding).
 */
export function fieldsV1Of(value: unknown, schema: Schema | undefined, nodes = false): Record<string, unknown> {
  // The value's own path is the empty path: never a member (walk() skips it).
  if (isObject(value)) return objectTree(value, schema, nodes, false) ?? {};
  return {};
}

/**
 * The tree below one path: undefined when the path holds no member at all;
 * else its members, keys in toFieldsV1()'s order, with "." first when the
 * path is a member itself and has members below it.
 */
function subtree(value: unknown, schema: Schema | undefined, nodes: boolean): Record<string, unknown> | undefined {
  if (Array.isArray(value)) {
    const keys = listKeys(schema);
    if (keys && value.every(isObject)) return keyedListTree(value as Record<string, unknown>[], keys, schema, nodes);
    if (isSetList(schema) && value.every((v) => !isObject(v) && !Array.isArray(v))) {
      const elements = [...new Set(value.map((v) => `v:${JSON.stringify(v)}`))].sort();
      return withMembers(nodes, elements);
    }
    return {}; // an atomic list: one leaf
  }
  if (isObject(value)) {
    if (schema?.["x-kubernetes-map-type"] === "atomic" || Object.keys(value).length === 0) return {};
    // A map (labels) that an Update wrote is a member of its own; a struct (spec) only holds members.
    const member = nodes && isObject(schema?.additionalProperties) && !schema?.properties;
    return objectTree(value, schema, nodes, member);
  }
  return {}; // a leaf
}

/** The fields of an object, each "f:name", in sorted order ("f:a" < "f:b" as "a" < "b"). */
function objectTree(
  value: Record<string, unknown>,
  schema: Schema | undefined,
  nodes: boolean,
  member: boolean,
): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  let any = false;
  for (const k of Object.keys(value).sort()) {
    const sub = subtree(value[k], childSchema(schema, k), nodes);
    if (sub === undefined) continue; // an empty keyed list of an Apply owns nothing
    if (!any && member) out["."] = {};
    any = true;
    out[`f:${k}`] = sub;
  }
  return any || member ? out : undefined;
}

/** A keyed list: one member per element ('k:{"name":"app"}'), the element's fields below it. */
function keyedListTree(
  items: Record<string, unknown>[],
  keys: string[],
  schema: Schema | undefined,
  nodes: boolean,
): Record<string, unknown> | undefined {
  const elements = items.map((item) => keyElement(item, keys));
  if (new Set(elements).size < elements.length) {
    // Two items with one key share a member: rare enough to take the general way.
    const tree = toFieldsV1([...fieldValues(items, schema, nodes).values()].map((v) => v.path));
    return nodes ? { ".": {}, ...tree } : tree;
  }
  const order = elements.map((_, i) => i).sort((a, b) => (elements[a]! < elements[b]! ? -1 : 1));
  const out: Record<string, unknown> = nodes && items.length > 0 ? { ".": {} } : {};
  for (const i of order) out[elements[i]!] = objectTree(items[i]!, schema?.items, nodes, true);
  return items.length > 0 || nodes ? out : undefined;
}

/** A member whose members are leaves (a list of values as a set). */
function withMembers(member: boolean, elements: string[]): Record<string, unknown> | undefined {
  if (elements.length === 0) return member ? {} : undefined;
  const out: Record<string, unknown> = member ? { ".": {} } : {};
  for (const e of elements) out[e] = {};
  return out;
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
