/**
 * Chapter 07: labels and selectors.
 *
 *   labels/lexer.ts           the label selector's tokens
 *   labels/selector.ts        the label selector's parser and matching
 *   labels/field-selector.ts  field selectors and the fields each resource supports
 *   apiserver/                the list/watch filters that use them
 *   kubectl/                  kubectl label and kubectl annotate
 *
 * The client (chapter 04) already sends labelSelector and fieldSelector; the
 * apiserver starts honouring them once installSelectors() has run.
 */
import type { ApiServer } from "../03-apiserver/index.ts";
import type { FilterRegistry } from "../03-apiserver/filters/filters.ts";
import { fieldSelectorFilter, labelSelectorFilter } from "./apiserver/selector-filters.ts";

export { LabelSelector, parseSelector, requirementMatches, selectorFromSet, SelectorError, type Labels, type Operator, type Requirement } from "./labels/selector.ts";
export { fieldPath, parseFieldSelector, registerFieldSelectors, supportedFields, type FieldGetter, type FieldRequirement } from "./labels/field-selector.ts";
export { fieldSelectorFilter, labelSelectorFilter } from "./apiserver/selector-filters.ts";

const installed = new WeakSet<FilterRegistry>();

/**
 * Makes an apiserver honour ?labelSelector= and ?fieldSelector= on list,
 * watch and deletecollection. Calling it again for the same server does nothing.
 */
export function installSelectors(apiserver: ApiServer): void {
  if (installed.has(apiserver.filters)) return;
  installed.add(apiserver.filters);
  for (const filter of [labelSelectorFilter, fieldSelectorFilter]) {
    try {
      apiserver.filters.add(filter);
    } catch (err) {
      // Already added by another copy of this module (another tree): same filter, keep it.
      if (!(err instanceof Error && err.message.includes("already registered"))) throw err;
    }
  }
}
