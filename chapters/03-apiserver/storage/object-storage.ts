/**
 * ObjectStorage: API objects in and out of the key-value store.
 *
 * This is the only place that talks to the store (Kubernetes' "storage
 * layer"). It turns objects into JSON under their key, stamps the store's
 * revision into metadata.resourceVersion on the way out, and turns store
 * errors into API errors: KeyExists -> 409 AlreadyExists, KeyNotFound -> 404
 * NotFound, Conflict (compare-and-swap failed) -> 409 Conflict.
 */
import {
  alreadyExists,
  conflict,
  internalError,
  notFound,
  requestEntityTooLarge,
  serviceUnavailable,
} from "../../../shared/api/index.ts";
import { isStoreError, MAX_VALUE_BYTES, type KeyValue, type Store } from "../../../shared/store/types.ts";
import type { ApiObject, ResourceDefinition } from "../registry/types.ts";
import { objectKey, resourcePrefix } from "./keys.ts";
import type { TransformerChain } from "./transformers.ts";
import { todo } from "../../../shared/todo.ts";

export interface ListResult {
  items: ApiObject[];
  /** The store revision of the read: the list's resourceVersion. */
  revision: number;
}

export class ObjectStorage {
  constructor(
    readonly store: Store,
    private readonly transformers: TransformerChain,
  ) {}

  /** Turns a stored key-value into an object, with resourceVersion = the key's modRevision. */
  async decode(resource: ResourceDefinition, kv: KeyValue): Promise<ApiObject> {
    const data = await this.transformers.fromStorage(kv.value, { resource, key: kv.key });
    return this.parse(kv, data);
  }

  /** The object of `data`, the JSON text of `kv` (after the transformers). */
  private parse(kv: KeyValue, data: string): ApiObject {
    let obj: ApiObject;
    try {
      obj = JSON.parse(data) as ApiObject;
    } catch {
      throw internalError(`the stored value of ${kv.key} is not valid JSON`);
    }
    // TODO(03.1): the store keeps no resourceVersion inside the value, yet every
    // object a client reads must carry one, and it must change on every write.
    // It is an opaque string to clients. Every method of this class returns objects
    // that carry it; every store error becomes an API error (see the file's comment).
    // Tests: "03.1 storage > stores an object under its key and reads it back with the
    // store revision as resourceVersion", "03.1 storage > answers 409 AlreadyExists for a
    // taken name and 404 NotFound for a missing one", "03.1 storage > writes and deletes
    // only at the expected resourceVersion".
    todo("03.1");
    return obj;
  }

  /**
   * The JSON text of a stored key-value as decode() would give it, made without
   * parsing it, in pieces to write one after the other: the stored text up to
   * where its metadata opens, the resourceVersion field, the rest of the text.
   * A list of 150,000 pods then skips 150,000 JSON.parse and JSON.stringify
   * calls, and copies no item into a string of its own (handlers/read.ts).
   * Synchronous when no transformer applies to the resource (the stored text is
   * then the JSON): no promise per item. Text of another shape is decoded the usual way.
   */
  decodeText(resource: ResourceDefinition, kv: KeyValue): string[] | Promise<string[]> {
    if (!this.transformers.transforms(resource)) return this.textPieces(kv, kv.value);
    return this.transformers.fromStorage(kv.value, { resource, key: kv.key }).then((data) => this.textPieces(kv, data));
  }

  /** decodeText() once the transformers are undone: `data` is the JSON text of `kv`. */
  private textPieces(kv: KeyValue, data: string): string[] {
    return withResourceVersion(data, String(kv.modRevision)) ?? [JSON.stringify(this.parse(kv, data))];
  }

  /**
   * Turns an object into the value to store: JSON without resourceVersion (the
   * store's revision is the truth). Also gives the JSON before the transformers
   * (encryption, chapter 11): create() keeps it for the answer.
   */
  private async encode(resource: ResourceDefinition, key: string, obj: ApiObject): Promise<{ json: string; value: string }> {
    const json = this.serialize(obj);
    if (Buffer.byteLength(json) > MAX_VALUE_BYTES) {
      throw requestEntityTooLarge(
        `the object is ${Buffer.byteLength(json)} bytes, over the store's limit of ${MAX_VALUE_BYTES} bytes per object`,
      );
    }
    return { json, value: await this.transformers.toStorage(json, { resource, key }) };
  }

  /** The JSON text of an object as stored: everything but metadata.resourceVersion. */
  private serialize(obj: ApiObject): string {
    todo("03.1");
  }

  /** Reads one object; 404 NotFound if it does not exist. */
  async get(resource: ResourceDefinition, namespace: string | undefined, name: string): Promise<ApiObject> {
    todo("03.1");
  }

