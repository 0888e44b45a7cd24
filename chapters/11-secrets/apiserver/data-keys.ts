/**
 * What Secrets and ConfigMaps share: keys that become file names (so no "/",
 * no "..") and values that may be binary, written as base64.
 */
import { field, type FieldError } from "../../../shared/api/index.ts";

const KEY = /^[-._a-zA-Z0-9]+$/;

/** Secrets and ConfigMaps hold at most 1 MiB of data (what etcd comfortably stores per value). */
export const MAX_DATA_BYTES = 1024 * 1024;

/** Kubernetes' rule for data keys: they become file names in a volume. */
export function validateDataKey(key: string, path: string): FieldError[] {
  if (key.length > 253) return [field.invalid(path, key, "must be no more than 253 characters")];
  if (!KEY.test(key)) {
    return [
      field.invalid(
        path,
        key,
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name', or 'KEY_NAME', or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
      ),
    ];
  }
  if (key === "." || key === "..") return [field.invalid(path, key, `must not be '${key}'`)];
  if (key.startsWith("..")) return [field.invalid(path, key, "must not start with '..'")];
  return [];
}

/**
 * Whether a string is standard base64 with padding (what Kubernetes' JSON
 * decoding of []byte accepts). Node's Buffer.from(s, "base64") never fails:
 * it skips what it does not understand, so check the alphabet and the length.
 */
export function isBase64(value: string): boolean {
  return value.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(value);
}
