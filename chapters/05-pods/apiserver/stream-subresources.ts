/**
 * pods/{name}/exec, pods/{name}/attach and pods/{name}/portforward on the
 * apiserver. As with pods/log, the work happens on the pod's node: the
 * apiserver finds that node's kubelet and forwards the request there. These
 * three are upgraded connections (kubectl asks for a WebSocket), so the
 * apiserver does not read or answer the stream itself: once the kubelet has
 * agreed to the upgrade (101 Switching Protocols), the apiserver copies
 * bytes both ways until either side closes. This is what the real
 * apiserver's "upgrade aware" proxy does.
 *
 *   kubectl ==WebSocket==> apiserver --(same request)--> kubelet /exec/{ns}/{pod}/{container}?command=...
 *           <===================== 101, then raw bytes both ways =====================>
 *
 * Everything that can be checked before the upgrade is checked here and
 * answered with a Status: a missing pod (404), no command, an unknown
 * container, a pod without a node (400). kubectl prints that one line.
 */
import { request as httpRequest, type IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { ApiError, badRequest, forbidden, serviceUnavailable, statusOf, type Pod } from "../../../shared/api/index.ts";
import { locals } from "../../03-apiserver/chain/middleware.ts";
import { upgradeOf } from "../../03-apiserver/http/upgrade.ts";
import type { ApiServer } from "../../03-apiserver/index.ts";
import type { Subresource, SubresourceApi, SubresourceRequest } from "../../03-apiserver/registry/types.ts";
import { containerOf, kubeletOf, nodeOf } from "./log-subresource.ts";

/** Headers that must reach the kubelet for it to accept the same upgrade. */
const UPGRADE_HEADERS = [
  "connection",
  "upgrade",
  "sec-websocket-key",
  "sec-websocket-version",
  "sec-websocket-protocol",
  "sec-websocket-extensions",
  "x-stream-protocol-version",
];

type Kind = "exec" | "attach" | "portforward";

export interface StreamOptions {
  /** Sent to the kubelet as a bearer token: the kubelet serves only the apiserver. */
  kubeletToken?: string;
}

function streamSubresource(apiserver: ApiServer, kind: Kind, options: StreamOptions): Subresource {
  return {
    name: kind,
    kind: kind === "exec" ? "PodExecOptions" : kind === "attach" ? "PodAttachOptions" : "PodPortForwardOptions",
    // GET for WebSocket clients, POST for the older SPDY ones.
    verbs: ["get", "create"],
    async handle(request, api) {
      // A WebSocket upgrade is a GET, so the request chain authorized "get".
      // Running a command is a write: ask for "create" too, as Kubernetes
      // does for these subresources (a "view" role must not open a shell).
      if (request.verb === "get") await authorizeCreate(apiserver, request, kind);
      const upgrade = upgradeOf(request.req);
      if (!upgrade)
        throw badRequest(
          `${kind} needs an upgraded connection (Connection: Upgrade, Upgrade: websocket); use kubectl ${kind === "portforward" ? "port-forward" : kind}`,
        );
      const target = await kubeletTarget(apiserver, request, api, kind);
      await proxyUpgrade(request.req, upgrade.socket as Socket, upgrade.head, target, options);
      return undefined;
    },
  };
}

async function authorizeCreate(apiserver: ApiServer, request: SubresourceRequest, kind: Kind): Promise<void> {
  const { user, url } = locals(request.res);
  try {
    await apiserver.chain.authorize({
      user,
      verb: "create",
      isResourceRequest: true,
      path: url.pathname,
      apiGroup: "",
      apiVersion: "v1",
      resource: "pods",
      subresource: kind,
      namespace: request.namespace ?? "",
      name: request.name,
    });
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw forbidden({ group: "", resource: "pods" }, request.name, `${kind} needs create on pods/${kind}`);
  }
}

/** The kubelet URL for this request, after the checks Kubernetes makes before it connects. */
async function kubeletTarget(apiserver: ApiServer, request: SubresourceRequest, api: SubresourceApi, kind: Kind): Promise<URL> {
  const { query, name } = request;
  const namespace = request.namespace ?? "default";
  const pod = (await api.get(request.resource, namespace, name)) as Pod;
  const nodeName = nodeOf(pod, name);
  if (pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed")
    throw badRequest(
      `cannot ${kind === "portforward" ? "port-forward to" : kind + " into"} a container in a completed pod; current phase is ${pod.status.phase}`,
    );
  const base = await kubeletOf(apiserver, api, nodeName);
  const ns = encodeURIComponent(namespace);
  const podName = encodeURIComponent(name);
  if (kind === "portforward") {
    const target = new URL(`${base}/portForward/${ns}/${podName}`);
    for (const port of query.getAll("ports")) target.searchParams.append("port", port);
    return target;
  }
  const container = containerOf(pod, name, query);
  const commands = query.getAll("command");
  if (kind === "exec" && commands.length === 0) throw badRequest("you must specify at least one command for the container");
  const target = new URL(`${base}/${kind}/${ns}/${podName}/${encodeURIComponent(container)}`);
  for (const c of commands) target.searchParams.append("command", c);
  for (const flag of ["stdin", "stdout", "stderr", "tty"])
    if (query.get(flag) === "true" || query.get(flag) === "1") target.searchParams.set(flag, "1");
  return target;
}

/**
 * Sends the upgrade request to the kubelet. On 101 the two sockets are
 * joined; any other answer is turned into a Status for the client, which
 * has not been upgraded yet.
 */
function proxyUpgrade(req: IncomingMessage, client: Socket, head: Buffer, target: URL, options: StreamOptions): Promise<void> {
  const headers: Record<string, string> = {};
  for (const name of UPGRADE_HEADERS) {
    const value = req.headers[name];
    if (typeof value === "string") headers[name] = value;
  }
  if (options.kubeletToken) headers.authorization = `Bearer ${options.kubeletToken}`;
  return new Promise<void>((resolve, reject) => {
    const upstream = httpRequest(target, { method: req.method, headers });
    upstream.on("upgrade", (res: IncomingMessage, kubelet: Socket, kubeletHead: Buffer) => {
      // Repeat the kubelet's 101 answer to the client, then copy bytes both ways.
      const lines = [`HTTP/1.1 101 Switching Protocols`];
      for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
      client.write(lines.join("\r\n") + "\r\n\r\n");
      if (kubeletHead.length > 0) client.write(kubeletHead);
      if (head.length > 0) kubelet.write(head);
      const end = () => {
        client.destroy();
        kubelet.destroy();
      };
      kubelet.on("error", end);
      client.on("error", end);
      kubelet.on("close", end);
      client.on("close", end);
      kubelet.pipe(client);
      client.pipe(kubelet);
      resolve();
    });
    upstream.on("response", (res: IncomingMessage) => {
      // The kubelet refused the upgrade: its one-line reason becomes a Status.
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8").trim() || `the kubelet answered ${res.statusCode}`;
        const code = res.statusCode === 404 ? 404 : res.statusCode && res.statusCode < 500 ? 400 : 503;
        reject(
          new ApiError(statusOf(code, code === 404 ? "NotFound" : code === 400 ? "BadRequest" : "ServiceUnavailable", text)),
        );
      });
    });
    upstream.on("error", (err) => reject(serviceUnavailable(`the kubelet at ${target.host} does not answer: ${err.message}`)));
    upstream.end();
  });
}

/** Registers pods/exec, pods/attach and pods/portforward on the apiserver. */
export function installPodStreams(apiserver: ApiServer, options: StreamOptions = {}): void {
  for (const kind of ["exec", "attach", "portforward"] as const)
    apiserver.registry.addSubresource("", "pods", streamSubresource(apiserver, kind, options));
}
