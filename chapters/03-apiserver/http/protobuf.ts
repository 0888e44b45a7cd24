/**
 * Protobuf request bodies (Content-Type: application/vnd.kubernetes.protobuf).
 *
 * The real kubectl's typed clients (`kubectl create namespace`, `create
 * secret`, `create configmap`, `auth can-i`, `auth whoami`) send built-in
 * objects as protobuf, not JSON: it is smaller and faster to encode and decode.
 * This file turns such a body into the JSON object the rest of the server
 * already handles. The answer stays JSON (clients accept it).
 *
 *   "k8s\0" + runtime.Unknown { 1 typeMeta { 1 apiVersion, 2 kind }, 2 raw, 3 contentEncoding, 4 contentType }
 *                                                             |
 *                       raw = the object's message, e.g. Namespace { 1 metadata, 2 spec, 3 status }
 *
 * The wire format: each field is a key (field number << 3 | wire type) then
 * its value; wire type 0 is a varint, 2 is a length and that many bytes
 * (strings, bytes, nested messages, map entries). The messages below are
 * written from the field numbers of Kubernetes' generated.proto files; each
 * resource that accepts protobuf carries its message (ResourceDefinition.protobuf).
 * Anything we cannot read (a cut-off body, another envelope, a field we do
 * not know) is a 400 Bad Request, never a crash.
 */
import { badRequest } from "../../../shared/api/index.ts";

export const PROTOBUF_CONTENT_TYPE = "application/vnd.kubernetes.protobuf";

/** The 4 bytes before every Kubernetes protobuf object. */
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

/** How a field's value is read. */
export type FieldType =
  | "string"
  | "bytes" // base64 in JSON, as Secret.data
  | "bool"
  | "int64"
  | "time" // a metav1.Time message, RFC 3339 in JSON
  | "quantity" // a resource.Quantity message { 1 string }, a string in JSON ("500m")
  | { message: Message }
  | { map: "string" | "bytes" | "quantity" }; // map<string, ...>: repeated entries { 1 key, 2 value }

/** A message: field number -> [JSON name, type, repeated?]. */
export type Message = Record<number, readonly [string, FieldType, "repeated"?]>;

const Time: Message = { 1: ["seconds", "int64"], 2: ["nanos", "int64"] };
const OwnerReference: Message = {
  1: ["kind", "string"],
  3: ["name", "string"],
  4: ["uid", "string"],
  5: ["apiVersion", "string"],
  6: ["controller", "bool"],
  7: ["blockOwnerDeletion", "bool"],
};
export const ObjectMeta: Message = {
  1: ["name", "string"],
  2: ["generateName", "string"],
  3: ["namespace", "string"],
  4: ["selfLink", "string"],
  5: ["uid", "string"],
  6: ["resourceVersion", "string"],
  7: ["generation", "int64"],
  8: ["creationTimestamp", "time"],
  9: ["deletionTimestamp", "time"],
  10: ["deletionGracePeriodSeconds", "int64"],
  11: ["labels", { map: "string" }],
  12: ["annotations", { map: "string" }],
  13: ["ownerReferences", { message: OwnerReference }, "repeated"],
  14: ["finalizers", "string", "repeated"],
};

/** `metadata` is field 1 of every top-level kind. */
export const metadataField = ["metadata", { message: ObjectMeta }] as const;

/** Namespace { 1 metadata, 2 spec { 1 finalizers }, 3 status { 1 phase } }: `kubectl create namespace`. */
export const NamespaceMessage: Message = {
  1: metadataField,
  2: ["spec", { message: { 1: ["finalizers", "string", "repeated"] } }],
  3: ["status", { message: { 1: ["phase", "string"] } }],
};

/** What a resource expects in a protobuf body: its kind, and the message of that kind (ResourceDefinition.protobuf). */
export interface ProtobufKind {
  apiVersion: string;
  kind: string;
  message: Message;
}

const Unknown: Message = {
  1: ["typeMeta", { message: { 1: ["apiVersion", "string"], 2: ["kind", "string"] } }],
  2: ["raw", "bytes"],
  3: ["contentEncoding", "string"],
  4: ["contentType", "string"],
};

