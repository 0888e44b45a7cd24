/**
 * The kubelet's own HTTP server, on 127.0.0.1 at a free port (published in
 * the Node's status.daemonEndpoints.kubeletEndpoint.Port). The apiserver
 * forwards `GET /api/v1/namespaces/NS/pods/NAME/log` here, which is how
 * `kubectl logs` reaches a container that lives on some node:
 *
 *   kubectl --> apiserver --(pod's node, node's address and port)--> kubelet --> engine
 *
 *   GET /containerLogs/{namespace}/{pod}/{container}?follow=true&tailLines=10&previous=true
 *
 * The same path as the real kubelet. Errors answer a plain-text line with a
 * 4xx code; the apiserver turns it into a Status.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { AddressInfo } from "node:net";
import type { ContainerRuntime, ContainerState, LogEntry } from "../../../shared/runtime/types.ts";
import { logText } from "../../../shared/runtime/types.ts";
import { todo } from "../../../shared/todo.ts";

/** What the kubelet answers when asked for a container of a pod. */
export type ContainerLookup = { ok: true; id: string } | { ok: false; code: number; message: string };

export interface LogServerOptions {
  runtime: ContainerRuntime;
  /** Finds the container instance (current or previous) of a pod on this node. */
  lookup(namespace: string, pod: string, container: string, previous: boolean): Promise<ContainerLookup>;
  /** How often a followed log is read again. Default 250 ms. */
  followIntervalMs?: number;
  /**
   * Serves upgraded connections on the same port: exec, attach and
   * port-forward (streaming-server.ts). Without it an upgrade is refused.
   */
  onUpgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** When set, every request must carry `Authorization: Bearer <token>`: only the apiserver knows it. */
  token?: string;
}

export interface LogServer {
  port: number;
  close(): Promise<void>;
}

export async function startLogServer(options: LogServerOptions): Promise<LogServer> {
  const server: Server = createServer((req, res) => {
    if (!authorized(options, req)) return reply(res, 401, "kubelet: only the apiserver may call this server");
    handle(options, req, res).catch((err: Error) => {
      if (!res.headersSent) reply(res, 500, `kubelet: ${err.message}`);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const upgraded = new Set<Duplex>();
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgraded.add(socket);
    socket.on("close", () => upgraded.delete(socket));
    socket.on("error", () => socket.destroy());
    if (!authorized(options, req)) return refuse(socket, 401, "kubelet: only the apiserver may call this server");
    if (!options.onUpgrade) return refuse(socket, 404, "kubelet: this server does not stream");
    options.onUpgrade(req, socket, head);
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of upgraded) socket.destroy();
      });
      return closing;
    },
  };
}

function authorized(options: LogServerOptions, req: IncomingMessage): boolean {
  return options.token === undefined || req.headers.authorization === `Bearer ${options.token}`;
}

/** Answers an upgrade request that will not be upgraded: one plain-text line, then the connection closes. */
export function refuse(socket: Duplex, code: number, text: string): void {
  const body = Buffer.from(text + "\n", "utf8");
  socket.end(
    `HTTP/1.1 ${code} ${STATUS_CODES[code] ?? ""}\r\ncontent-type: text/plain; charset=utf-8\r\n` +
      `content-length: ${body.length}\r\nconnection: close\r\n\r\n${body.toString("utf8")}`,
  );
}

function reply(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { "content-type": "text/plain; charset=utf-8" });
  res.end(text + "\n");
}

async function handle(options: LogServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://kubelet");
  const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  if (req.method !== "GET" || parts[0] !== "containerLogs" || parts.length !== 4) {
    return reply(res, 404, `kubelet: no such path ${url.pathname} (GET /containerLogs/{namespace}/{pod}/{container})`);
  }
  const [, namespace, pod, container] = parts as [string, string, string, string];
  const q = url.searchParams;
  const follow = q.get("follow") === "true" || q.get("follow") === "1";
  const previous = q.get("previous") === "true" || q.get("previous") === "1";
  const tailText = q.get("tailLines");
  const tail = tailText === null ? undefined : Number(tailText);
  if (tail !== undefined && !(Number.isInteger(tail) && tail >= 0))
    return reply(res, 400, `tailLines must be a whole number, not "${tailText}"`);

  const found = await options.lookup(namespace, pod, container, previous);
  if (!found.ok) return reply(res, found.code, found.message);

  res.writeHead(200, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-cache" });
  // TODO(05.8): stream the log (stdout and stderr together). `tail` limits
  // the lines already written; `follow` keeps sending new lines until the
  // container stops or the client leaves. A line written while you switch
  // from the tail to following must arrive exactly once.
  // Tests: "05.8 kubelet > serves logs ...", "05.8 follow ...".
  todo("05.8");
}

/** The last `n` lines of a text (a last line without its newline counts too). */
export function lastLines(text: string, n: number): string {
  if (n === 0) return "";
  const lines = text.split(/(?<=\n)/);
  return lines.slice(-n).join("");
}
