/**
 * JSON patch (RFC 6902), Content-Type application/json-patch+json: a list of
 * operations on JSON pointers, e.g.
 *   [{"op":"replace","path":"/spec/containers/0/image","value":"nginx:1.27"}]
 * Operations: add, remove, replace, move, copy, test. Any failing operation
 * fails the whole patch.
 */
import { isObject } from "../../../shared/api/index.ts";

export class PatchError extends Error {
  override readonly name = "PatchError";
}

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

export function applyJsonPatch(document: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw new PatchError("a JSON patch must be an array of operations");
  let doc = structuredClone(document);
  patch.forEach((raw, i) => {
    const op = checkOperation(raw, i);
    switch (op.op) {
      case "add":
        doc = add(doc, parsePointer(op.path), requireValue(op, i));
        break;
      case "remove":
        doc = remove(doc, parsePointer(op.path), op.path);
        break;
      case "replace":
        doc = remove(doc, parsePointer(op.path), op.path);
        doc = add(doc, parsePointer(op.path), requireValue(op, i));
        break;
      case "move": {
        const from = requireFrom(op, i);
        const value = get(doc, parsePointer(from), from);
        doc = remove(doc, parsePointer(from), from);
        doc = add(doc, parsePointer(op.path), value);
        break;
      }
      case "copy": {
        const from = requireFrom(op, i);
        doc = add(doc, parsePointer(op.path), structuredClone(get(doc, parsePointer(from), from)));
        break;
      }
      case "test":
        if (JSON.stringify(get(doc, parsePointer(op.path), op.path)) !== JSON.stringify(requireValue(op, i))) {
          throw new PatchError(`testing value ${op.path} failed`);
        }
        break;
      default:
        throw new PatchError(`operation ${i}: unknown op "${op.op}" (use add, remove, replace, move, copy or test)`);
    }
  });
  return doc;
}

function checkOperation(raw: unknown, i: number): Operation {
  if (!isObject(raw)) throw new PatchError(`operation ${i} must be an object like {"op":"add","path":"/a","value":1}`);
  if (typeof raw.op !== "string") throw new PatchError(`operation ${i}: "op" must be a string`);
  if (typeof raw.path !== "string") throw new PatchError(`operation ${i}: "path" must be a string`);
  if (raw.from !== undefined && typeof raw.from !== "string") throw new PatchError(`operation ${i}: "from" must be a string`);
  return raw as unknown as Operation;
}

function requireValue(op: Operation, i: number): unknown {
  if (!("value" in op)) throw new PatchError(`operation ${i} (${op.op}) needs a "value"`);
  return structuredClone(op.value);
}

function requireFrom(op: Operation, i: number): string {
  if (op.from === undefined) throw new PatchError(`operation ${i} (${op.op}) needs a "from"`);
  return op.from;
}

/** "/spec/containers/0" -> ["spec", "containers", "0"]; "~1" is "/", "~0" is "~". */
function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new PatchError(`path "${pointer}" must start with "/"`);
  return pointer
    .slice(1)
    .split("/")
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function get(doc: unknown, tokens: string[], pointer: string): unknown {
  let node = doc;
  for (const t of tokens) {
    if (Array.isArray(node)) {
      const i = arrayIndex(t, node.length - 1, pointer);
      node = node[i];
    } else if (isObject(node) && t in node) {
      node = node[t];
    } else {
      throw new PatchError(`path ${pointer} does not exist`);
    }
  }
  return node;
}

function add(doc: unknown, tokens: string[], value: unknown): unknown {
  if (tokens.length === 0) return value;
  const parentTokens = tokens.slice(0, -1);
  const last = tokens[tokens.length - 1]!;
  const pointer = "/" + tokens.join("/");
  const parent = get(doc, parentTokens, pointer);
  if (Array.isArray(parent)) {
    const i = last === "-" ? parent.length : arrayIndex(last, parent.length, pointer);
    parent.splice(i, 0, value);
  } else if (isObject(parent)) {
    parent[last] = value;
  } else {
    throw new PatchError(`cannot add at ${pointer}: the parent is not an object or an array`);
  }
  return doc;
}

function remove(doc: unknown, tokens: string[], pointer: string): unknown {
  if (tokens.length === 0) throw new PatchError("cannot remove the whole document");
  const parent = get(doc, tokens.slice(0, -1), pointer);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) {
    parent.splice(arrayIndex(last, parent.length - 1, pointer), 1);
  } else if (isObject(parent) && last in parent) {
    delete parent[last];
  } else {
    throw new PatchError(`path ${pointer} does not exist`);
  }
  return doc;
}

function arrayIndex(token: string, max: number, pointer: string): number {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new PatchError(`path ${pointer}: "${token}" is not an array index`);
  const i = Number(token);
  if (i > max) throw new PatchError(`path ${pointer}: index ${i} is out of range`);
  return i;
}
