/**
 * Errors every ContainerRuntime throws, so callers (the kubelet, the CLI) can
 * tell "the image is missing" from "Docker is not running" without parsing
 * engine messages. Each message says what to do next.
 */
export type RuntimeErrorCode =
  "EngineUnavailable" | "ImageNotFound" | "ContainerNotFound" | "NameConflict" | "InvalidSpec" | "NotRunning";

export class RuntimeError extends Error {
  override readonly name = "RuntimeError";
  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isRuntimeError(err: unknown, code?: RuntimeErrorCode): err is RuntimeError {
  return err instanceof RuntimeError && (code === undefined || err.code === code);
}

/** The one line a user sees when no Docker engine answers. */
export function engineUnavailable(socket: string, cause?: string): RuntimeError {
  return new RuntimeError(
    "EngineUnavailable",
    `No Docker engine answers at ${socket}${cause ? ` (${cause})` : ""}: ` +
      "start one (`sudo systemctl start docker`, or `sudo dockerd &`) and try again.",
  );
}
