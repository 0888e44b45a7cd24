/**
 * Errors as the Kubernetes API reports them: a Status object with a reason
 * and an HTTP code. Every component throws an ApiError and the apiserver
 * answers with its `status`; clients read `reason` (not the message) to decide
 * what to do (retry on Conflict, relist on Expired, create on NotFound...).
 *
 * The helpers build the same reason, code and message wording Kubernetes uses.
 */
import type { Status, StatusCause, StatusDetails, StatusReason } from "./meta.ts";

export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(readonly status: Status) {
    super(status.message ?? status.reason ?? `HTTP ${status.code}`);
  }
  get code(): number {
    return this.status.code;
  }
  get reason(): StatusReason | undefined {
    return this.status.reason;
  }
}

export function isApiError(err: unknown, reason?: StatusReason): err is ApiError {
  return err instanceof ApiError && (reason === undefined || err.status.reason === reason);
}

/** Builds a failure Status. */
export function statusOf(code: number, reason: StatusReason, message: string, details?: StatusDetails): Status {
  const status: Status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
  if (details) status.details = details;
  return status;
}

/** Is this value a Status object (e.g. in an error response or an ERROR watch event)? */
export function isStatus(value: unknown): value is Status {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "Status";
}

function apiError(code: number, reason: StatusReason, message: string, details?: StatusDetails): ApiError {
  return new ApiError(statusOf(code, reason, message, details));
}

/** Which resource an error is about: the plural ("pods") and its API group ("" for core). */
export interface ResourceRef {
  resource: string;
  group?: string;
}

function qualified({ resource, group }: ResourceRef): string {
  return group ? `${resource}.${group}` : resource;
}

/** 404: `pods "web" not found`. */
export function notFound(ref: ResourceRef, name: string): ApiError {
  return apiError(404, "NotFound", `${qualified(ref)} "${name}" not found`, { name, group: ref.group ?? "", kind: ref.resource });
}

/** 404 for a path the server does not serve. */
export function pathNotFound(): ApiError {
  return apiError(404, "NotFound", "the server could not find the requested resource", {});
}

/** 409: `pods "web" already exists`. */
export function alreadyExists(ref: ResourceRef, name: string): ApiError {
  return apiError(409, "AlreadyExists", `${qualified(ref)} "${name}" already exists`, {
    name,
    group: ref.group ?? "",
    kind: ref.resource,
  });
}

/** 409: the write was based on an old resourceVersion (optimistic concurrency). */
export function conflict(
  ref: ResourceRef,
  name: string,
  why = "the object has been modified; please apply your changes to the latest version and try again",
): ApiError {
  return apiError(409, "Conflict", `Operation cannot be fulfilled on ${qualified(ref)} "${name}": ${why}`, {
    name,
    group: ref.group ?? "",
    kind: ref.resource,
  });
}

/** The kinds of field errors, with the reason Kubernetes puts in a StatusCause. */
export type FieldErrorType =
  | "FieldValueRequired"
  | "FieldValueInvalid"
  | "FieldValueNotSupported"
  | "FieldValueDuplicate"
  | "FieldValueForbidden"
  | "FieldValueTooLong"
  | "FieldValueTypeInvalid"
  | "FieldValueNotFound";

/** One invalid field: where (a path like "spec.containers[0].image"), what, and why. */
export interface FieldError {
  type: FieldErrorType;
  field: string;
  value?: unknown;
  detail?: string;
}

/** The text Kubernetes prints for a field error, e.g. `metadata.name: Required value`. */
export function fieldErrorMessage(e: FieldError): string {
  const value = JSON.stringify(e.value);
  switch (e.type) {
    case "FieldValueRequired":
      return `${e.field}: Required value${e.detail ? `: ${e.detail}` : ""}`;
    case "FieldValueInvalid":
      return `${e.field}: Invalid value: ${value}${e.detail ? `: ${e.detail}` : ""}`;
    case "FieldValueNotSupported":
      return `${e.field}: Unsupported value: ${value}${e.detail ? `: ${e.detail}` : ""}`;
    case "FieldValueDuplicate":
      return `${e.field}: Duplicate value: ${value}`;
    case "FieldValueForbidden":
      return `${e.field}: Forbidden${e.detail ? `: ${e.detail}` : ""}`;
    case "FieldValueTooLong":
      return `${e.field}: Too long${e.detail ? `: ${e.detail}` : ""}`;
    case "FieldValueNotFound":
      return `${e.field}: Not found: ${value}`;
    case "FieldValueTypeInvalid":
      return `${e.field}: Invalid value: ${value}${e.detail ? `: ${e.detail}` : ""}`;
  }
}