/** Decodes a protobuf request body into the JSON form of the object the resource expects. */
export function decodeProtobufBody(body: Buffer, expected: ProtobufKind): Record<string, unknown> {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw badRequest(
      'the protobuf body does not start with the "k8s\\0" envelope; send JSON (Content-Type: application/json) instead',
    );
  }
  const envelope = decodeMessage(body.subarray(MAGIC.length), Unknown, "Unknown", 0, true);
  const typeMeta = (envelope.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  if (envelope.contentEncoding)
    throw badRequest(
      `the protobuf body has contentEncoding "${String(envelope.contentEncoding)}"; only unencoded bodies are read`,
    );
  if (typeMeta.apiVersion !== expected.apiVersion || typeMeta.kind !== expected.kind) {
    throw badRequest(
      `the protobuf body holds ${typeMeta.kind || "no kind"} (${typeMeta.apiVersion || "no apiVersion"}), expected ${expected.kind} (${expected.apiVersion})`,
    );
  }
  const raw = envelope.raw === undefined ? Buffer.alloc(0) : Buffer.from(envelope.raw as string, "base64");
  return {
    apiVersion: expected.apiVersion,
    kind: expected.kind,
    ...decodeMessage(raw, expected.message, expected.kind, 0, false),
  };
}

/** Reads one message. `keepEmpty` keeps zero values (the envelope); objects drop them, as Go's JSON omitempty does. */
function decodeMessage(buf: Buffer, message: Message, path: string, depth: number, keepEmpty: boolean): Record<string, unknown> {
  if (depth > 32) throw badRequest("the protobuf body is nested too deeply");
  const out: Record<string, unknown> = {};
  const reader = new Reader(buf, path);
  while (!reader.done()) {
    const key = reader.varint();
    const number = Math.floor(key / 8);
    const wireType = key % 8;
    const field = message[number];
    if (!field) throw badRequest(`${path}: unknown field number ${number} in the protobuf body`);
    const [name, type, repeated] = field;
    const where = `${path}.${name}`;
    const value = readValue(reader, type, wireType, where, depth);
    if (repeated) ((out[name] ??= []) as unknown[]).push(value);
    else if (typeof type === "object" && "map" in type) {
      const [k, v] = value as [string, unknown];
      (out[name] ??= {}) as Record<string, unknown>;
      (out[name] as Record<string, unknown>)[k] = v;
    } else out[name] = value;
  }
  if (!keepEmpty) {
    for (const [k, v] of Object.entries(out)) {
      const empty =
        v === "" ||
        v === 0 ||
        v === false ||
        v === undefined ||
        (typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 0 && !isMapField(message, k));
      if (empty) delete out[k];
    }
  }
  return out;
}

function isMapField(message: Message, name: string): boolean {
  return Object.values(message).some(([n, t]) => n === name && typeof t === "object" && "map" in t);
}

function readValue(reader: Reader, type: FieldType, wireType: number, where: string, depth: number): unknown {
  const expect = (wanted: number) => {
    if (wireType !== wanted) throw badRequest(`${where}: wire type ${wireType} in the protobuf body, expected ${wanted}`);
  };
  if (type === "bool") {
    expect(0);
    return reader.varint() !== 0;
  }
  if (type === "int64") {
    expect(0);
    return reader.varint();
  }
  expect(2);
  const bytes = reader.bytes();
  if (type === "string") return bytes.toString("utf8");
  if (type === "bytes") return bytes.toString("base64");
  if (type === "time") {
    const t = decodeMessage(bytes, Time, where, depth + 1, false);
    return t.seconds ? new Date(Number(t.seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z") : undefined;
  }
  if (type === "quantity") return decodeMessage(bytes, { 1: ["string", "string"] }, where, depth + 1, true).string ?? "";
  if ("message" in type) return decodeMessage(bytes, type.message, where, depth + 1, false);
  // A map entry: { 1 key (string), 2 value }.
  const entry = decodeMessage(bytes, { 1: ["key", "string"], 2: ["value", type.map] }, where, depth + 1, true);
  return [entry.key ?? "", entry.value ?? ""];
}

/** A cursor over the bytes; every read checks the length first. */
class Reader {
  private pos = 0;
  constructor(
    private readonly buf: Buffer,
    private readonly path: string,
  ) {}
  done(): boolean {
    return this.pos >= this.buf.length;
  }
  /** A varint: 7 bits per byte, low bits first; the top bit says "more follows". */
  varint(): number {
    let result = 0;
    for (let shift = 0; shift < 64; shift += 7) {
      if (this.pos >= this.buf.length) throw badRequest(`${this.path}: the protobuf body ends inside a number (cut off?)`);
      const byte = this.buf[this.pos++]!;
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) {
        if (!Number.isSafeInteger(result)) throw badRequest(`${this.path}: a number in the protobuf body is too large`);
        return result;
      }
    }
    throw badRequest(`${this.path}: a number in the protobuf body is longer than 10 bytes`);
  }
  bytes(): Buffer {
    const length = this.varint();
    if (this.pos + length > this.buf.length)
      throw badRequest(`${this.path}: the protobuf body ends before a field of ${length} bytes (cut off?)`);
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }
}
