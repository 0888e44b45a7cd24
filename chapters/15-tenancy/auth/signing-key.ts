/**
 * The key that signs service-account tokens. The apiserver signs with the
 * private half; anyone who has the public half can check a token without
 * asking the apiserver (Kubernetes publishes it at /openid/v1/jwks).
 *
 * It lives in the cluster's control-plane folder, next to chapter 11's
 * token file, as service-account.key (PEM, mode 0600). A cluster that
 * restarts keeps its key, so the tokens it gave out stay valid.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The key id in every token's header: which key signed it, when there are several. */
  keyId: string;
}

export function signingKeyFromPem(pem: string): SigningKey {
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  const der = publicKey.export({ type: "spki", format: "der" });
  const keyId = Buffer.from(der).toString("base64url").slice(-16);
  return { privateKey, publicKey, keyId };
}

/** A new ECDSA P-256 key (ES256 tokens: short, and fast to check). */
export function newSigningKey(): SigningKey {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  return signingKeyFromPem(privateKey.export({ type: "pkcs8", format: "pem" }).toString());
}

export async function loadOrCreateSigningKey(file: string): Promise<SigningKey> {
  try {
    return signingKeyFromPem(await readFile(file, "utf8"));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const key = newSigningKey();
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, key.privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600, flag: "wx" }).catch(
    (err: NodeJS.ErrnoException) => {
      if (err.code !== "EEXIST") throw err;
    },
  );
  return signingKeyFromPem(await readFile(file, "utf8"));
}
