/**
 * The apiserver side: label and field selectors as list/watch filters.
 *
 *   GET /api/v1/namespaces/shop/pods?labelSelector=app%3Dweb
 *   GET /api/v1/pods?fieldSelector=spec.nodeName%3Dnode-1&watch=1
 *
 * Chapter 03 left an extension point for this: the FilterRegistry
 * (filters/filters.ts). A ListFilter reads its query parameter and returns a
 * predicate; the list handler keeps the objects that pass, and the watch
 * handler uses the same predicate before AND after each change, so an object
 * that stops matching reaches the client as DELETED and one that starts
 * matching as ADDED (watch/events.ts). Nothing else in the apiserver changes.
 *
 * A selector that does not parse, or a field the resource cannot be selected
 * by, is the client's mistake: 400 BadRequest, with a message that says
 * which part is wrong.
 */
import { badRequest } from "../../../shared/api/errors.ts";
import type { ListFilter, ObjectPredicate } from "../../03-apiserver/filters/filters.ts";
import type { ResourceDefinition } from "../../03-apiserver/registry/types.ts";
import { fieldMatches, fieldSelectors, parseFieldSelector, supportedFields, type FieldSelectorTable } from "../labels/field-selector.ts";
import { SelectorError } from "../labels/lexer.ts";
import { parseSelector } from "../labels/selector.ts";

/** Kubernetes' wording of the resource in errors: "/v1, Resource=pods". */
function resourceName(resource: ResourceDefinition): string {
  return `${resource.group}/${resource.version}, Resource=${resource.plural}`;
}

/** The 400 for a selector that does not parse: which parameter, which selector, where. */
function selectorError(parameter: string, err: unknown): Error {
  if (err instanceof SelectorError) {
    return badRequest(`unable to parse ${parameter} "${err.selector}": ${err.problem}, at position ${err.position}${pointer(err.selector, err.position)}`);
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** ` (near "in (a")`: the text from the bad position, short, so a one-line message shows the spot. */
function pointer(selector: string, position: number): string {
  const rest = selector.slice(position, position + 20);
  return rest === "" ? "" : ` (near "${rest}${selector.length > position + 20 ? "..." : ""}")`;
}

/** ?labelSelector=...: objects whose metadata.labels satisfy the selector. */
export const labelSelectorFilter: ListFilter = {
  name: "labelSelector",
  fromQuery(query: URLSearchParams): ObjectPredicate | undefined {
    const raw = query.get("labelSelector");
    if (raw === null) return undefined;
    // STEP(07.5): a predicate on metadata.labels, or undefined when nothing is
    // filtered. A bad selector is the client's error: a 400 that points at it
    // (selectorError). Tests: "07.5 selectors in the apiserver: ...".
    //#solution
    let selector;
    try {
      selector = parseSelector(raw);
    } catch (err) {
      throw selectorError("labelSelector", err);
    }
    if (selector.empty) return undefined;
    return (obj) => selector.matches(obj.metadata?.labels);
    //#end
  },
};

/**
 * ?fieldSelector=...: objects whose supported fields have (or do not have)
 * the given values. `table` says which fields each resource supports.
 */
export class FieldSelectorFilter implements ListFilter {
  readonly name = "fieldSelector";

  constructor(private readonly table: FieldSelectorTable = fieldSelectors) {}

  fromQuery(query: URLSearchParams, resource: ResourceDefinition): ObjectPredicate | undefined {
    const raw = query.get("fieldSelector");
    if (raw === null) return undefined;
    const fields = supportedFields(resource.group, resource.plural, this.table);
    // STEP(07.5): the same for fields. Only the fields in `fields` can be
    // selected; any other is a 400 worded as Kubernetes words it:
    //   Unable to find "/v1, Resource=pods" that match label selector "",
    //   field selector "foo=bar": field label not supported: foo (supported: ...)
    //#solution
    let requirements;
    try {
      requirements = parseFieldSelector(raw);
    } catch (err) {
      throw selectorError("fieldSelector", err);
    }
    if (requirements.length === 0) return undefined;
    for (const r of requirements) {
      if (!Object.hasOwn(fields, r.field)) {
        throw badRequest(
          `Unable to find "${resourceName(resource)}" that match label selector "${query.get("labelSelector") ?? ""}", field selector "${raw}": ` +
            `field label not supported: ${r.field} (supported: ${Object.keys(fields).join(", ")})`,
        );
      }
    }
    return (obj) => requirements.every((r) => fieldMatches(r, fields[r.field]!(obj)));
    //#end
  }
}
