/**
 * One listening socket of the proxy: clusterIP:port (or 127.0.0.1:nodePort)
 * of one Service port. Every connection it accepts is joined to a new
 * connection to one endpoint, and bytes are copied both ways until either
 * side closes:
 *
 *   client pod ----TCP----> proxy (10.96.0.12:8000) ----TCP----> pod 172.21.0.4:80
 *                           accept, pick (round robin), connect, pipe <-> pipe
 *
 * This is the "userspace" proxy mode, the first kube-proxy: simple, and
 * every byte passes through the proxy process.
 */
import net from "node:net";
import type { Endpoint, RoundRobin } from "./round-robin.ts";

export interface PortProxyOptions {
  host: string;
  port: number;
  /** Picks the endpoint of each new connection. Shared by a Service port's cluster IP and node port listeners. */
  balancer: RoundRobin;
  /** How long to wait for a backend to accept. Default 2 s. */
  connectTimeoutMs?: number;
  log?: (line: string) => void;
}

/** Connects to one endpoint; rejects when it refuses or does not answer in time. */
export function connectTo(endpoint: Endpoint, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: endpoint.ip, port: endpoint.port, allowHalfOpen: true });
    const fail = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`no answer from ${endpoint.ip}:${endpoint.port} within ${timeoutMs} ms`)));
    socket.once("error", fail);
    socket.once("connect", () => {
      socket.setTimeout(0);
      socket.off("error", fail);
      resolve(socket);
    });
  });
}

export class PortProxy {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  constructor(private readonly options: PortProxyOptions) {
    // allowHalfOpen: a client that has sent everything (FIN) still gets the whole answer.
    // A connection the proxy fails to handle is closed, never left hanging.
    this.server = net.createServer({ allowHalfOpen: true }, (client) => {
      this.handle(client).catch(() => client.destroy());
    });
  }

  get address(): string {
    return `${this.options.host}:${this.listeningPort()}`;
  }

  /** The port it listens on: the one asked for, or the one the system chose for 0. */
  listeningPort(): number {
    const address = this.server.address();
    return typeof address === "object" && address ? address.port : this.options.port;
  }

  /** Starts listening; rejects with EADDRINUSE / EADDRNOTAVAIL as Node reports them. */
  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off("error", reject);
        this.server.on("error", (err) => this.options.log?.(`${this.address}: ${err.message}`));
        resolve();
      });
    });
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once("close", () => this.sockets.delete(socket));
  }

  // STEP(10.5): join one client connection to one endpoint. A backend that
  // refuses (it just died; the Endpoints do not say so yet) is skipped, and the
  // client never notices. No endpoint left: close the client. Errors of either
  // socket must not crash the proxy; close() must be able to end both.
  // Tests: the "10.5" tests.
  private async handle(client: net.Socket): Promise<void> {
    //#solution
    this.track(client);
    client.on("error", () => {});
    const timeout = this.options.connectTimeoutMs ?? 2_000;
    let backend: net.Socket | undefined;
    const attempts = this.options.balancer.list().length;
    for (let i = 0; i < attempts && !backend && !client.destroyed; i++) {
      const endpoint = this.options.balancer.next();
      if (!endpoint) break;
      backend = await connectTo(endpoint, timeout).catch((err: Error) => {
        this.options.log?.(`${this.address}: ${err.message}; trying the next endpoint`);
        return undefined;
      });
    }
    if (!backend || client.destroyed) {
      backend?.destroy();
      client.destroy();
      return;
    }
    const server = backend;
    this.track(server);
    server.on("error", () => {});
    client.once("close", () => server.destroy());
    server.once("close", () => client.destroy());
    client.pipe(server);
    server.pipe(client);
    //#end
  }

  /** Stops listening and ends every connection it carries. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}
