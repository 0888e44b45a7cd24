/**
 * Encryption at rest: a storage transformer (chapter 03's extension point
 * between the apiserver and the store) that encrypts Secrets with AES-256-GCM
 * on the way into the store and decrypts them on the way out.
 *
 *   API object (JSON) --toStorage--> "k8s:enc:aesgcm:v1:key1:" + base64(nonce | ciphertext | tag)
 *                     <-fromStorage-
 *
 * - The prefix names the scheme and the key, as Kubernetes' does, so a
 *   stored value says how to read it, and keys can be rotated.
 * - GCM needs a nonce that is never reused with the same key: 12 random bytes
 *   per write.
 * - The tag authenticates the ciphertext: a changed byte makes decryption fail.
 * - The store key (/registry/secrets/ns/name) is "additional authenticated
 *   data": a value copied under another key does not decrypt.
 * - A value without the prefix was stored before encryption was turned on:
 *   it is read as plain JSON (and encrypted at its next write).
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { internalError } from "../../../shared/api/index.ts";
import { NotImplementedError } from "../../../shared/todo.ts";
import type { StorageTransformer, TransformContext } from "../../03-apiserver/storage/transformers.ts";
import type { EncryptionKey } from "./key-file.ts";

export const AESGCM_PREFIX = "k8s:enc:aesgcm:v1:";
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

// STEP(11.4): `${AESGCM_PREFIX}${key.name}:` + base64(nonce, ciphertext,
// tag). A fresh nonce every time (never reuse one with GCM); the store key
// as additional data, so a value copied to another key fails to decrypt.
// Tests: the "11.4" tests.
export function encrypt(plaintext: string, key: EncryptionKey, storeKey: string): string {
  //#solution
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key.secret, nonce);
  cipher.setAAD(Buffer.from(storeKey));
  const sealed = Buffer.concat([nonce, cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return `${AESGCM_PREFIX}${key.name}:${sealed.toString("base64")}`;
  //#end
}

// STEP(11.4): the reverse. A wrong key, or one changed byte, must fail.
export function decrypt(stored: string, key: EncryptionKey, storeKey: string): string {
  //#solution
  const sealed = Buffer.from(stored.slice(`${AESGCM_PREFIX}${key.name}:`.length), "base64");
  const nonce = sealed.subarray(0, NONCE_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const ciphertext = sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", key.secret, nonce);
  decipher.setAAD(Buffer.from(storeKey));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
  //#end
}

export interface EncryptionOptions {
  /** The key new writes use. */
  key: EncryptionKey;
  /** Older keys that can still decrypt (key rotation). */
  oldKeys?: EncryptionKey[];
  /** The resources to encrypt (plurals in the core group). Default: ["secrets"]. */
  resources?: string[];
}

export function aesgcmTransformer(options: EncryptionOptions): StorageTransformer {
  const resources = new Set(options.resources ?? ["secrets"]);
  const keys = [options.key, ...(options.oldKeys ?? [])];
  return {
    name: "aesgcm",
    appliesTo: (resource) => resources.has(resource.group ? `${resource.plural}.${resource.group}` : resource.plural),
    toStorage: (data: string, ctx: TransformContext) => encrypt(data, options.key, ctx.key),
    fromStorage(data: string, ctx: TransformContext) {
      if (!data.startsWith(AESGCM_PREFIX)) return data; // written before encryption was on
      const name = data.slice(AESGCM_PREFIX.length).split(":")[0] ?? "";
      const key = keys.find((k) => k.name === name);
      if (!key) throw internalError(`${ctx.key} is encrypted with the key "${name}", which this apiserver does not have`);
      try {
        return decrypt(data, key, ctx.key);
      } catch (err) {
        if (err instanceof NotImplementedError) throw err;
        throw internalError(`${ctx.key} cannot be decrypted with the key "${name}": the value was changed, or the key file is not the one it was written with`);
      }
    },
  };
}
