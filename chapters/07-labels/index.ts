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
import type { KubeletExtensions } from "../05-pods/index.ts";
import { FieldSelectorFilter, labelSelectorFilter } from "./apiserver/selector-filters.ts";
import { fieldSelectors, type FieldSelectorTable } from "./labels/field-selector.ts";

export {
  LabelSelector,
  parseSelector,
  requirementMatches,
  selectorFromSet,
  SelectorError,
  type Labels,
  type Operator,
  type Requirement,
} from "./labels/selector.ts";
export {
  fieldPath,
  fieldSelectors,
  parseFieldSelector,
  supportedFields,
  type FieldGetter,
  type FieldRequirement,
  type FieldSelectorTable,
} from "./labels/field-selector.ts";
export { FieldSelectorFilter, labelSelectorFilter } from "./apiserver/selector-filters.ts";
export { kubectlPlugin } from "./kubectl/index.ts";

/**
 * Makes an apiserver honour ?labelSelector= and ?fieldSelector= on list,
 * watch and deletecollection. `fields` is the table of selectable fields
 * (default: this chapter's; a later chapter passes one with its resources
 * added). Calling it again for the same server does nothing.
 */
export function installSelectors(apiserver: ApiServer, fields: FieldSelectorTable = fieldSelectors): void {
  // The apiserver's filters say what is installed: no module-level memory,
  // so a second copy of this module (another tree) agrees.
  if (!apiserver.filters.has(labelSelectorFilter.name)) apiserver.filters.add(labelSelectorFilter);
  const fieldFilter = new FieldSelectorFilter(fields);
  if (!apiserver.filters.has(fieldFilter.name)) apiserver.filters.add(fieldFilter);
}

/** What this chapter adds to every kubelet: it may watch only its own pods (fieldSelector=spec.nodeName=<node>). */
export function kubeletExtensions(): KubeletExtensions {
  return { podFieldSelector: true };
}
