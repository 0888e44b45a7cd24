/**
 * List and watch filters: query parameters that narrow what a list or a
 * watch returns. This chapter registers none (every list returns everything);
 * chapter 07 adds labelSelector and fieldSelector here.
 *
 * A watch with a filter follows objects in and out of the selection: an
 * object that stops matching arrives as DELETED, one that starts matching as
 * ADDED (see watch/events.ts).
 */
import type { ApiObject, ResourceDefinition } from "../registry/types.ts";

export type ObjectPredicate = (obj: ApiObject) => boolean;

export interface ListFilter {
  name: string;
  /**
   * Reads this filter's query parameter(s). Returns the predicate to apply, or
   * undefined when the request does not use this filter. Throws badRequest()
   * for a malformed parameter.
   */
  fromQuery(query: URLSearchParams, resource: ResourceDefinition): ObjectPredicate | undefined;
}

export class FilterRegistry {
  private readonly filters: ListFilter[] = [];

  add(filter: ListFilter): void {
    if (this.filters.some((f) => f.name === filter.name)) throw new Error(`list filter "${filter.name}" is already registered`);
    this.filters.push(filter);
  }

  /** Whether a filter of this name is registered (a plug-in adds its filters once). */
  has(name: string): boolean {
    return this.filters.some((f) => f.name === name);
  }

  /** The combined predicate of a request: an object must pass every filter the request uses. */
  predicate(query: URLSearchParams, resource: ResourceDefinition): ObjectPredicate | undefined {
    const active = this.filters.map((f) => f.fromQuery(query, resource)).filter((p): p is ObjectPredicate => p !== undefined);
    if (active.length === 0) return undefined;
    return (obj) => active.every((p) => p(obj));
  }
}