  /** Lists a resource in one namespace, or in all namespaces when namespace is undefined. */
  async list(resource: ResourceDefinition, namespace?: string): Promise<ListResult> {
    todo("03.1");
  }

  /**
   * Stores a new object; 409 AlreadyExists if its key is taken. Returns it with
   * its resourceVersion. Optional: hand the JSON you stored to rememberJson()
   * (below), and the create answer reuses that text instead of encoding the
   * object a second time.
   */
  async create(resource: ResourceDefinition, obj: ApiObject): Promise<ApiObject> {
    const name = obj.metadata?.name ?? "";
    const key = objectKey(resource, obj.metadata?.namespace, name);
    todo("03.1");
  }

  /**
   * Writes an existing object, only if it still has `expectedResourceVersion`
   * (optimistic concurrency). A changed object is 409 Conflict, a missing one 404.
   * A version that is not a number (clients send any text) matches no object:
   * 409 Conflict as well.
   */
  async update(resource: ResourceDefinition, obj: ApiObject, expectedResourceVersion: string): Promise<ApiObject> {
    const name = obj.metadata?.name ?? "";
    const key = objectKey(resource, obj.metadata?.namespace, name);
    const { value } = await this.encode(resource, key, obj);
    const ref = { resource: resource.plural, group: resource.group };
    todo("03.1");
  }

  /**
   * Removes an object, if it still has `expectedResourceVersion` when given (the
   * same rules as update()). Returns the removed object.
   */
  async delete(resource: ResourceDefinition, obj: ApiObject, expectedResourceVersion?: string): Promise<ApiObject> {
    const name = obj.metadata?.name ?? "";
    const key = objectKey(resource, obj.metadata?.namespace, name);
    const ref = { resource: resource.plural, group: resource.group };
    todo("03.1");
  }

  /** Maps the store errors every operation can meet: too large, closed. */
  private async guard<T>(resource: ResourceDefinition, name: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      if (isStoreError(err, "ValueTooLarge")) {
        throw requestEntityTooLarge(`${resource.plural} "${name}" is too large for the store: ${err.message}`);
      }
      if (isStoreError(err, "Closed")) throw serviceUnavailable("the store is closed; the apiserver is shutting down");
      throw err;
    }
  }
}

/**
 * The JSON text of the objects create() returned: the text written to the
 * store, plus their resourceVersion. The create handler answers with it, so
 * an object is encoded once per create, not once for the store and once more
 * for the client. Only the create path uses it: nothing changes the object
 * between the store and the answer there. Optional: without it the handler
 * encodes the object again. A WeakMap: the text goes away with its object.
 */
const createdJson = new WeakMap<ApiObject, string>();

function rememberJson(created: ApiObject, stored: string): void {
  const pieces = withResourceVersion(stored, created.metadata?.resourceVersion ?? "");
  if (pieces !== undefined) createdJson.set(created, pieces.join(""));
}

/** The JSON text of an object that create() returned (see createdJson), if known. */
export function jsonOfCreated(obj: ApiObject): string | undefined {
  return createdJson.get(obj);
}

/**
 * `json` with "resourceVersion" as the first field of its metadata, in three
 * pieces (before, the field, after), when the text has the shape serialize()
 * writes for objects sent by clients: a few plain string fields first ("kind",
 * "apiVersion"), then "metadata". Undefined for any other shape: the caller
 * parses it instead. The text is not searched for a resourceVersion already
 * there: serialize() is the only writer of an object's key, and it leaves
 * metadata.resourceVersion out (searching every item cost more than the rest).
 */
export function withResourceVersion(json: string, resourceVersion: string): string[] | undefined {
  if (json[0] !== "{") return undefined;
  let at = 1; // just after the opening brace
  while (json[at] === '"') {
    const keyEnd = json.indexOf('":', at + 1);
    if (keyEnd < 0) return undefined;
    const key = json.slice(at + 1, keyEnd);
    const value = keyEnd + 2;
    if (key === "metadata") {
      if (json[value] !== "{") return undefined;
      const comma = json[value + 1] === "}" ? "" : ",";
      // Slices share the text's memory: no copy until the stream joins its chunk.
      return [json.slice(0, value + 1), `"resourceVersion":${JSON.stringify(resourceVersion)}${comma}`, json.slice(value + 1)];
    }
    // Only a plain string may come before metadata (no escapes: nothing to misread).
    const valueEnd = json.indexOf('"', value + 1);
    if (json[value] !== '"' || valueEnd < 0 || json[valueEnd + 1] !== ",") return undefined;
    if (key.includes("\\") || json.slice(value, valueEnd).includes("\\")) return undefined;
    at = valueEnd + 2;
  }
  return undefined;
}