/** Shorthands for building field errors in validation code. */
export const field = {
  required: (path: string, detail?: string): FieldError => ({
    type: "FieldValueRequired",
    field: path,
    ...(detail ? { detail } : {}),
  }),
  invalid: (path: string, value: unknown, detail?: string): FieldError => ({
    type: "FieldValueInvalid",
    field: path,
    value,
    ...(detail ? { detail } : {}),
  }),
  notSupported: (path: string, value: unknown, supported: readonly string[]): FieldError => ({
    type: "FieldValueNotSupported",
    field: path,
    value,
    detail: `supported values: ${supported.map((s) => `"${s}"`).join(", ")}`,
  }),
  duplicate: (path: string, value: unknown): FieldError => ({ type: "FieldValueDuplicate", field: path, value }),
  notFound: (path: string, value: unknown): FieldError => ({ type: "FieldValueNotFound", field: path, value }),
  forbidden: (path: string, detail: string): FieldError => ({ type: "FieldValueForbidden", field: path, detail }),
  tooLong: (path: string, max: number): FieldError => ({
    type: "FieldValueTooLong",
    field: path,
    detail: `must have at most ${max} bytes`,
  }),
};

/** 422: `Pod "web" is invalid: spec.containers[0].image: Required value`. Details name the kind. */
export function invalid(kind: string, name: string, errors: FieldError[], group = ""): ApiError {
  const messages = errors.map(fieldErrorMessage);
  const list = messages.length === 1 ? messages[0] : `[${messages.join(", ")}]`;
  const causes: StatusCause[] = errors.map((e) => ({
    reason: e.type,
    message: fieldErrorMessage(e).slice(e.field.length + 2),
    field: e.field,
  }));
  return apiError(422, "Invalid", `${kind} "${name}" is invalid: ${list}`, { name, group, kind, causes });
}

/** 400: the request itself is malformed (bad JSON, wrong types, unknown fields in strict mode...). */
export function badRequest(message: string): ApiError {
  return apiError(400, "BadRequest", message, {});
}

/** 401: no valid credentials. */
export function unauthorized(message = "Unauthorized"): ApiError {
  return apiError(401, "Unauthorized", message, {});
}

/** 403: `pods "web" is forbidden: <why>`. */
export function forbidden(ref: ResourceRef, name: string, why: string): ApiError {
  const what = name ? `${qualified(ref)} "${name}"` : qualified(ref);
  return apiError(403, "Forbidden", `${what} is forbidden: ${why}`, { name, group: ref.group ?? "", kind: ref.resource });
}

/** 410 with reason Gone. */
export function gone(message: string): ApiError {
  return apiError(410, "Gone", message, {});
}

/**
 * 410 with reason Expired: a watch asked for history the store has compacted.
 * The client must list again and watch from the list's resourceVersion.
 */
export function expired(requested: number | string, oldest: number | string): ApiError {
  return apiError(410, "Expired", `too old resource version: ${requested} (${oldest})`, {});
}

/** 413: the request body is over the server's limit. */
export function requestEntityTooLarge(message: string): ApiError {
  return apiError(413, "RequestEntityTooLarge", message, {});
}

/** 405: the path exists but does not take this HTTP method. */
export function methodNotAllowed(method?: string): ApiError {
  const msg = method
    ? `the server does not allow this method on the requested resource (${method})`
    : "the server does not allow this method on the requested resource";
  return apiError(405, "MethodNotAllowed", msg, {});
}

/** 415: the body's Content-Type is not one the endpoint understands. */
export function unsupportedMediaType(contentType: string, accepted: readonly string[]): ApiError {
  return apiError(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format (${contentType || "no Content-Type"}) - accepted media types include: ${accepted.join(", ")}`,
    {},
  );
}

/** 406: the client only accepts a representation the server cannot produce. */
export function notAcceptable(message: string): ApiError {
  return apiError(406, "NotAcceptable", message, {});
}

/** 500: a bug in the server. Never expected in normal operation. */
export function internalError(message: string): ApiError {
  return apiError(500, "InternalError", `Internal error occurred: ${message}`, {});
}

/** 503: the server cannot serve right now (shutting down, store unavailable). */
export function serviceUnavailable(message: string): ApiError {
  return apiError(503, "ServiceUnavailable", message, {});
}
