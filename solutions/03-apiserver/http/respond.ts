/** Writing answers: JSON bodies, Warning headers, and every error as a Status. */
import type { NextFunction, Request, Response } from "express";
import { ApiError, internalError, statusOf, type Status } from "../../../shared/api/index.ts";
import { isStoreError } from "../../../shared/store/types.ts";
import { PatchError } from "../patch/json-patch.ts";
import { JsonText } from "./stream.ts";

/** Answers `body` as JSON (a JsonText is JSON already: written as it is). */
export function sendJson(res: Response, code: number, body: unknown, warnings: string[] = []): void {
  if (warnings.length > 0) {
    res.setHeader(
      "Warning",
      warnings
        .slice(0, 20)
        .map((w) => `299 - ${JSON.stringify(w)}`)
        .join(", "),
    );
  }
  sendJsonText(res, code, body instanceof JsonText ? body.text : JSON.stringify(body));
}

/**
 * Writes a body that is already JSON text. Node's own response methods, not
 * Express' res.send(): every answer of the API goes through here, and send()
 * would look at the body's type, the request's freshness and the charset on
 * each one, to write the same three headers.
 */
export function sendJsonText(res: Response, code: number, text: string): void {
  // The head in one call, as a flat [name, value, ...] list: Node writes it as it
  // is, without first keeping each header in the response's header map.
  res.writeHead(code, ["Content-Type", "application/json; charset=utf-8", "Content-Length", String(Buffer.byteLength(text))]);
  res.end(text);
}

/** Maps anything thrown while serving a request to the Status to answer. */
export function toStatus(err: unknown): Status {
  if (err instanceof ApiError) return err.status;
  if (err instanceof PatchError) return statusOf(422, "Invalid", `the patch could not be applied: ${err.message}`, {});
  if (isStoreError(err, "Closed"))
    return statusOf(503, "ServiceUnavailable", "the store is closed; the apiserver is shutting down", {});
  if (isStoreError(err, "Compacted")) return statusOf(410, "Expired", err.message, {});
  // A store that has lost its quorum (chapter 16) is a temporary condition: 503, and the client retries.
  if (isStoreError(err, "Unavailable")) return statusOf(503, "ServiceUnavailable", err.message, {});
  // Errors from Express's own parsing carry an HTTP status (e.g. a malformed URL).
  const status =
    (err as { status?: unknown; statusCode?: unknown } | null)?.status ?? (err as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    return statusOf(status, status === 413 ? "RequestEntityTooLarge" : "BadRequest", (err as Error).message, {});
  }
  // Anything else is a bug in the server: log it, answer 500 with a Status.
  console.error("apiserver: internal error:", err);
  return internalError(err instanceof Error ? err.message : String(err)).status;
}

/** Answers an error as its Status (or ends an answer already under way: its head is gone). */
export function sendError(res: Response, err: unknown): void {
  const status = toStatus(err);
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJson(res, status.code, status);
}

/** The last Express middleware: no error escapes as Express's HTML 500 page. */
export function errorMiddleware(err: unknown, _req: Request, res: Response, _next: NextFunction): void {
  sendError(res, err);
}
