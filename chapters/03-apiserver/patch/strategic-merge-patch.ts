/**
 * Strategic merge patch, Content-Type application/strategic-merge-patch+json:
 * what `kubectl apply` sends for built-in kinds.
 *
 * It is a merge patch that knows which lists are really maps: the schema of
 * a list says its elements have a merge key (containers by "name", ports by
 * "containerPort"), so a patch that names one container changes that
 * container instead of replacing the whole list. Directives in the patch:
 *   {"$patch": "delete"}                 in a list element: remove that element
 *   {"$patch": "replace"}                in a map: replace it instead of merging;
 *                                         as a list element: the list is replaced
 *   "$retainKeys": [...]                 keep only these fields of the map
 *   "$setElementOrder/containers": [...] the order of the list after the merge
 *   "$deleteFromPrimitiveList/finalizers": [...]  remove these values from a list of strings
 */
import { isObject } from "../../../shared/api/index.ts";
import type { Schema } from "../../../shared/api/schema/types.ts";
import { PatchError } from "./json-patch.ts";

const SET_ORDER = "$setElementOrder/";
const DELETE_FROM_PRIMITIVE = "$deleteFromPrimitiveList/";

export function applyStrategicMergePatch(original: unknown, patch: unknown, schema: Schema | undefined): unknown {
  if (!isObject(patch)) throw new PatchError("a strategic merge patch must be a JSON object");
  return mergeMap(isObject(original) ? original : {}, patch, schema);
}

function childSchema(schema: Schema | undefined, key: string): Schema | undefined {
  if (!schema) return undefined;
  const prop = schema.properties && Object.hasOwn(schema.properties, key) ? schema.properties[key] : undefined;
  if (prop) return prop;
  return isObject(schema.additionalProperties) ? schema.additionalProperties : undefined;
}

function mergeMap(
  original: Record<string, unknown>,
  patch: Record<string, unknown>,
  schema: Schema | undefined,
): Record<string, unknown> {
  const directive = patch.$patch;
  if (directive === "replace") return stripDirectives(withoutKey(patch, "$patch")) as Record<string, unknown>;
  if (directive !== undefined && directive !== "merge" && directive !== "delete") {
    throw new PatchError(`unknown patch directive "${String(directive)}" (use "replace", "merge" or "delete")`);
  }
  const result: Record<string, unknown> = { ...original };
  const orders: [string, unknown][] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (key === "$patch" || key === "$retainKeys") continue;
    if (key.startsWith(SET_ORDER)) {
      orders.push([key.slice(SET_ORDER.length), value]);
      continue;
    }
    if (key.startsWith(DELETE_FROM_PRIMITIVE)) {
      const name = key.slice(DELETE_FROM_PRIMITIVE.length);
      if (!Array.isArray(value)) throw new PatchError(`${key} must be a list`);
      const current = result[name];
      if (Array.isArray(current)) result[name] = current.filter((v) => !value.some((d) => d === v));
      continue;
    }
    if (value === null) {
      delete result[key];
    } else if (Array.isArray(value)) {
      result[key] = mergeList(result[key], value, childSchema(schema, key));
    } else if (isObject(value)) {
      if (value.$patch === "delete") delete result[key];
      else
        result[key] = mergeMap(
          isObject(result[key]) ? (result[key] as Record<string, unknown>) : {},
          value,
          childSchema(schema, key),
        );
    } else {
      result[key] = value;
    }
  }
  for (const [name, order] of orders) {
    if (!Array.isArray(order)) throw new PatchError(`${SET_ORDER}${name} must be a list`);
    const list = result[name];
    if (Array.isArray(list)) result[name] = reorder(list, order, childSchema(schema, name)?.["x-kubernetes-patch-merge-key"]);
  }
  const retain = patch.$retainKeys;
  if (retain !== undefined) {
    if (!Array.isArray(retain)) throw new PatchError("$retainKeys must be a list of field names");
    for (const key of Object.keys(result)) if (!retain.includes(key)) delete result[key];
  }
  return result;
}

function mergeList(original: unknown, patch: unknown[], schema: Schema | undefined): unknown[] {
  const strategy = schema?.["x-kubernetes-patch-strategy"] ?? "";
  const mergeKey = schema?.["x-kubernetes-patch-merge-key"];
  const replaceAll = patch.some((e) => isObject(e) && e.$patch === "replace");
  const items = patch.filter((e) => !(isObject(e) && e.$patch === "replace"));
  if (!strategy.split(",").includes("merge") || replaceAll || !Array.isArray(original)) {
    return items.filter((e) => !(isObject(e) && e.$patch === "delete")).map(stripDirectives);
  }
  if (!mergeKey) {
    // A list of plain values with the merge strategy (finalizers): a union.
    const result = [...original];
    for (const v of items) if (!result.some((o) => JSON.stringify(o) === JSON.stringify(v))) result.push(v);
    return result;
  }
  const result = [...original];
  for (const element of items) {
    if (!isObject(element)) throw new PatchError(`elements of a list merged by "${mergeKey}" must be objects`);
    const key = element[mergeKey];
    const index = result.findIndex((o) => isObject(o) && o[mergeKey] === key);
    if (element.$patch === "delete") {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) {
      result[index] = mergeMap(result[index] as Record<string, unknown>, element, schema?.items);
    } else {
      result.push(mergeMap({}, element, schema?.items));
    }
  }
  return result;
}

/** Orders a merged list by $setElementOrder; elements it does not name keep their place after those it names. */
function reorder(list: unknown[], order: unknown[], mergeKey: string | undefined): unknown[] {
  const keyOf = (v: unknown): string => JSON.stringify(mergeKey && isObject(v) ? v[mergeKey] : v);
  const wanted = order.map(keyOf);
  const named = wanted.flatMap((k) => list.filter((e) => keyOf(e) === k));
  const rest = list.filter((e) => !wanted.includes(keyOf(e)));
  return [...named, ...rest];
}

function withoutKey(obj: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _drop, ...rest } = obj;
  return rest;
}

/** Removes directive keys from a value that is taken as is. */
function stripDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === "$patch" || k === "$retainKeys" || k.startsWith(SET_ORDER) || k.startsWith(DELETE_FROM_PRIMITIVE)) continue;
    out[k] = stripDirectives(v);
  }
  return out;
}
