/**
 * Request bodies: read with a size limit, parsed as JSON or YAML.
 *
 * The limit protects the server: Kubernetes refuses bodies over 3 MiB with
 * 413 RequestEntityTooLarge before trying to parse them.
 */
import type { IncomingMessage } from "node:http";
import { parse as parseYaml } from "yaml";
import { badRequest, isObject, requestEntityTooLarge, unsupportedMediaType } from "../../../shared/api/index.ts";
import { decodeProtobufBody, PROTOBUF_CONTENT_TYPE, type ProtobufKind } from "./protobuf.ts";

/** Kubernetes' default limit of a request body: 3 MiB. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Object bodies: JSON, YAML, and protobuf (what the real kubectl's typed clients send; see protobuf.ts). */
export const OBJECT_CONTENT_TYPES = ["application/json", "application/yaml", PROTOBUF_CONTENT_TYPE];

/** The media type of a Content-Type header, without parameters, lower case. */
export function mediaType(header: string | undefined): string {
  return (header ?? "").split(";")[0]!.trim().toLowerCase();
}

/** Reads the whole body. Over the limit: drains the rest (so the client sees the answer) and throws 413. */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? "0");
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number.isFinite(declared) && declared > limit;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    req.on("end", () => {
      if (tooLarge) reject(requestEntityTooLarge(`Request entity too large: limit is ${limit}`));
      else resolve(Buffer.concat(chunks));
    });
    req.on("error", (err) => reject(badRequest(`could not read the request body: ${err.message}`)));
  });
}

/**
 * Parses a body as JSON, YAML or (when the resource has a protobuf message) protobuf by its Content-Type. A body sent without one
 * is read as JSON, as the real apiserver does (kubectl scale sends its Scale so).
 */
export function parseBody(
  buffer: Buffer,
  contentType: string,
  accepted: readonly string[] = OBJECT_CONTENT_TYPES,
  protobuf?: ProtobufKind,
): unknown {
  const type = mediaType(contentType) || "application/json";
  if (!accepted.includes(type)) throw unsupportedMediaType(type, accepted);
  if (type === PROTOBUF_CONTENT_TYPE) {
    // Only the kinds whose wire format we know (as Kubernetes answers for custom resources: 415).
    if (!protobuf)
      throw unsupportedMediaType(
        type,
        accepted.filter((t) => t !== PROTOBUF_CONTENT_TYPE),
      );
    return decodeProtobufBody(buffer, protobuf);
  }
  const text = buffer.toString("utf8");
  if (text.trim() === "") throw badRequest("the request body is empty; send the object as JSON (Content-Type: application/json)");
  let value: unknown;
  if (type === "application/yaml") {
    try {
      value = parseYaml(text, { maxAliasCount: 100 });
    } catch (err) {
      throw badRequest(`the request body is not valid YAML: ${(err as Error).message.split("\n")[0]}`);
    }
    rejectProtoKeys(value);
    return value;
  }
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw badRequest(`the request body is not valid JSON: ${(err as Error).message}`);
  }
  // JSON can spell "__proto__" only as those letters or with \u escapes: a body
  // with neither has no such key, and need not be walked (every write reads a body).
  if (text.includes("__proto__") || text.includes("\\u")) rejectProtoKeys(value);
  return value;
}

/** "__proto__" is never a real field; refusing it keeps objects plain. */
function rejectProtoKeys(value: unknown, depth = 0): void {
  if (depth > 100) throw badRequest("the request body is nested too deeply");
  if (Array.isArray(value)) {
    for (const v of value) rejectProtoKeys(v, depth + 1);
  } else if (isObject(value)) {
    for (const key of Object.keys(value)) {
      if (key === "__proto__") throw badRequest('the request body has a field named "__proto__", which is not allowed');
      rejectProtoKeys(value[key], depth + 1);
    }
  }
}
