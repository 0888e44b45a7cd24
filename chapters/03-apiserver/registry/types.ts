/**
 * What the apiserver knows about a kind of object: a ResourceDefinition.
 *
 * The real apiserver has the same idea (pkg/registry/core/pod/strategy.go and
 * friends): a generic store does create/get/list/update/delete for every
 * resource, and each resource plugs in a "strategy" for what differs: its
 * defaults, its validation, what a status write may change, what DELETE means.
 * A chapter that adds a resource writes one definition and registers it.
 */
import type { Request, Response } from "express";
import type { DeleteOptions, FieldError, KubeObject, TableColumnDefinition } from "../../../shared/api/index.ts";
import type { Schema } from "../../../shared/api/schema/types.ts";
import type { UserInfo } from "../chain/types.ts";
import type { Message, ProtobufKind } from "../http/protobuf.ts";

/** Any API object as the server handles it: TypeMeta, metadata and free-form fields (spec, status, data...). */
export type ApiObject = KubeObject & Record<string, unknown>;

export type Scope = "Namespaced" | "Cluster";

/** The verbs of the Kubernetes API (what discovery lists and what authorization checks). */
export type Verb = "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "deletecollection";

export const ALL_VERBS: readonly Verb[] = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

/** The per-resource behaviour of create, update and delete. Every hook is optional. */
export interface ResourceStrategy {
  /** Fills in default values (restartPolicy: Always...). Runs on create and on every update. */
  defaults?(obj: ApiObject): void;
  /** Adjusts a new object before validation (e.g. a new pod's status starts as Pending). */
  prepareForCreate?(obj: ApiObject): void;
  /** Adjusts an updated object before validation. `old` is what is stored now. */
  prepareForUpdate?(obj: ApiObject, old: ApiObject): void;
  /** Checks an object; every problem is a FieldError with a path. */
  validate?(obj: ApiObject): FieldError[];
  /** Extra checks on update (immutable fields...). */
  validateUpdate?(obj: ApiObject, old: ApiObject): FieldError[];
  /**
   * Graceful deletion: how many seconds the object gets before it is removed
   * (the pod's containers get SIGTERM, then SIGKILL). 0 removes it at once.
   */
  gracePeriodSeconds?(obj: ApiObject, options: DeleteOptions): number;
  /**
   * Called on DELETE of an object with no finalizers before it is removed. Return an
   * object to store instead of removing it (a namespace becomes Terminating and is
   * removed later), or undefined to go on with the delete. Throw an ApiError to refuse.
   */
  beforeDelete?(obj: ApiObject, options: DeleteOptions): ApiObject | undefined;
  /**
   * Reserves, on create, something that lives outside the object and fills it
   * in (chapter 10: a Service's cluster IP and node ports). Runs after
   * validation and admission, just before the write. Returns how to finish:
   * the apiserver calls finish(false) when the object was not stored after
   * all (its name was taken, a dry run), so the reservation is given back.
   * Throw an ApiError to refuse (422: "provided IP is already allocated").
   */
  beginCreate?(obj: ApiObject): Promise<FinishFunc | void>;
  /** Runs once the object is gone from the store for good: release what beginCreate reserved. */
  afterDelete?(obj: ApiObject): Promise<void>;
}

/** The end of a beginCreate: `stored` says whether the object was written. */
export type FinishFunc = (stored: boolean) => Promise<void>;

/**
 * Turns objects into the rows of a Table for `kubectl get`. Columns with
 * priority > 0 only show with `-o wide`.
 */
export interface TableConvertor {
  columns: TableColumnDefinition[];
  /** One cell per column, in order. */
  cells(obj: ApiObject, now: Date): unknown[];
}

/** What a subresource handler gets: the request, the parent resource and the server's REST layer. */
export interface SubresourceRequest {
  req: Request;
  res: Response;
  verb: Verb;
  resource: ResourceDefinition;
  namespace: string | undefined;
  name: string;
  query: URLSearchParams;
  /** The parsed request body (JSON or YAML), for verbs that carry one. */
  body(): Promise<unknown>;
}

/**
 * A subresource: a path below an object, /api/v1/namespaces/ns/pods/web/{name}.
 * The status subresource is built in (see ResourceDefinition.statusSubresource);
 * binding (03), log (05) and scale (08) are added as Subresources.
 */
