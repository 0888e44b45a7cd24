/**
 * The kubelet's streaming server: the upgraded connections of its HTTP
 * server (log-server.ts), on the same port and behind the same token.
 *
 *   /exec/{namespace}/{pod}/{container}?command=sh&command=-c&stdin=1&stdout=1&stderr=1&tty=1
 *   /attach/{namespace}/{pod}/{container}?stdin=1&stdout=1&stderr=1
 *   /portForward/{namespace}/{pod}?port=80
 *
 * The same paths as the real kubelet. exec and attach speak
 * v5.channel.k8s.io (remote-command.ts); port-forward speaks SPDY/3.1
 * inside the WebSocket (port-forward.ts). What can be refused is refused
 * before the upgrade, with one plain-text line (the apiserver turns it
 * into a Status); after the upgrade, errors travel on the error channel.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { StreamingRuntime, StreamSession } from "../../../shared/runtime/streams.ts";
import { refuse, type ContainerLookup } from "./log-server.ts";
import { PORT_FORWARD_PROTOCOL, servePortForward } from "./port-forward.ts";
import { STREAM_PROTOCOL_V5, serveSession } from "./remote-command.ts";

export interface StreamingOptions {
  streams: StreamingRuntime;
  /** The running container of a pod on this node. */
  lookup(namespace: string, pod: string, container: string): Promise<ContainerLookup>;
  /** The pod's IP, where port-forward connects; a 4xx answer when the pod is not here or has none. */
  podIP(namespace: string, pod: string): Promise<{ ok: true; ip: string } | { ok: false; code: number; message: string }>;
  log?: (message: string) => void;
}

const flag = (q: URLSearchParams, name: string) => q.get(name) === "1" || q.get(name) === "true";

/** The "upgrade" handler of the kubelet's server. */
export function streamingHandler(options: StreamingOptions): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  // "SPDY/3.1+portforward.k8s.io" has a "/", which the WebSocket RFC does not allow in a
  // subprotocol name, so the ws package would refuse it. handle() checks the offer itself
  // and accept() removes the header; the chosen subprotocol is added to the 101 answer here.
  const chosen = new WeakMap<IncomingMessage, string>();
  wss.on("headers", (headers: string[], req: IncomingMessage) => {
    const protocol = chosen.get(req);
    if (protocol) headers.push(`Sec-WebSocket-Protocol: ${protocol}`);
  });
  const accept = (req: IncomingMessage, socket: Duplex, head: Buffer, protocol: string): Promise<WebSocket> =>
    new Promise((resolve) => {
      chosen.set(req, protocol);
      delete req.headers["sec-websocket-protocol"];
      wss.handleUpgrade(req, socket, head, (ws) => resolve(ws));
    });
  return (req, socket, head) => {
    handle(options, accept, req, socket, head).catch((err: Error) => {
      if (socket.writable) refuse(socket, 500, `kubelet: ${err.message}`);
      else socket.destroy();
    });
  };
}

function offered(req: IncomingMessage): string[] {
  return (req.headers["sec-websocket-protocol"] ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
}

type Accept = (req: IncomingMessage, socket: Duplex, head: Buffer, protocol: string) => Promise<WebSocket>;

async function handle(
  options: StreamingOptions,
  accept: Accept,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://kubelet");
  const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  const q = url.searchParams;
  const websocket = (req.headers.upgrade ?? "").toLowerCase() === "websocket";
  const protocols = offered(req);

  if ((parts[0] === "exec" || parts[0] === "attach") && parts.length === 4) {
    const [kind, namespace, pod, container] = parts as ["exec" | "attach", string, string, string];
    if (!websocket || !protocols.includes(STREAM_PROTOCOL_V5))
      return refuse(
        socket,
        400,
        `kubelet: ${kind} speaks WebSocket with subprotocol ${STREAM_PROTOCOL_V5} only (kubectl 1.30 or later)`,
      );
    const command = q.getAll("command");
    if (kind === "exec" && command.length === 0)
      return refuse(socket, 400, "you must specify at least one command for the container");
    const found = await options.lookup(namespace, pod, container);
    if (!found.ok) return refuse(socket, found.code, found.message);
    const streamOptions = { stdin: flag(q, "stdin"), tty: flag(q, "tty") };
    let session: StreamSession;
    try {
      session =
        kind === "exec"
          ? await options.streams.exec(found.id, command, streamOptions)
          : await options.streams.attach(found.id, streamOptions);
    } catch (err) {
      return refuse(socket, 400, `unable to ${kind} in container ${container}: ${(err as Error).message}`);
    }
    const ws = await accept(req, socket, head, STREAM_PROTOCOL_V5);
    options.log?.(`${kind} ${namespace}/${pod}/${container}${kind === "exec" ? ` ${JSON.stringify(command)}` : ""}`);
    await serveSession(ws, session);
    return;
  }

  if (parts[0] === "portForward" && parts.length === 3) {
    const [, namespace, pod] = parts as [string, string, string];
    if (!websocket || !protocols.includes(PORT_FORWARD_PROTOCOL))
      return refuse(
        socket,
        400,
        `kubelet: port-forward speaks WebSocket with subprotocol ${PORT_FORWARD_PROTOCOL} only (kubectl 1.31 or later)`,
      );
    const found = await options.podIP(namespace, pod);
    if (!found.ok) return refuse(socket, found.code, found.message);
    const ws = await accept(req, socket, head, PORT_FORWARD_PROTOCOL);
    options.log?.(`port-forward ${namespace}/${pod} (${found.ip})`);
    await servePortForward(ws, found.ip, options.log);
    return;
  }
  refuse(socket, 404, `kubelet: no such path ${url.pathname} (/exec, /attach or /portForward)`);
}
