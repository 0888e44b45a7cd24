/**
 * Field selectors: select objects by the value of a few of their fields.
 *
 *   spec.nodeName=node-1                 the pods bound to node-1 (what a kubelet watches)
 *   spec.nodeName=,status.phase!=Failed  unscheduled pods that have not failed (the scheduler)
 *   involvedObject.name=web              the events about "web" (kubectl describe)
 *
 * The grammar is simpler than for labels: terms separated by commas, each
 * `field=value`, `field==value` or `field!=value`; no sets, no existence.
 * A backslash escapes a ",", "=", "!" or "\" inside a value.
 *
 * Unlike labels, fields are not free-form: each resource supports a fixed
 * list (Kubernetes keeps it beside each resource, because the apiserver must
 * know how to read each field). A selector on any other field is refused with
 * "field label not supported". The table of fields is a value
 * (fieldSelectors below, for the resources of chapter 03); a chapter that
 * adds resources passes a bigger table to installSelectors().
 */
import type { KubeObject } from "../../../shared/api/meta.ts";
import { SelectorError } from "./lexer.ts";

export type FieldOperator = "Equals" | "NotEquals";

export interface FieldRequirement {
  field: string;
  operator: FieldOperator;
  value: string;
  /** Where the term starts in the selector, for errors. */
  position: number;
}

/** Reads one selectable field of an object as text ("" when it is not set). */
export type FieldGetter = (obj: KubeObject) => string;

/** "spec.nodeName" -> the text at that path of the object, "" when absent. */
export function fieldPath(path: string): FieldGetter {
  const parts = path.split(".");
  return (obj) => {
    let value: unknown = obj;
    for (const part of parts)
      value = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[part] : undefined;
    return value === undefined || value === null ? "" : String(value);
  };
}

/** Fields every resource supports. */
const COMMON: Record<string, FieldGetter> = {
  "metadata.name": fieldPath("metadata.name"),
  "metadata.namespace": fieldPath("metadata.namespace"),
};

/** The extra fields of each resource, by "group/plural" ("/pods" for core pods). */
export type FieldSelectorTable = Readonly<Record<string, Readonly<Record<string, FieldGetter>>>>;

/** Every field a resource can be selected by: metadata.name, metadata.namespace and its own in the table. */
export function supportedFields(
  group: string,
  plural: string,
  table: FieldSelectorTable = fieldSelectors,
): Record<string, FieldGetter> {
  return { ...COMMON, ...table[`${group}/${plural}`] };
}

/** The fields Kubernetes itself supports for the resources of chapter 03. */
export const fieldSelectors: FieldSelectorTable = {
  "/pods": {
    "spec.nodeName": fieldPath("spec.nodeName"),
    "spec.restartPolicy": fieldPath("spec.restartPolicy"),
    "spec.schedulerName": fieldPath("spec.schedulerName"),
    "spec.serviceAccountName": fieldPath("spec.serviceAccountName"),
    "status.phase": fieldPath("status.phase"),
    "status.podIP": fieldPath("status.podIP"),
    "status.nominatedNodeName": fieldPath("status.nominatedNodeName"),
  },
  "/nodes": {
    // An absent spec.unschedulable means false, and selects as "false".
    "spec.unschedulable": (obj) => String(fieldPath("spec.unschedulable")(obj) === "true"),
  },
  "/namespaces": { "status.phase": fieldPath("status.phase") },
  "/events": {
    "involvedObject.kind": fieldPath("involvedObject.kind"),
    "involvedObject.namespace": fieldPath("involvedObject.namespace"),
    "involvedObject.name": fieldPath("involvedObject.name"),
    "involvedObject.uid": fieldPath("involvedObject.uid"),
    "involvedObject.apiVersion": fieldPath("involvedObject.apiVersion"),
    "involvedObject.resourceVersion": fieldPath("involvedObject.resourceVersion"),
    "involvedObject.fieldPath": fieldPath("involvedObject.fieldPath"),
    reason: fieldPath("reason"),
    reportingComponent: fieldPath("reportingComponent"),
    source: fieldPath("source.component"),
    type: fieldPath("type"),
  },
};

/**
 * Parses a field selector into requirements. The empty selector (or one of
 * only commas and spaces) has none and matches everything. Throws
 * SelectorError pointing at the bad term.
 */
export function parseFieldSelector(selector: string): FieldRequirement[] {
  const requirements: FieldRequirement[] = [];
  // STEP(07.4): terms "field=value", "field==value", "field!=value", separated
  // by ",". A backslash escapes , = ! or \ in a value (any other escape is an
  // error). Empty terms are skipped; spaces around a field or a value do not
  // count. Every error is a SelectorError at the position of the problem: a term
  // with no operator ("status.phase") says it "is not field=value", at the start
  // of the term; an operator with nothing before it ("=Running") is found
  // "without a field name"; a bad escape is an "invalid escape sequence", at
  // its backslash. Tests: "07.4 field selectors > ...".
  //#solution
  let field: string | undefined; // set once the term's operator is found
  let operator: FieldOperator = "Equals";
  let text = "";
  let start = 0;
  const endTerm = (end: number) => {
    if (field === undefined) {
      if (text.trim() !== "") {
        throw new SelectorError(`"${text.trim()}" is not field=value, field==value or field!=value`, selector, start);
      }
    } else {
      requirements.push({ field, operator, value: text.trim(), position: start });
    }
    field = undefined;
    operator = "Equals";
    text = "";
    start = end + 1;
  };
  for (let i = 0; i < selector.length; i++) {
    const ch = selector[i]!;
    if (ch === "\\") {
      const escaped = selector[i + 1];
      if (escaped === undefined || !",=!\\".includes(escaped)) {
        throw new SelectorError(
          `invalid escape sequence "\\${escaped ?? ""}": only \\, \\= \\! and \\\\ are allowed`,
          selector,
          i,
        );
      }
      text += escaped;
      i++;
    } else if (ch === ",") {
      endTerm(i);
    } else if (field === undefined && (ch === "=" || (ch === "!" && selector[i + 1] === "="))) {
      if (text.trim() === "")
        throw new SelectorError(`found "${ch === "!" ? "!=" : ch}" without a field name before it`, selector, i);
      field = text.trim();
      operator = ch === "!" ? "NotEquals" : "Equals";
      text = "";
      if (selector[i + 1] === "=") i++;
    } else {
      text += ch;
    }
  }
  endTerm(selector.length);
  //#end
  return requirements;
}

/** Does one requirement hold for this field value? */
export function fieldMatches(requirement: FieldRequirement, value: string): boolean {
  return requirement.operator === "Equals" ? value === requirement.value : value !== requirement.value;
}