export interface Subresource {
  name: string;
  /** The kind it takes or returns, for discovery ("Binding", "Scale"). Default: the parent's kind. */
  kind?: string;
  /**
   * The group and version of that kind when it is not the parent's: the scale
   * subresource of replicationcontrollers speaks autoscaling/v1 Scale, and
   * clients (kubectl scale) learn that from discovery.
   */
  group?: string;
  version?: string;
  /**
   * The kind it reads in a protobuf body (chapter 15: `kubectl create token`
   * sends a TokenRequest as protobuf). Without it such a body is refused.
   */
  protobuf?: ProtobufKind;
  /** Verbs served, for discovery and routing ("create" = POST, "get" = GET, "update" = PUT, "patch" = PATCH). */
  verbs: Verb[];
  /**
   * Serves the request. Return `{ code, body }` to answer with JSON, or
   * undefined when the handler wrote the response itself (a log stream).
   */
  handle(request: SubresourceRequest, api: SubresourceApi): Promise<{ code: number; body: unknown } | undefined>;
}

/** What subresources may use: the generic REST operations (with validation and admission). */
export interface SubresourceApi {
  get(resource: ResourceDefinition, namespace: string | undefined, name: string): Promise<ApiObject>;
  /**
   * Read-modify-write with optimistic concurrency: `mutate` gets the current
   * object and returns the new one; it is retried on a conflict.
   */
  update(
    resource: ResourceDefinition,
    namespace: string | undefined,
    name: string,
    mutate: (current: ApiObject) => ApiObject | Promise<ApiObject>,
  ): Promise<ApiObject>;
  create(resource: ResourceDefinition, namespace: string | undefined, obj: ApiObject): Promise<ApiObject>;
  /**
   * Read-modify-write straight to storage, for fields only the server sets:
   * no strategy, no validation, no admission, no managedFields (Kubernetes'
   * BindingREST writes a pod's nodeName so). `mutate` gets a fresh copy it may
   * change; it is retried on a conflict. Answers 404 when the object is gone.
   */
  updateInStorage(
    resource: ResourceDefinition,
    namespace: string | undefined,
    name: string,
    mutate: (current: ApiObject) => ApiObject,
  ): Promise<ApiObject>;
}

export interface ResourceDefinition {
  /** API group: "" for the core group (/api/v1), e.g. "rbac.authorization.k8s.io" (/apis/...). */
  group: string;
  version: string;
  /** "Pod". Lists are `${kind}List`. */
  kind: string;
  /** The path segment and the name in the store key: "pods". */
  plural: string;
  /** "pod". */
  singular: string;
  /** Short names for kubectl ("po"). */
  shortNames?: string[];
  /** Categories for kubectl ("all" makes `kubectl get all` include it). */
  categories?: string[];
  scope: Scope;
  /** The schema of the kind: published at /openapi/v3 and used to check request bodies. */
  schema: Schema;
  /** A status subresource: the main resource keeps `status`, /status changes only `status`. */
  statusSubresource?: boolean;
  /** Verbs served. Default: all of them. */
  verbs?: readonly Verb[];
  strategy?: ResourceStrategy;
  table?: TableConvertor;
  /** A short description for OpenAPI. */
  description?: string;
  /**
   * A resource that is answered, not stored (Kubernetes: a REST storage that
   * only implements create, as the access reviews of chapter 11 do). POST
   * decodes the body, calls this with the caller, and answers 201 with what it
   * returns; nothing is written. Serve it with verbs: ["create"].
   */
  answer?(obj: ApiObject, request: { user: UserInfo; namespace: string | undefined }): Promise<ApiObject>;
  /**
   * A resource that is read from elsewhere, not from the store (Kubernetes: an
   * aggregated API, which an APIService sends to another server, such as
   * metrics-server for metrics.k8s.io). GET of one object and of a list call
   * these; nothing is stored. Serve it with verbs: ["get", "list"].
   */
  read?: {
    get(namespace: string | undefined, name: string): Promise<ApiObject>;
    list(namespace: string | undefined): Promise<ApiObject[]>;
  };
  /**
   * The kind's protobuf message (field numbers from Kubernetes), for the
   * bodies the real kubectl sends as protobuf. Without it such a body is a 415.
   */
  protobuf?: Message;
  /** Which names are valid. Default: a DNS-1123 subdomain ("web.v1"); namespaces use a DNS-1123 label. */
  nameFormat?: "DNS1123Subdomain" | "DNS1123Label" | "PathSegment";
}
