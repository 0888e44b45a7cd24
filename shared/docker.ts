/**
 * One place that knows how to reach the local Docker engine.
 *
 * Chapter 01's DockerRuntime receives a connected client from here; the test
 * harness and the workshop CLI use it to provision the test image and to
 * clean up. DOCKER_HOST (unix:///path or tcp://127.0.0.1:port) is honoured.
 */
import Docker from "dockerode";
import { engineUnavailable, RuntimeError } from "./runtime/errors.ts";

export function dockerSocketDescription(): string {
  return process.env.DOCKER_HOST ?? "/var/run/docker.sock";
}

export function connectDocker(): Docker {
  const host = process.env.DOCKER_HOST;
  if (!host) return new Docker({ socketPath: "/var/run/docker.sock" });
  if (host.startsWith("unix://")) return new Docker({ socketPath: host.slice("unix://".length) });
  const url = new URL(host.replace(/^tcp:/, "http:"));
  return new Docker({ host: url.hostname, port: Number(url.port || 2375) });
}

/** Resolves when the engine answers; else throws RuntimeError("EngineUnavailable"). */
export async function pingDocker(docker: Docker, timeoutMs = 5000): Promise<void> {
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref(),
  );
  try {
    await Promise.race([docker.ping(), timeout]);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw engineUnavailable(dockerSocketDescription(), code ?? (err as Error).message);
  }
}

/** True when a Docker engine answers, without throwing. */
export async function dockerAnswers(docker: Docker = connectDocker()): Promise<boolean> {
  try {
    await pingDocker(docker, 3000);
    return true;
  } catch (err) {
    if (err instanceof RuntimeError) return false;
    throw err;
  }
}
