/**
 * The metadata the apiserver owns: on create it gives every object a name
 * (from generateName if needed), a uid, a creationTimestamp and a generation;
 * it validates names, labels and annotations the way Kubernetes does.
 */
import { randomUUID } from "node:crypto";
import {
  field,
  isObject,
  timestamp,
  validateDNS1123Label,
  validateDNS1123Subdomain,
  validateLabelValue,
  validateQualifiedName,
  type FieldError,
} from "../../../shared/api/index.ts";
import type { ApiObject, ResourceDefinition } from "../registry/types.ts";
import { todo } from "../../../shared/todo.ts";

/** The characters Kubernetes uses for generated name suffixes (no vowels: no accidental words). */
const SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

// TODO(03.3): the metadata the server owns. generateNameFrom() turns a prefix
// into a fresh name (`web-` -> `web-x7k2p`): five characters of SUFFIX_ALPHABET
// drawn with Math.random() (a test makes it repeat a name), the whole name at
// most 63 characters long. initializeMetadata() gives a new
// object its name (from generateName when it has none), a new uid, a
// creationTimestamp and generation 1; what the client sent for the fields only
// the server sets (resourceVersion, deletionTimestamp,
// deletionGracePeriodSeconds, selfLink) is dropped. The server calls it for
// `default` at start, so every test of this chapter needs this step.
// Tests: "03.3 create > generates names from generateName", "03.3 gives a new object its uid, creationTimestamp and generation".
/** `web-` -> `web-x7k2p`: generateName plus five random characters. */
export function generateNameFrom(prefix: string): string {
  todo("03.3");
}

/** Gives a new object the metadata the server owns (see the step above). */
export function initializeMetadata(obj: ApiObject): void {
  todo("03.3");
}

/** Checks metadata: name (or generateName), namespace, labels, annotations. */
export function validateObjectMeta(resource: ResourceDefinition, obj: ApiObject): FieldError[] {
  const errs: FieldError[] = [];
  const meta = obj.metadata ?? {};
  if (!meta.name) {
    errs.push(field.required("metadata.name", "name or generateName is required"));
  } else {
    for (const msg of validateName(resource, meta.name)) errs.push(field.invalid("metadata.name", meta.name, msg));
  }
  if (resource.scope === "Namespaced" && !meta.namespace) errs.push(field.required("metadata.namespace"));
  if (resource.scope === "Cluster" && meta.namespace)
    errs.push(field.forbidden("metadata.namespace", "not allowed on this type"));
  errs.push(...validateLabels(meta.labels, "metadata.labels"));
  errs.push(...validateAnnotations(meta.annotations, "metadata.annotations"));
  return errs;
}

export function validateName(resource: ResourceDefinition, name: string): string[] {
  switch (resource.nameFormat ?? "DNS1123Subdomain") {
    case "DNS1123Label":
      return validateDNS1123Label(name);
    case "DNS1123Subdomain":
      return validateDNS1123Subdomain(name);
    case "PathSegment":
      if (name === "." || name === "..") return [`may not be '${name}'`];
      return /[/%]/.test(name) ? ["may not contain '/' or '%'"] : [];
  }
}

export function validateLabels(labels: unknown, path: string): FieldError[] {
  if (!isObject(labels)) return [];
  const errs: FieldError[] = [];
  for (const [key, value] of Object.entries(labels)) {
    for (const msg of validateQualifiedName(key)) errs.push(field.invalid(path, key, msg));
    for (const msg of validateLabelValue(String(value))) errs.push(field.invalid(`${path}[${key}]`, value, msg));
  }
  return errs;
}

/** Annotations: keys are qualified names; all values together at most 256 KiB. */
export function validateAnnotations(annotations: unknown, path: string): FieldError[] {
  if (!isObject(annotations)) return [];
  const errs: FieldError[] = [];
  let total = 0;
  for (const [key, value] of Object.entries(annotations)) {
    for (const msg of validateQualifiedName(key.toLowerCase())) errs.push(field.invalid(path, key, msg));
    total += key.length + String(value).length;
  }
  if (total > 256 * 1024) errs.push(field.tooLong(path, 256 * 1024));
  return errs;
}
