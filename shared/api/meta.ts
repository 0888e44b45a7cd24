/**
 * The object model every Kubernetes API object shares (the "meta/v1" types):
 * TypeMeta says what an object is, ObjectMeta who it is, ListMeta and the
 * List wrapper carry collections, Status carries errors, WatchEvent carries
 * changes, Table carries what `kubectl get` prints.
 *
 * Shapes and optional fields follow Kubernetes, so real manifests and the
 * real kubectl work against them.
 */

/** apiVersion + kind: which schema an object follows ("v1", "Pod"). */
export interface TypeMeta {
  apiVersion?: string;
  kind?: string;
}

/** Points from a dependent object to the object that owns it (used by garbage collection). */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/**
 * The metadata every persisted object has. The user sets name (or
 * generateName), namespace, labels and annotations; the apiserver sets uid,
 * resourceVersion, generation, creationTimestamp and the deletion fields.
 */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  /** Opaque to clients: the store revision of the object's last write. */
  resourceVersion?: string;
  /** Incremented by the apiserver on every change of the desired state (spec). */
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  selfLink?: string;
  managedFields?: unknown[];
}

/** Any API object: TypeMeta plus metadata. Kinds extend it with spec/status. */
export interface KubeObject extends TypeMeta {
  metadata?: ObjectMeta;
}

export interface ListMeta {
  /** The store revision at which the list was read: watch from here to see every later change. */
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
  selfLink?: string;
}

/** A collection, e.g. PodList: { kind: "PodList", apiVersion: "v1", metadata, items }. */
export interface List<T = KubeObject> extends TypeMeta {
  metadata: ListMeta;
  items: T[];
}

/** The machine-readable reasons of a failed request, as Kubernetes names them. */
export type StatusReason =
  | ""
  | "BadRequest"
  | "Unauthorized"
  | "Forbidden"
  | "NotFound"
  | "AlreadyExists"
  | "Conflict"
  | "Gone"
  | "Expired"
  | "Invalid"
  | "MethodNotAllowed"
  | "NotAcceptable"
  | "RequestEntityTooLarge"
  | "UnsupportedMediaType"
  | "TooManyRequests"
  | "InternalError"
  | "ServiceUnavailable"
  | "Timeout";

/** One reason an object failed (usually one invalid field). */
export interface StatusCause {
  /** e.g. "FieldValueRequired", "FieldValueInvalid". */
  reason?: string;
  message?: string;
  /** The field path, e.g. "spec.containers[0].image". */
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  /** For most errors the resource (plural, "pods"); for Invalid the kind ("Pod"). */
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** The body of every error response (and of some successful deletes). */
export interface Status extends TypeMeta {
  kind?: "Status";
  metadata: ListMeta;
  status: "Success" | "Failure";
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  /** The HTTP status code. */
  code: number;
}

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

/** One line of a watch stream. For ERROR the object is a Status. */
export interface WatchEvent<T = KubeObject> {
  type: WatchEventType;
  object: T | Status;
}

/** The body a client may send with DELETE. */
export interface DeleteOptions extends TypeMeta {
  /** Seconds the object gets to shut down; 0 = delete at once. */
  gracePeriodSeconds?: number;
  /** The delete only happens if the object still has this uid / resourceVersion. */
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  orphanDependents?: boolean;
  dryRun?: string[];
}

/** A column of a Table. `priority` > 0 columns appear only with `kubectl get -o wide`. */
export interface TableColumnDefinition {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  format: string;
  description: string;
  priority: number;
}

export interface TableRow {
  cells: unknown[];
  /** The object of the row: PartialObjectMetadata by default, the full object with includeObject=Object. */
  object?: unknown;
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
}

/** What the apiserver answers when a client (kubectl get) asks for `as=Table`. */
export interface Table extends TypeMeta {
  metadata: ListMeta;
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

/** Only the metadata of an object (the row objects of a Table). */
export interface PartialObjectMetadata extends TypeMeta {
  metadata: ObjectMeta;
}

// ---- discovery ----------------------------------------------------------------

export interface APIVersions extends TypeMeta {
  versions: string[];
  serverAddressByClientCIDRs: { clientCIDR: string; serverAddress: string }[];
}

export interface GroupVersionForDiscovery {
  groupVersion: string;
  version: string;
}

export interface APIGroup extends TypeMeta {
  name: string;
  versions: GroupVersionForDiscovery[];
  preferredVersion: GroupVersionForDiscovery;
}

export interface APIGroupList extends TypeMeta {
  groups: APIGroup[];
}

export interface APIResource {
  /** The plural, or "plural/subresource". */
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
}

export interface APIResourceList extends TypeMeta {
  groupVersion: string;
  resources: APIResource[];
}

/** The answer of /version. */
export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}
