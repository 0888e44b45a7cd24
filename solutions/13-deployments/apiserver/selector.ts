/**
 * The object form of a label selector (apps/v1), turned into chapter 07's
 * LabelSelector:
 *
 *   selector:
 *     matchLabels: { app: web }                            app=web
 *     matchExpressions:
 *       - { key: tier, operator: In, values: [a, b] }      tier in (a,b)
 *       - { key: canary, operator: DoesNotExist }          !canary
 *
 * Every part must hold. Kubernetes calls this LabelSelectorAsSelector.
 */
import type { LabelSelectorSpec } from "../../../shared/api/apps.ts";
import { field, isObject, type FieldError } from "../../../shared/api/index.ts";
import { validateLabels } from "../../03-apiserver/rest/metadata.ts";
import { LabelSelector, type Requirement } from "../../07-labels/labels/selector.ts";

const OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"] as const;

/** The selector as chapter 07's LabelSelector (keys sorted, as Kubernetes prints them). */
export function toLabelSelector(spec: LabelSelectorSpec | undefined): LabelSelector {
  const requirements: Requirement[] = [];
  for (const [key, value] of Object.entries(spec?.matchLabels ?? {})) requirements.push({ key, operator: "Equals", values: [value] });
  for (const e of spec?.matchExpressions ?? []) requirements.push({ key: e.key, operator: e.operator, values: [...(e.values ?? [])].sort() });
  requirements.sort((a, b) => a.key.localeCompare(b.key));
  return new LabelSelector(requirements);
}

/** The selector written as a string, "app=web,tier in (a,b)", or "<none>". */
export function formatLabelSelector(spec: LabelSelectorSpec | undefined): string {
  const text = toLabelSelector(spec).toString();
  return text === "" ? "<none>" : text;
}

/** Checks the parts of a selector (keys, values, operators) with Kubernetes' paths. */
export function validateSelectorSpec(spec: unknown, path: string): FieldError[] {
  if (!isObject(spec)) return [field.required(path)];
  const errs: FieldError[] = [];
  const labels = isObject(spec.matchLabels) ? spec.matchLabels : {};
  errs.push(...validateLabels(labels as Record<string, string>, `${path}.matchLabels`));
  const expressions = Array.isArray(spec.matchExpressions) ? spec.matchExpressions : [];
  expressions.forEach((e: unknown, i) => {
    const at = `${path}.matchExpressions[${i}]`;
    if (!isObject(e)) return errs.push(field.invalid(at, e, "must be an object"));
    const operator = e.operator as string;
    if (!(OPERATORS as readonly string[]).includes(operator)) return errs.push(field.notSupported(`${at}.operator`, operator, [...OPERATORS]));
    const values = Array.isArray(e.values) ? e.values : [];
    if ((operator === "In" || operator === "NotIn") && values.length === 0) errs.push(field.required(`${at}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
    if ((operator === "Exists" || operator === "DoesNotExist") && values.length > 0) errs.push(field.forbidden(`${at}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    return undefined;
  });
  if (Object.keys(labels).length === 0 && expressions.length === 0) errs.push(field.invalid(path, spec, "empty selector is invalid for deployment"));
  return errs;
}
