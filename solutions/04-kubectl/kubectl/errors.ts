/**
 * Every failure becomes one line, the way kubectl words it:
 *
 *   Error from server (NotFound): pods "web" not found
 *   The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?
 *   error: pod.yaml:3:7: invalid YAML: ...
 */
import { ApiError, ConnectionError } from "../client/rest.ts";

export function formatError(err: unknown): string {
  if (err instanceof ApiError) {
    return err.reason
      ? `Error from server (${err.reason}): ${oneLine(err.message)}`
      : `Error from server: ${oneLine(err.message)}`;
  }
  if (err instanceof ConnectionError) return oneLine(err.message);
  const message = err instanceof Error ? err.message : String(err);
  return `error: ${oneLine(message)}`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}
