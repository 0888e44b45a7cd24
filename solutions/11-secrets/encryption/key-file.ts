/**
 * The encryption key lives in a file, never in the store: whoever copies the
 * store (a backup, a stolen disk, a snapshot) gets ciphertext only. In real
 * clusters the apiserver reads it from an EncryptionConfiguration file on the
 * control-plane host, or asks an external KMS for it.
 *
 * The file holds one line: the key's name and 32 random bytes in base64,
 *
 *   key1:Lb8Pj...=
 *
 * readable by its owner only (mode 0600).
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

export interface EncryptionKey {
  /** Written into every stored value's prefix, so the right key can be found to decrypt it. */
  name: string;
  /** 32 bytes: AES-256. */
  secret: Buffer;
}

/** Reads the key file; creates it with a new random key when it does not exist. */
export async function loadOrCreateKey(path: string, name = "key1"): Promise<EncryptionKey> {
  let text: string | undefined;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  if (text === undefined) {
    const key = { name, secret: randomBytes(32) };
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeFile(path, `${key.name}:${key.secret.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
    await chmod(path, 0o600);
    return key;
  }
  return parseKey(text, path);
}

export function parseKey(text: string, path: string): EncryptionKey {
  const m = /^([a-zA-Z0-9_-]+):([A-Za-z0-9+/=]+)\s*$/.exec(text.trim());
  const secret = m ? Buffer.from(m[2]!, "base64") : Buffer.alloc(0);
  if (!m || secret.length !== 32) {
    throw new Error(
      `the encryption key file ${path} must hold one line NAME:BASE64 with 32 bytes of key (delete it to have a new one made, but then the stored Secrets cannot be read any more)`,
    );
  }
  return { name: m[1]!, secret };
}
