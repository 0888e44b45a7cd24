/**
 * Chapter 04, the client's connections (no cluster): a request sent on a
 * pooled keep-alive connection that the server has just closed. A server
 * closes an idle connection after its keep-alive timeout; when the client
 * sends its next request on that connection at the same moment, the request
 * gets no answer. The server here makes that race happen every time: it
 * answers the first request of a connection, then closes the connection as
 * soon as the next request arrives on it, without reading or answering it.
 */
import http from "node:http";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ConnectionError, RestClient } from "@tree/04-kubectl/client/rest.ts";
import { MAX_SOCKETS } from "@tree/04-kubectl/client/transport.ts";

/** What the server does with the n-th request (1, 2...) of its c-th connection (1, 2...). */
type Plan = (connection: number, request: number) => "answer" | "close";

interface RaceServer {
  url: string;
  /** "c1r1 answer", "c1r2 close"...: every request the server received, in order. */
  log: string[];
  close(): Promise<void>;
}

const servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A minimal HTTP/1.1 server on loopback, port 0; each GET is one request (no bodies). */
async function raceServer(plan: Plan): Promise<RaceServer> {
  const log: string[] = [];
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    const connection = ++connections;
    let requests = 0;
    let buffered = "";
    socket.on("data", (chunk) => {
      buffered += chunk.toString("latin1");
      let end: number;
      while ((end = buffered.indexOf("\r\n\r\n")) >= 0) {
        buffered = buffered.slice(end + 4);
        const request = ++requests;
        const what = plan(connection, request);
        log.push(`c${connection}r${request} ${what}`);
        if (what === "close") {
          socket.destroy(); // what a keep-alive timeout does: close, no answer
          return;
        }
        const body = JSON.stringify({ kind: "Pod", apiVersion: "v1", metadata: { name: `answer-${connection}-${request}` } });
        socket.write(
          `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
            `connection: keep-alive\r\nkeep-alive: timeout=5\r\n\r\n${body}`,
        );
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  const handle: RaceServer = {
    url: `http://127.0.0.1:${port}`,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  servers.push(handle);
  return handle;
}

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error("expected the call to fail, it succeeded"),
    (err: unknown) => err,
  );
}

type Named = { metadata: { name: string } };
const nameOf = (o: Named) => o.metadata.name;

describe("04.1 keep-alive", () => {
  it("a request on a pooled connection that the server just closed is sent again, once, on a new connection", async () => {
    // every connection answers its first request and closes on the second
    const server = await raceServer((_, request) => (request === 1 ? "answer" : "close"));
    const client = new RestClient({ server: server.url });
    expect(nameOf(await client.request<Named>("GET", "/api/v1/namespaces/default/pods/a"))).toBe("answer-1-1");
    // the first request's connection is back in the pool: the second goes out on it
    expect(nameOf(await client.request<Named>("GET", "/api/v1/namespaces/default/pods/b"))).toBe("answer-2-1");
    expect(server.log).toEqual(["c1r1 answer", "c1r2 close", "c2r1 answer"]);
  });

  it("a fresh connection closed without an answer is a ConnectionError, with no retry", async () => {
    const server = await raceServer(() => "close");
    const client = new RestClient({ server: server.url });
    const err = await errorOf(client.request("GET", "/api/v1/namespaces/default/pods/a"));
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as ConnectionError).errno).toBe("ECONNRESET");
    expect((err as Error).message).toMatch(/^Unable to connect to the server 127\.0\.0\.1:\d+: /);
    // a new connection that fails says something real about the server: sending again would hide it
    expect(server.log).toEqual(["c1r1 close"]);
  });

  it("the retry happens once: a second close in a row is a ConnectionError", async () => {
    // the first connection answers once then closes; every later connection closes at once
    const server = await raceServer((connection, request) => (connection === 1 && request === 1 ? "answer" : "close"));
    const client = new RestClient({ server: server.url });
    await client.request("GET", "/api/v1/namespaces/default/pods/a");
    const err = await errorOf(client.request("GET", "/api/v1/namespaces/default/pods/b"));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(server.log).toEqual(["c1r1 answer", "c1r2 close", "c2r1 close"]);
  });
});

/** An HTTP server on loopback that answers every GET at once, or holds a watch open; it counts its connections. */
async function countingServer(): Promise<{ url: string; connections: () => number; close(): Promise<void> }> {
  let connections = 0;
  const server = http.createServer((req, res) => {
    if (req.url?.includes("watch=1")) {
      res.writeHead(200, { "content-type": "application/json" });
      res.flushHeaders(); // an open stream: no event yet, no end
      return;
    }
    const body = JSON.stringify({ kind: "Pod", apiVersion: "v1", metadata: { name: "answer" } });
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  });
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  const handle = {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(handle);
  return handle;
}

describe("04.1 connections", () => {
  it("a burst of requests shares at most MAX_SOCKETS connections, and every request is answered", async () => {
    const server = await countingServer();
    const client = new RestClient({ server: server.url });
    const burst = Array.from({ length: MAX_SOCKETS + 50 }, (_, i) =>
      client.request<Named>("GET", `/api/v1/namespaces/default/pods/p${i}`),
    );
    const answers = await Promise.all(burst);
    expect(answers.map(nameOf)).toEqual(burst.map(() => "answer"));
    // without a limit, every request of the burst opens its own connection
    expect(server.connections()).toBe(MAX_SOCKETS);
  });

  it("watches get connections outside the limit: with more watches open than MAX_SOCKETS, a short request is still answered", async () => {
    const server = await countingServer();
    const client = new RestClient({ server: server.url });
    const stops = Array.from({ length: MAX_SOCKETS + 1 }, () => new AbortController());
    try {
      const watches = await Promise.all(
        stops.map((stop) =>
          client.send("GET", "/api/v1/namespaces/default/pods", { query: { watch: true }, signal: stop.signal }),
        ),
      );
      expect(watches.every((res) => res.ok)).toBe(true);
      // if the watches held every pooled connection, this request would wait for ever
      const answer = await client.request<Named>("GET", "/api/v1/namespaces/default/pods/a", {
        signal: AbortSignal.timeout(20_000),
      });
      expect(nameOf(answer)).toBe("answer");
    } finally {
      for (const stop of stops) stop.abort();
    }
  });
});
