/**
 * A typed REST client for the Kubernetes API, over HTTP (transport.ts).
 *
 * Every component after this chapter (kubelet, controllers, scheduler, proxy,
 * kubectl) talks to the cluster through this file, never to the store: the
 * apiserver is the only door. The API is plain HTTP + JSON:
 *
 *   GET    /api/v1/namespaces/{ns}/pods          list
 *   GET    /api/v1/namespaces/{ns}/pods?watch=1  watch (see watch.ts)
 *   POST   /api/v1/namespaces/{ns}/pods          create
 *   GET    /api/v1/namespaces/{ns}/pods/{name}   get
 *   PUT    /api/v1/namespaces/{ns}/pods/{name}   update (409 if resourceVersion is stale)
 *   PATCH  /api/v1/namespaces/{ns}/pods/{name}   patch (merge patch)
 *   DELETE /api/v1/namespaces/{ns}/pods/{name}   delete
 *
 * Cluster-scoped resources (nodes, namespaces) have no /namespaces/{ns} part.
 * When something goes wrong the server answers a `Status` object; this client
 * turns it into an ApiError that keeps the Status (reason, code, message).
 */
import { ApiError } from "../../../shared/api/errors.ts";
import type { KubeObject, List, Status, StatusReason } from "../../../shared/api/meta.ts";
import { HttpTransport, type HttpResponse } from "./transport.ts";

export type { HttpResponse } from "./transport.ts";

// The same error class the apiserver throws: `err.status` is the Status,
// `err.code` its HTTP code, `err.reason` its reason ("NotFound", "Conflict"...).
export { ApiError, isApiError } from "../../../shared/api/errors.ts";

/** Where the cluster is and who we are. */
export interface ClientConfig {
  /** e.g. "http://127.0.0.1:6443" */
  server: string;
  /** A bearer token, sent as "Authorization: Bearer <token>" (chapter 11). */
  token?: string;
}

/** Which resource a request is about, the way the API names it. */
export interface ResourceType {
  /** "" for the core group (paths under /api/v1), else e.g. "apps" (paths under /apis/apps/v1). */
  group: string;
  version: string;
  /** The plural, lower-case name used in paths: "pods". */
  resource: string;
  /** The kind of its objects: "Pod". */
  kind: string;
  /** Namespaced (pods) or cluster-scoped (nodes, namespaces). */
  namespaced: boolean;
}

/** The server could not be reached at all (nothing listens, DNS, reset...). */
export class ConnectionError extends Error {
  override readonly name = "ConnectionError";
  constructor(
    message: string,
    readonly server: string,
    readonly errno?: string,
  ) {
    super(message);
  }
}

/** The reason Kubernetes uses for an HTTP code, for answers that are not a Status. */
const REASONS: Record<number, StatusReason> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  406: "NotAcceptable",
  409: "Conflict",
  410: "Gone",
  415: "UnsupportedMediaType",
  422: "Invalid",
  429: "TooManyRequests",
  500: "InternalError",
  503: "ServiceUnavailable",
  504: "Timeout",
};

/** Query parameters the list, watch and write calls understand. */
export interface Query {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  watch?: boolean;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  fieldValidation?: "Strict" | "Warn" | "Ignore";
  [param: string]: string | number | boolean | undefined;
}

export interface RequestOptions {
  query?: Query;
  /** Sent as JSON. */
  body?: unknown;
  /** Content-Type of the body; default application/json. */
  contentType?: string;
  /** Accept header; default application/json. */
  accept?: string;
  signal?: AbortSignal;
}

