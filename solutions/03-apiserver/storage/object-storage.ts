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
    let obj: ApiObject;
    try {
      obj = JSON.parse(data) as ApiObject;
    } catch {
      throw internalError(`the stored value of ${kv.key} is not valid JSON`);
    }
    // STEP(03.3): the store does not keep resourceVersion inside the value: set
    // metadata.resourceVersion to the key's modRevision, as a string.
    //#solution
    obj.metadata = { ...obj.metadata, resourceVersion: String(kv.modRevision) };
    //#end
    return obj;
  }

  /** Turns an object into the value to store: JSON without resourceVersion (the store's revision is the truth). */
  private async encode(resource: ResourceDefinition, key: string, obj: ApiObject): Promise<string> {
    const { resourceVersion: _ignored, ...metadata } = obj.metadata ?? {};
    const json = JSON.stringify({ ...obj, metadata });
    if (Buffer.byteLength(json) > MAX_VALUE_BYTES) {
      throw requestEntityTooLarge(`the object is ${Buffer.byteLength(json)} bytes, over the store's limit of ${MAX_VALUE_BYTES} bytes per object`);
    }
    return this.transformers.toStorage(json, { resource, key });
  }

  /** Reads one object; 404 NotFound if it does not exist. */
  async get(resource: ResourceDefinition, namespace: string | undefined, name: string): Promise<ApiObject> {
    // STEP(03.3): read the object's key from the store. A missing key is a 404
    // NotFound (use notFound() from shared/api); else decode() it.
    //#solution
    const kv = await this.guard(resource, name, () => this.store.get(objectKey(resource, namespace, name)));
    if (!kv) throw notFound({ resource: resource.plural, group: resource.group }, name);
    return this.decode(resource, kv);
    //#end
  }

  /** Lists a resource in one namespace, or in all namespaces when namespace is undefined. */
  async list(resource: ResourceDefinition, namespace?: string): Promise<ListResult> {
    // STEP(03.3): read every key under the resource's prefix and decode them.
    // The result's revision is the store's revision at the read (the range's `revision`).
    //#solution
    const { kvs, revision } = await this.guard(resource, "", () => this.store.range(resourcePrefix(resource, namespace)));
    const items = await Promise.all(kvs.map((kv) => this.decode(resource, kv)));
    return { items, revision };
    //#end
  }

  /** Stores a new object; 409 AlreadyExists if its key is taken. Returns it with its resourceVersion. */
  async create(resource: ResourceDefinition, obj: ApiObject): Promise<ApiObject> {
    const name = obj.metadata?.name ?? "";
    const key = objectKey(resource, obj.metadata?.namespace, name);
    // STEP(03.2): write the encoded object with store.create(). The store
    // refuses an existing key (StoreError "KeyExists"): answer 409 AlreadyExists.
    // Return the object with metadata.resourceVersion = the new modRevision.
    //#solution
    const value = await this.encode(resource, key, obj);
    try {
      const kv = await this.guard(resource, name, () => this.store.create(key, value));
      return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(kv.modRevision) } };
    } catch (err) {
      if (isStoreError(err, "KeyExists")) throw alreadyExists({ resource: resource.plural, group: resource.group }, name);
      throw err;
    }
    //#end
  }

  /**
   * Writes an existing object, only if it still has `expectedResourceVersion`
   * (optimistic concurrency). A changed object is 409 Conflict, a missing one 404.
   */
  async update(resource: ResourceDefinition, obj: ApiObject, expectedResourceVersion: string): Promise<ApiObject> {
    const name = obj.metadata?.name ?? "";
    const key = objectKey(resource, obj.metadata?.namespace, name);
    const value = await this.encode(resource, key, obj);
    const ref = { resource: resource.plural, group: resource.group };
    // STEP(03.4): compare-and-swap: store.update(key, value, expected modRevision).
    // The resourceVersion is the modRevision as a string. Map StoreError
    // "Conflict" to 409 conflict() and "KeyNotFound" to 404 notFound().
    //#solution
    const expected = Number(expectedResourceVersion);
    try {
      const kv = await this.guard(resource, name, () => this.store.update(key, value, expected));
      return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(kv.modRevision) } };
    } catch (err) {
      if (isStoreError(err, "Conflict")) throw conflict(ref, name);
      if (isStoreError(err, "KeyNotFound")) throw notFound(ref, name);
      throw err;
    }
    //#end
  }

  /** Removes an object, if it still has `expectedResourceVersion` when given. Returns the removed object. */
  async delete(resource: ResourceDefinition, obj: ApiObject, expectedResourceVersion?: string): Promise<ApiObject> {
    const name = obj.metadata?.name ?? "";
    const key = objectKey(resource, obj.metadata?.namespace, name);
    const ref = { resource: resource.plural, group: resource.group };
    try {
      const expected = expectedResourceVersion === undefined ? undefined : Number(expectedResourceVersion);
      const kv = await this.guard(resource, name, () => this.store.delete(key, expected));
      return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(kv.modRevision) } };
    } catch (err) {
      if (isStoreError(err, "Conflict")) throw conflict(ref, name);
      if (isStoreError(err, "KeyNotFound")) throw notFound(ref, name);
      throw err;
    }
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
