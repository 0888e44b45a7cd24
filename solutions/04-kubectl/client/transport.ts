/**
 * The HTTP layer under RestClient (given): node:http with a pool of kept-alive
 * connections.
 *
 * Why not fetch? Every component after this chapter sends all its requests
 * through RestClient. fetch (undici, with WHATWG streams) spends about three
 * times the CPU of node:http on a small JSON request (bench/client-cpu.ts).
 * On a laptop that runs the whole cluster, that CPU is taken from the
 * apiserver. client-go works the same way: Go's http.Transport keeps a pool
 * of idle connections that the next request reuses.
 *
 * An answer is an HttpResponse: status, headers, `text()` for a JSON answer,
 * and `body`, the raw bytes as they arrive (a watch or `kubectl logs` reads
 * it chunk by chunk, for as long as the server sends).
 */
import http from "node:http";
import https from "node:https";

/** One answer of the server, before its body is read. */
export interface HttpResponse {
  /** The HTTP status code: 200, 404... */
  readonly status: number;
  /** Its text: "OK", "Not Found"... */
  readonly statusText: string;
  /** A 2xx status. */
  readonly ok: boolean;
  /** Header names are lower case. */
  readonly headers: http.IncomingHttpHeaders;
  /** The body as it arrives. Read it (or break out of the loop): an unread body holds its connection. */
  readonly body: AsyncIterable<Uint8Array>;
  /** The whole body as UTF-8 text. */
  text(): Promise<string>;
}

export interface HttpRequest {
  method: string;
  /**
   * What follows the server's address: the path and the query,
   * "/api/v1/pods?watch=1". HTTP calls this the request target.
   */
  target: string;
  headers: Record<string, string>;
  /** Already serialized (JSON text). */
  body?: string;
  /** Aborting closes the connection, also while the body is being read. */
  signal?: AbortSignal;
  /**
   * The answer lasts as long as the server sends (a watch, `logs -f`). Such
   * a request gets a connection outside the pool's limit (MAX_SOCKETS), so
   * that long answers cannot hold every pooled connection and block the
   * short requests behind them.
   */
  longRunning?: boolean;
}

/**
 * Idle connections are closed after this long. The apiserver closes an idle
 * connection after 5 s (Node's default keepAliveTimeout; kube-apiserver
 * uses 90 s). The client must let go first: a request sent on a connection
 * that the server is closing at the same moment fails. The margin covers
 * timers that fire late on a busy machine; the retry below covers the rest.
 * (Without a timeout, Node's Agent keeps an idle connection for ever: it
 * reads the server's "Keep-Alive: timeout=5" only to shorten its own.)
 * Idle pooled connections never keep the process alive (the Agent unrefs them).
 */
const IDLE_SOCKET_TIMEOUT_MS = 3_000;

/**
 * Short requests in flight at most, one per connection (HTTP/1.1 sends the
 * next request on a connection only after the last answer). More wait in
 * the client, in order, for the next free connection. Without a limit, a
 * burst of 512 bindings opened 512 connections, and after the burst Node's
 * Agent closed all but 256 of them (its maxFreeSockets): the next burst paid
 * for new connections again. Below 256, every connection opened stays open
 * until it has been idle for IDLE_SOCKET_TIMEOUT_MS. 250 is what client-go
 * gets from kube-apiserver: over HTTP/2 (its usual protocol) its requests
 * share one connection, on which the apiserver allows 250 streams at once.
 */
export const MAX_SOCKETS = 250;

/** Sends requests to one server over a pool of kept-alive connections. */
export class HttpTransport {
  /** Short requests: at most MAX_SOCKETS connections. */
  private readonly pool: http.Agent;
  /** Long-running requests (watches, followed logs): one connection each, no limit. */
  private readonly streams: http.Agent;
  private readonly secure: boolean;
  /** Where every request goes: parsed once here, not once per request. */
  private readonly hostname: string;
  private readonly port: string;
  /** A path the server's address has before the API's paths ("" for most). */
  private readonly basePath: string;
  /** Why the server's address is not a URL; the first request reports it. */
  private readonly invalid: Error | undefined;

  constructor(server: string) {
    let url: URL | undefined;
    try {
      url = new URL(server);
    } catch (err) {
      this.invalid = err as Error;
    }
    this.secure = url?.protocol === "https:";
    // "[::1]" in a URL is the host "::1"
    this.hostname = url?.hostname.replace(/^\[|\]$/g, "") ?? "";
    this.port = url?.port || (this.secure ? "443" : "80");
    this.basePath = url?.pathname.replace(/\/+$/, "") ?? "";
    const Agent = this.secure ? https.Agent : http.Agent;
    this.pool = new Agent({ keepAlive: true, timeout: IDLE_SOCKET_TIMEOUT_MS, maxSockets: MAX_SOCKETS });
    this.streams = new Agent({ keepAlive: true, timeout: IDLE_SOCKET_TIMEOUT_MS });
  }

  /** Resolves when the status line and headers have arrived; rejects if no answer came (Node's error: err.code). */
  request(request: HttpRequest): Promise<HttpResponse> {
    if (this.invalid) return Promise.reject(this.invalid);
    return this.attempt(request, true);
  }

  private attempt(request: HttpRequest, retry: boolean): Promise<HttpResponse> {
    const { method, target, body, signal } = request;
    // The caller's headers object is ours for this request (RestClient builds a fresh one).
    const headers = request.headers;
    if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
    return new Promise((resolve, reject) => {
      const send = this.secure ? https.request : http.request;
      const agent = request.longRunning ? this.streams : this.pool;
      const req = send({
        hostname: this.hostname,
        port: this.port,
        path: this.basePath + target,
        method,
        headers,
        agent,
        signal,
      });
      let answered = false;
      req.on("response", (res) => {
        answered = true;
        resolve(httpResponse(res));
      });
      req.on("error", (err: NodeJS.ErrnoException) => {
        // After the headers, an error reaches the reader of the body instead.
        if (answered) return;
        // The keep-alive race: the server closed this idle connection just as
        // our request went out on it, so it never read the request. Node's
        // documented answer (http.ClientRequest reusedSocket): send it again,
        // once, on a new connection. A fresh connection that fails is a real
        // failure, and is not retried.
        if (retry && req.reusedSocket && err.code === "ECONNRESET" && !signal?.aborted) {
          resolve(this.attempt(request, false));
          return;
        }
        reject(err);
      });
      req.end(body);
    });
  }
}

function httpResponse(res: http.IncomingMessage): HttpResponse {
  const status = res.statusCode ?? 0;
  return {
    status,
    statusText: res.statusMessage ?? "",
    ok: status >= 200 && status < 300,
    // A getter: Node builds the headers object only when someone reads it,
    // and most callers never do.
    get headers() {
      return res.headers;
    },
    body: res,
    text() {
      // The 'data' and 'end' events, not `for await`: the async iterator
      // costs a promise and a few objects per chunk, on every answer.
      return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve(chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8")));
        res.on("error", reject);
      });
    },
  };
}
