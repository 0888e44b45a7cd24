/**
 * What dockerode throws, turned into the RuntimeErrors of shared/runtime/errors.ts.
 *
 * dockerode rejects with an Error that carries the HTTP status of Docker's
 * reply (`statusCode`) and Docker's own JSON (`json.message`), or, when it
 * cannot reach the engine at all, a socket error (`code: "ENOENT"` when the
 * socket file is missing, `"ECONNREFUSED"` when nothing listens on it).
 * The helpers below let DockerRuntime say what went wrong in the words of the
 * runtime interface, with what to do next, instead of leaking HTTP codes.
 */
import { dockerSocketDescription } from "../../shared/docker.ts";
import { engineUnavailable, RuntimeError } from "../../shared/runtime/errors.ts";

interface DockerodeError {
  statusCode?: number;
  code?: string;
  message?: string;
  json?: { message?: string } | null;
}

/** The HTTP status of Docker's reply (404, 409, ...), if the engine answered at all. */
export function statusOf(err: unknown): number | undefined {
  return typeof err === "object" && err !== null ? (err as DockerodeError).statusCode : undefined;
}

/** Docker's own explanation ("No such container: abc"), without dockerode's prefix. */
export function engineMessage(err: unknown): string {
  const e = (typeof err === "object" && err !== null ? err : { message: String(err) }) as DockerodeError;
  const text = e.json?.message ?? e.message ?? String(err);
  // dockerode prefixes "(HTTP code 404) no such container - ".
  return text
    .replace(/^\(HTTP code \d+\) [^-]*- /, "")
    .trim()
    .replace(/\s+/g, " ");
}

const SOCKET_ERRORS = new Set(["ENOENT", "ECONNREFUSED", "ECONNRESET", "EPIPE", "EHOSTUNREACH", "ETIMEDOUT"]);

/** True when the engine could not be reached at all (no socket, nothing listening). */
export function isEngineDown(err: unknown): boolean {
  const code = typeof err === "object" && err !== null ? (err as DockerodeError).code : undefined;
  return code !== undefined && SOCKET_ERRORS.has(code) && statusOf(err) === undefined;
}

/**
 * The last resort of every catch block: an unreachable engine becomes
 * RuntimeError("EngineUnavailable"); anything else is passed on unchanged.
 */
export function fromDocker(err: unknown): unknown {
  if (err instanceof RuntimeError) return err;
  if (isEngineDown(err)) {
    return engineUnavailable(dockerSocketDescription(), (err as DockerodeError).code);
  }
  return err;
}

export function containerNotFound(id: string): RuntimeError {
  return new RuntimeError(
    "ContainerNotFound",
    `No container "${id}" on the Docker engine: it was removed or never created (see \`docker ps -a\`).`,
  );
}

export function imageNotFound(image: string, why?: string): RuntimeError {
  return new RuntimeError(
    "ImageNotFound",
    `Image "${image}" is not on the Docker engine${why ? ` and could not be pulled (${why})` : ""}: ` +
      `get it with \`docker pull ${image}\` or \`docker load -i <file>\` ` +
      "(for the workshop's busybox image run `npm run image`), then try again.",
  );
}

export function nameConflict(name: string): RuntimeError {
  return new RuntimeError(
    "NameConflict",
    `A container named "${name}" already exists: pick another name or remove it first (\`docker rm -f ${name}\`).`,
  );
}

export function notRunning(id: string, doing: string): RuntimeError {
  return new RuntimeError(
    "NotRunning",
    `Cannot ${doing} container "${id}": it is not running; start it first (its state shows in inspect()).`,
  );
}