/** Builds the path of a resource: collection, one object, or a subresource. */
export function resourcePath(
  type: ResourceType,
  where: { namespace?: string; name?: string; subresource?: string } = {},
): string {
  let path = type.group === "" ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`;
  if (type.namespaced && where.namespace) path += `/namespaces/${encodeURIComponent(where.namespace)}`;
  path += `/${type.resource}`;
  if (where.name !== undefined) path += `/${encodeURIComponent(where.name)}`;
  if (where.subresource) path += `/${where.subresource}`;
  return path;
}

export class RestClient {
  readonly server: string;
  /** Its own pool of kept-alive connections to the server. */
  private readonly transport: HttpTransport;
  constructor(readonly config: ClientConfig) {
    this.server = config.server.replace(/\/+$/, "");
    this.transport = new HttpTransport(this.server);
  }

  /**
   * Sends one request and returns the parsed JSON answer. Throws ApiError
   * when the server answers an error, ConnectionError when it cannot be
   * reached. `send()` is the same without reading the body (for streams).
   */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    // STEP(04.1): the parsed JSON answer of a request. Some answers have an empty
    // body (a DELETE may): that is not an error.
    // Tests: "04.1 REST client > creates, gets, lists, updates, patches and deletes pods".
    //#solution
    const res = await this.send(method, path, options);
    const text = await res.text();
    if (text.trim() === "") return undefined as T;
    return JSON.parse(text) as T;
    //#end
  }

  /** Sends a request; returns a 2xx answer with its body unread, else throws ApiError or ConnectionError. */
  async send(method: string, path: string, options: RequestOptions = {}): Promise<HttpResponse> {
    const target = withQuery(path, options.query);
    const longRunning = isLongRunning(path, options.query);
    const headers: Record<string, string> = { accept: options.accept ?? "application/json" };
    if (this.config.token) headers.authorization = `Bearer ${this.config.token}`;
    if (options.body !== undefined) headers["content-type"] = options.contentType ?? "application/json";

    // STEP(04.1): send it with this.transport (transport.ts; target, headers and
    // longRunning are ready above). Every caller must be able to tell "no answer
    // at all" (a ConnectionError: nothing listens, connection reset) from "the
    // server said no" (an ApiError carrying the server's Status). A server that
    // answers a non-2xx without a Status (plain text, HTML, a proxy) still gives
    // an ApiError. A watch must not hold one of the pool's few connections.
    // Tests: "04.1 REST client > turns error answers into ApiError with the server's Status",
    // "04.1 REST client > reports an unreachable server as a ConnectionError naming host and port",
    // "04.1 keep-alive > ...", "04.1 connections > ..." (test/04-transport.unit.test.ts).
    //#solution
    let res: HttpResponse;
    try {
      res = await this.transport.request({
        method,
        target,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal,
        longRunning,
      });
    } catch (err) {
      if (options.signal?.aborted) throw err;
      throw connectionError(this.server, err);
    }
    if (res.ok) return res;
    throw new ApiError(await readStatus(res));
    //#end
  }

  /** A client for one resource type, e.g. `client.resource<Pod>(PODS)`. */
  resource<T extends KubeObject>(type: ResourceType): ResourceClient<T> {
    return new ResourceClient<T>(this, type);
  }
}

/**
 * The path with the query's parameters after it, encoded:
 * "/api/v1/pods?watch=1&labelSelector=app%3Dweb". A plain string: a URL
 * object and its searchParams per request cost more than the request's
 * own headers.
 */
export function withQuery(path: string, query: Query = {}): string {
  let target = path;
  let separator = path.includes("?") ? "&" : "?";
  for (const key in query) {
    const value = query[key];
    if (value === undefined) continue;
    target += `${separator}${encodeURIComponent(key)}=${encodeURIComponent(value === true ? 1 : value)}`;
    separator = "&";
  }
  return target;
}

/**
 * A request whose answer lasts as long as the server sends: a watch, or a
 * pod's log, exec, attach, port-forward or proxy subresource.
 * kube-apiserver sorts requests the same way (its long-running request
 * check), to leave them out of its limit on requests in flight.
 */
export function isLongRunning(path: string, query: Query = {}): boolean {
  if (query.watch === true || query.follow === true) return true;
  return /\/(log|exec|attach|portforward|proxy)(\/|$|\?)/.test(path);
}

/** Reads an error answer as a Status, whatever the server sent. */
export async function readStatus(res: HttpResponse): Promise<Status> {
  const text = await res.text().catch(() => "");
  try {
    const body = JSON.parse(text) as Status;
    if (body && body.kind === "Status") return { ...body, metadata: body.metadata ?? {}, code: body.code ?? res.status };
  } catch {
    // not JSON: fall through
  }
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    code: res.status,
    reason: REASONS[res.status] ?? "",
    message: text.trim() || `the server answered ${res.status} ${res.statusText}`,
  };
}

/**
 * Turns a request that got no answer into the one-line message kubectl prints
 * for it. Node names the failure in err.code: ECONNREFUSED (nothing listens),
 * ECONNRESET, ENOTFOUND (no such host)...
 */
export function connectionError(server: string, err: unknown): ConnectionError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const host = new URL(server).host;
  if (code === "ECONNREFUSED") {
    return new ConnectionError(
      `The connection to the server ${host} was refused - did you specify the right host or port?`,
      server,
      code,
    );
  }
  // (an AggregateError of several addresses may have an empty message)
  const why = (err instanceof Error ? err.message : String(err)) || code || "no answer";
  return new ConnectionError(`Unable to connect to the server ${host}: ${why}`, server, code);
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
}

/**
 * The verbs of one resource type. `namespace` is ignored for cluster-scoped
 * resources; for namespaced ones, list without a namespace lists all of them.
 */
export class ResourceClient<T extends KubeObject> {
  constructor(
    readonly rest: RestClient,
    readonly type: ResourceType,
  ) {}

  path(namespace?: string, name?: string, subresource?: string): string {
    return resourcePath(this.type, { namespace, name, subresource });
  }

  list(namespace?: string, options: ListOptions = {}): Promise<List<T>> {
    return this.rest.request<List<T>>("GET", this.path(namespace), { query: { ...options } });
  }

  get(name: string, namespace?: string): Promise<T> {
    return this.rest.request<T>("GET", this.path(namespace, name));
  }

  create(object: T, namespace?: string): Promise<T> {
    return this.rest.request<T>("POST", this.path(namespace ?? object.metadata?.namespace), { body: object });
  }

  /** Replaces the object; the server answers 409 Conflict if metadata.resourceVersion is stale. */
  update(object: T): Promise<T> {
    const { name, namespace } = object.metadata ?? {};
    return this.rest.request<T>("PUT", this.path(namespace, name), { body: object });
  }

  /** Writes the status subresource (what kubelets and controllers report). */
  updateStatus(object: T): Promise<T> {
    const { name, namespace } = object.metadata ?? {};
    return this.rest.request<T>("PUT", this.path(namespace, name, "status"), { body: object });
  }

  /** A JSON merge patch (RFC 7386): fields set to null are removed. */
  patch(name: string, patch: unknown, namespace?: string): Promise<T> {
    return this.rest.request<T>("PATCH", this.path(namespace, name), {
      body: patch,
      contentType: "application/merge-patch+json",
    });
  }

  /** Deletes the object; answers what the server answered (the object or a Status). */
  delete(name: string, namespace?: string): Promise<T | Status> {
    return this.rest.request<T | Status>("DELETE", this.path(namespace, name));
  }
}
