/**
 * The prober: runs ONE check of a container and says whether it passed.
 *
 * A probe (container.livenessProbe / readinessProbe) names one handler:
 *
 *   exec:      { command: ["cat", "/tmp/healthy"] }    run it inside the container: exit code 0 = success
 *   httpGet:   { path: "/healthz", port: 8080 }         GET http://<pod IP>:8080/healthz: 200-399 = success
 *                                                       (redirects on the same host are followed)
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
  // STEP(12.1): exit code 0 in time is a success. A failure's message tells
  // the user the code and what the command printed. Tests: the "12.1" tests.
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
  // STEP(12.1): 200-399 is a success; any other code, no answer in time or
  // a refused connection is a failure that says what happened.
  //#solution
  const headers = Object.fromEntries((action.httpHeaders ?? []).map((h) => [h.name, h.value]));
  const status = await httpGetStatus(action.scheme === "HTTPS", host, port, path, headers, timeoutOf(probe) * 1000);
  if (status >= 200 && status < 400) return { result: "success", message: `HTTP ${status}` };
  return { result: "failure", message: `HTTP probe failed with statuscode: ${status}` };
  //#end
}

/** How many redirects a probe follows before it fails (Go's http.Client stops at 10 too). */
export const MAX_REDIRECTS = 10;

/**
 * One GET; resolves with the final status code. The body is read and
 * dropped (a probe only looks at the code). HTTPS probes do not verify the
 * certificate (Kubernetes does not either).
 *
 * Redirects, as the kubelet's prober does them: a redirect to the same host
 * name is followed (so /old -> /healthz checks /healthz); a redirect to
 * another host is not followed, and its 3xx code counts, which is a success
 * (Kubernetes adds a "ProbeWarning" event). More than MAX_REDIRECTS is a
 * failure.
 */
export async function httpGetStatus(https: boolean, host: string, port: number, path: string, headers: Record<string, string>, timeoutMs: number): Promise<number> {
  let url = new URL(`${https ? "https" : "http"}://${host.includes(":") ? `[${host}]` : host}:${port}${path}`);
  for (let redirects = 0; ; redirects++) {
    const { status, location } = await getOnce(url, headers, timeoutMs);
    if (status < 300 || status >= 400 || !location) return status;
    const next = new URL(location, url);
    if (next.hostname !== url.hostname) return status;
    if (redirects >= MAX_REDIRECTS) throw new Error(`GET ${url}: stopped after ${MAX_REDIRECTS} redirects`);
    url = next;
  }
}

function getOnce(url: URL, headers: Record<string, string>, timeoutMs: number): Promise<{ status: number; location?: string }> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const options = {
      host: url.hostname.replace(/^\[|\]$/g, ""),
      port: url.port,
      path: url.pathname + url.search,
      method: "GET",
      headers: { "user-agent": "kube-probe/1.32", ...headers },
      timeout: timeoutMs,
      rejectUnauthorized: false,
      agent: false,
    };
    const req = send(options, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, location: res.headers.location }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${url} timed out after ${timeoutMs / 1000}s`)));
    req.on("error", reject);
    req.end();
  });
}

async function tcpSocketProbe(probe: Probe, target: ProbeTarget): Promise<ProbeOutcome> {
  const action = probe.tcpSocket!;
  const host = action.host ?? target.podIP;
  if (!host) return { result: "failure", message: "the pod has no IP yet" };
  const port = resolvePort(action.port, target.container);
  // STEP(12.1): success when something accepts the connection in time.
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
