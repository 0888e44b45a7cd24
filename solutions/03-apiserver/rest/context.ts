/**
 * What the REST operations (create, update, patch, delete) work with: the
 * storage layer, the registry and the request chain, plus the per-request
 * scope (who asks, how strictly to check fields, whether it is a dry run).
 */
import type { RequestChain } from "../chain/chain.ts";
import type { UserInfo } from "../chain/types.ts";
import type { NamespaceLister } from "../namespaces/lister.ts";
import type { ResourceRegistry } from "../registry/registry.ts";
import type { ObjectStorage } from "../storage/object-storage.ts";
import type { FieldValidation } from "./decode.ts";

export interface RestContext {
  storage: ObjectStorage;
  registry: ResourceRegistry;
  chain: RequestChain;
  /** The namespaces known to be active (NamespaceLifecycle's lister); without it, creates read the store. */
  namespaces?: NamespaceLister;
}

export interface RequestScope {
  user: UserInfo;
  fieldValidation: FieldValidation;
  /** ?dryRun=All: do everything but write to the store. */
  dryRun: boolean;
}
