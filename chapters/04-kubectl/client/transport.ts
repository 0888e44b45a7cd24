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
  headers: Record<string, string>;
  /** Already serialized (JSON text). */
  body?: string;
  /** Aborting closes the connection, also while the body is being read. */
  signal?: AbortSignal;
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

/** Sends requests to one server over a pool of kept-alive connections. */
export class HttpTransport {
  private readonly agent: http.Agent;
  private readonly secure: boolean;

  constructor(server: string) {
    // (no URL parsing here: a bad address is reported by the first request)
    this.secure = server.startsWith("https:");
    const options = { keepAlive: true, timeout: IDLE_SOCKET_TIMEOUT_MS };
    this.agent = this.secure ? new https.Agent(options) : new http.Agent(options);
  }

  /** Resolves when the status line and headers have arrived; rejects if no answer came (Node's error: err.code). */
  request(url: URL, request: HttpRequest): Promise<HttpResponse> {
    return this.attempt(url, request, true);
  }

  private attempt(url: URL, request: HttpRequest, retry: boolean): Promise<HttpResponse> {
    const { method, body, signal } = request;
    const headers = { ...request.headers };
    if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
    return new Promise((resolve, reject) => {
      const send = this.secure ? https.request : http.request;
      const req = send(url, { method, headers, agent: this.agent, signal });
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
          resolve(this.attempt(url, request, false));
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
    headers: res.headers,
    body: res,
    async text() {
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
  };
}
