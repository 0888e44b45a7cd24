/**
 * The dashboard's web server, on 127.0.0.1 only:
 *
 *   GET /              the page (page/index.html, app.js, style.css: all in the repo, no CDN)
 *   GET /api/picture   the cluster picture, once, as JSON
 *   GET /api/stream    Server-Sent Events: the picture now, then again after every change
 *
 * Server-Sent Events are one long HTTP response of `data: <json>` blocks; the
 * browser's EventSource reads them and reconnects by itself when the
 * connection drops. Nothing on the page polls.
 */
import { once } from "node:events";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import express from "express";
import type { ClusterFeed } from "./feed.ts";

const PAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), "page");

export interface DashboardServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Thrown when the port is taken: the caller says which port and how to pick another. */
export class PortTakenError extends Error {
  constructor(readonly port: number) {
    super(`port ${port} is taken`);
  }
}

/** Serves the page and the stream of pictures; `port` 0 takes any free port. */
export async function startDashboard(feed: ClusterFeed, port: number): Promise<DashboardServer> {
  const app = express();
  const streams = new Set<express.Response>();

  app.get("/api/picture", (_req, res) => {
    res.json(feed.picture());
  });

  app.get("/api/stream", (req, res) => {
    res.status(200).set({ "Content-Type": "text/event-stream", "Cache-Control": "no-cache", Connection: "keep-alive" });
    res.flushHeaders();
    const send = () => res.write(`data: ${JSON.stringify({ picture: feed.picture(), error: feed.lastError })}\n\n`);
    send();
    const unsubscribe = feed.onChange(send);
    // A comment line now and then keeps proxies and idle timeouts from closing the stream.
    const keepAlive = setInterval(() => res.write(": keep-alive\n\n"), 15_000);
    streams.add(res);
    req.on("close", () => {
      unsubscribe();
      clearInterval(keepAlive);
      streams.delete(res);
    });
  });

  app.use(express.static(PAGE_DIR, { index: "index.html" }));

  const server = app.listen(port, "127.0.0.1");
  try {
    await once(server, "listening");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EADDRINUSE") throw new PortTakenError(port);
    throw err;
  }
  const actual = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    async close() {
      for (const res of streams) res.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
