/**
 * Upgraded connections: `kubectl exec`, `attach` and `port-forward` ask the
 * apiserver to turn their HTTP request into a two-way byte stream
 * (`Connection: Upgrade`, `Upgrade: websocket`). Node's HTTP server hands
 * such a request to its "upgrade" event, not to the request handler, with
 * the raw socket. serveUpgrades() sends it through the same Express app as
 * every other request, so it is authenticated, authorized and routed the
 * same way. A handler that wants the socket takes it with upgradeOf(req);
 * one that does not answers through `res` as usual (a 404 Status, say),
 * and the connection closes after that answer.
 */
import { ServerResponse, type IncomingMessage, type Server } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";

export interface Upgrade {
  socket: Duplex;
  /** Bytes the client sent after the request head (usually none). */
  head: Buffer;
}

const UPGRADE = Symbol("upgrade");

/** The raw connection of an upgrade request, or undefined for a plain request. */
export function upgradeOf(req: IncomingMessage): Upgrade | undefined {
  return (req as IncomingMessage & { [UPGRADE]?: Upgrade })[UPGRADE];
}

/**
 * Routes the upgrade requests of `server` through `app`. Upgraded sockets
 * leave the HTTP server's bookkeeping, so they go into `sockets`: closing the
 * apiserver destroys them too.
 */
export function serveUpgrades(
  server: Server,
  app: (req: IncomingMessage, res: ServerResponse) => void,
  sockets: Set<Duplex>,
): void {
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    (req as IncomingMessage & { [UPGRADE]?: Upgrade })[UPGRADE] = { socket, head };
    const res = new ServerResponse(req);
    // A plain answer (an error Status) ends the connection: there is no next request on it.
    res.shouldKeepAlive = false;
    res.assignSocket(socket as Socket);
    res.on("finish", () => socket.end());
    app(req, res);
  });
}
