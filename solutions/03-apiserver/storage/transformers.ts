/**
 * Storage transformers sit between the apiserver and the store: every value
 * goes through toStorage() on the way in and fromStorage() on the way out.
 * With none registered, the store holds plain JSON. Chapter 11 adds one that
 * encrypts Secrets, so the store never sees their plaintext.
 */
import type { ResourceDefinition } from "../registry/types.ts";

export interface TransformContext {
  resource: ResourceDefinition;
  /** The store key of the object, e.g. /registry/secrets/default/db. */
  key: string;
}

export interface StorageTransformer {
  name: string;
  /** Whether this transformer handles objects of this resource. */
  appliesTo(resource: ResourceDefinition): boolean;
  toStorage(data: string, context: TransformContext): string | Promise<string>;
  fromStorage(data: string, context: TransformContext): string | Promise<string>;
}

export class TransformerChain {
  private readonly transformers: StorageTransformer[] = [];

  add(transformer: StorageTransformer): void {
    this.transformers.push(transformer);
  }

  /** Whether any transformer handles this resource. If none does, the stored text is the object's JSON. */
  transforms(resource: ResourceDefinition): boolean {
    for (const t of this.transformers) if (t.appliesTo(resource)) return true;
    return false;
  }

  /** Applies the transformers in order of registration. */
  async toStorage(data: string, context: TransformContext): Promise<string> {
    let out = data;
    for (const t of this.transformers) if (t.appliesTo(context.resource)) out = await t.toStorage(out, context);
    return out;
  }

  /** Undoes toStorage(): the transformers in reverse order. */
  async fromStorage(data: string, context: TransformContext): Promise<string> {
    let out = data;
    for (const t of [...this.transformers].reverse()) if (t.appliesTo(context.resource)) out = await t.fromStorage(out, context);
    return out;
  }
}
