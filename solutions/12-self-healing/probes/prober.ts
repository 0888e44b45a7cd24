/**
 * The prober: runs ONE check of a container and says whether it passed.
 *
 * A probe (container.livenessProbe / readinessProbe) names one handler:
 *
 *   exec:      { command: ["cat", "/tmp/healthy"] }    run it inside the container: exit code 0 = success
 *   httpGet:   { path: "/healthz", port: 8080 }         GET http://<pod IP>:8080/healthz: 200-399 = success
 *   tcpSocket: { port: 6379 }                           open a TCP connection to <pod IP>:6379: connected = success
 *
 * Every check has a deadline (timeoutSeconds, default 1 s): a container
 * that does not answer in time failed the check. The kubelet runs these
 * from the node, which is why an httpGet probe works without any Service:
 * the node reaches the pod's IP directly on the cluster network.
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect } from "node:net";
import type { Container, IntOrString, Probe } from "../../../shared/api/index.ts";
import type { ContainerRuntime } from "../../../shared/runtime/types.ts";

export type ProbeResult = "success" | "failure";

export interface ProbeOutcome {
  result: ProbeResult;
  /** What went wrong (or the command's output), for the log and the event. */
  message: string;
}

/** What a check needs to know about the container it checks. */
export interface ProbeTarget {
  runtime: ContainerRuntime;
  /** The running container's id on the engine (for exec). */
  containerId: string;
  /** The container's spec (named ports). */
  container: Container;
  /** The pod's IP (for httpGet and tcpSocket without a host). */
  podIP: string | undefined;
}

/** Seconds of a probe's timeout (Kubernetes' default: 1). */
export function timeoutOf(probe: Probe): number {
  return Math.max(1, probe.timeoutSeconds ?? 1);
}

/** A port given by number, or by the name of one of the container's ports. */
export function resolvePort(port: IntOrString, container: Container): number {
  if (typeof port === "number") return port;
  if (/^\d+$/.test(port)) return Number(port);
  const named = container.ports?.find((p) => p.name === port);
  if (!named) throw new Error(`the container has no port named "${port}"`);
  return named.containerPort;
}

/** Runs one check; never throws: whatever goes wrong is a failure with a message. */
export async function runProbe(probe: Probe, target: ProbeTarget): Promise<ProbeOutcome> {
  try {
    if (probe.exec) return await execProbe(probe, target);
    if (probe.httpGet) return await httpGetProbe(probe, target);
    if (probe.tcpSocket) return await tcpSocketProbe(probe, target);
    return { result: "failure", message: "the probe has no handler: give it exec, httpGet or tcpSocket" };
  } catch (err) {
    return { result: "failure", message: (err as Error).message };
  }
}

/** Rejects after the probe's timeout. */
function withTimeout<T>(probe: Probe, work: Promise<T>, what: string): Promise<T> {
  const ms = timeoutOf(probe) * 1000;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000}s`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

async function execProbe(probe: Probe, target: ProbeTarget): Promise<ProbeOutcome> {
  const command = probe.exec?.command ?? [];
  // STEP(12.1): run `command` in the container (target.runtime.exec) within
  // the probe's timeout (withTimeout). Exit code 0 is a success; any other
  // code a failure whose message has the code and what the command printed.
  //#solution
  if (command.length === 0) return { result: "failure", message: "exec probe without a command" };
  const run = await withTimeout(probe, target.runtime.exec(target.containerId, command), `command ${JSON.stringify(command)}`);
  const output = (run.stdout + run.stderr).trim();
  if (run.exitCode === 0) return { result: "success", message: output };
  return { result: "failure", message: `command ${JSON.stringify(command)} exited with ${run.exitCode}${output ? `: ${output}` : ""}` };
  //#end
}

async function httpGetProbe(probe: Probe, target: ProbeTarget): Promise<ProbeOutcome> {
  const action = probe.httpGet!;
  const host = action.host ?? target.podIP;
  if (!host) return { result: "failure", message: "the pod has no IP yet" };
  const port = resolvePort(action.port, target.container);
  const path = action.path ? (action.path.startsWith("/") ? action.path : `/${action.path}`) : "/";
  // STEP(12.1): GET <scheme>://<host>:<port><path> with the probe's headers
  // (httpGetStatus). A status from 200 to 399 is a success ("HTTP probe
  // failed with statuscode: 500" otherwise); no answer in time, a refused
  // connection... are failures too.
  //#solution
  const headers = Object.fromEntries((action.httpHeaders ?? []).map((h) => [h.name, h.value]));
  const status = await httpGetStatus(action.scheme === "HTTPS", host, port, path, headers, timeoutOf(probe) * 1000);
  if (status >= 200 && status < 400) return { result: "success", message: `HTTP ${status}` };
  return { result: "failure", message: `HTTP probe failed with statuscode: ${status}` };
  //#end
}

/**
 * One GET; resolves with the status code. The body is read and dropped (a
 * probe only looks at the code); redirects are not followed, and count as
 * success, as Kubernetes counts a redirect to another host. HTTPS probes do
 * not verify the certificate (Kubernetes does not either).
 */
export function httpGetStatus(https: boolean, host: string, port: number, path: string, headers: Record<string, string>, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const send = https ? httpsRequest : httpRequest;
    const req = send({ host, port, path, method: "GET", headers: { "user-agent": "kube-probe/1.32", ...headers }, timeout: timeoutMs, rejectUnauthorized: false, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`GET http://${host}:${port}${path} timed out after ${timeoutMs / 1000}s`)));
    req.on("error", reject);
    req.end();
  });
}

async function tcpSocketProbe(probe: Probe, target: ProbeTarget): Promise<ProbeOutcome> {
  const action = probe.tcpSocket!;
  const host = action.host ?? target.podIP;
  if (!host) return { result: "failure", message: "the pod has no IP yet" };
  const port = resolvePort(action.port, target.container);
  // STEP(12.1): open a TCP connection to host:port (node:net connect, with the
  // probe's timeout). It connects: success (close it at once). An error,
  // or no connection in time (the socket's "timeout" event): failure.
  //#solution
  const ms = timeoutOf(probe) * 1000;
  await new Promise<void>((resolve, reject) => {
    const socket = connect({ host, port, timeout: ms });
    socket.once("connect", () => {
      socket.destroy();
      resolve();
    });
    socket.once("timeout", () => {
      socket.destroy();
      reject(new Error(`dial tcp ${host}:${port}: i/o timeout after ${ms / 1000}s`));
    });
    socket.once("error", reject);
  });
  return { result: "success", message: `connected to ${host}:${port}` };
  //#end
}
