/** Encryption at rest: the key file and the AES-GCM storage transformer. */
import type { ApiServer } from "../../03-apiserver/index.ts";
import { aesgcmTransformer, type EncryptionOptions } from "./aesgcm.ts";

/** Encrypts the chosen resources (default: secrets) of this apiserver from now on. */
export function installEncryption(apiserver: ApiServer, options: EncryptionOptions): void {
  apiserver.transformers.add(aesgcmTransformer(options));
}

export { AESGCM_PREFIX, aesgcmTransformer, decrypt, encrypt, type EncryptionOptions } from "./aesgcm.ts";
export { loadOrCreateKey, parseKey, type EncryptionKey } from "./key-file.ts";
