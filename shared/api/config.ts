/**
 * The types of chapter 11's configuration objects: Secret and ConfigMap
 * (core/v1). Both are maps of keys to values that pods consume as
 * environment variables or as files. A Secret's values are base64 in `data`
 * (so they may be binary); base64 is an encoding, not encryption.
 */
import type { KubeObject } from "./meta.ts";

export interface Secret extends KubeObject {
  apiVersion?: "v1";
  kind?: "Secret";
  /** "Opaque" (the default) for arbitrary data; other types name a purpose (kubernetes.io/basic-auth...). */
  type?: string;
  /** Key -> base64 of the value. */
  data?: Record<string, string>;
  /** Write-only convenience: key -> plain text. The apiserver merges it into data (base64) and never stores it. */
  stringData?: Record<string, string>;
  /** Once true, data and stringData can no longer change. */
  immutable?: boolean;
}

export interface ConfigMap extends KubeObject {
  apiVersion?: "v1";
  kind?: "ConfigMap";
  /** Key -> text (UTF-8). */
  data?: Record<string, string>;
  /** Key -> base64 of binary content. A key may be in data or binaryData, not both. */
  binaryData?: Record<string, string>;
  immutable?: boolean;
}
