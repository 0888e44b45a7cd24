/**
 * A TCP proxy on 127.0.0.1 in front of a server, for tests that need to
 * break connections: dropConnections() cuts every open connection (a watch
 * sees its stream end mid-way), pause() refuses new ones until resume().
 */
import { createServer, createConnection, type Socket } from "node:net";

export interface TcpProxy {
  /** http://127.0.0.1:<proxy port> */
  url: string;
  /** Destroys every connection open right now, on both sides. */
  dropConnections(): void;
  /** New connections are closed at once until resume(). */
  pause(): void;
  resume(): void;
  /** How many client connections the proxy accepted (and forwarded) so far. */
  readonly accepted: number;
  close(): Promise<void>;
}

export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const { hostname, port } = new URL(target);
  if (hostname !== "127.0.0.1" && hostname !== "localhost")
    throw new Error(`the test proxy only forwards to loopback, not ${hostname}`);
  const open = new Set<Socket>();
  let paused = false;
  let accepted = 0;
  const server = createServer((client) => {
    if (paused) {
      client.destroy();
      return;
    }
    accepted++;
    const upstream = createConnection({ host: hostname, port: Number(port) });
    for (const s of [client, upstream]) {
      open.add(s);
      s.on("close", () => open.delete(s));
      s.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("proxy has no address");
  return {
    url: `http://127.0.0.1:${address.port}`,
    dropConnections() {
      for (const s of open) s.destroy();
      open.clear();
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
    },
    get accepted() {
      return accepted;
    },
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
