/**
 * A self-signed TLS certificate for the apiserver's secure port, made with
 * node:crypto alone (Node can sign, but has no API to build a certificate,
 * so this file writes the few ASN.1 DER structures of an X.509 v3
 * certificate by hand: an ECDSA P-256 key, valid for 127.0.0.1 and localhost).
 *
 * Real clusters have a cluster CA that signs the apiserver's certificate,
 * and every kubeconfig carries that CA to verify it. Here the kubeconfig
 * says insecure-skip-tls-verify: the connection is encrypted, but the client
 * does not check whom it talks to. Acceptable on loopback, never elsewhere.
 */
import { generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** DER: tag, length, content. */
function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
}
const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const oid = (hex: string) => tlv(0x06, Buffer.from(hex, "hex"));
const OID_ECDSA_SHA256 = oid("2a8648ce3d040302"); // 1.2.840.10045.4.3.2
const OID_COMMON_NAME = oid("550403"); // 2.5.4.3
const OID_SUBJECT_ALT_NAME = oid("551d11"); // 2.5.29.17

function name(cn: string): Buffer {
  return seq(tlv(0x31, seq(OID_COMMON_NAME, tlv(0x0c, Buffer.from(cn)))));
}

/** UTCTime: YYMMDDHHMMSSZ (years before 2050). */
function utcTime(d: Date): Buffer {
  return tlv(0x17, Buffer.from(d.toISOString().replace(/[-:T]/g, "").slice(2, 14) + "Z"));
}

export interface Certificate {
  certPem: string;
  keyPem: string;
}

export function selfSignedCertificate(commonName = "workshop-apiserver"): Certificate {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const serial = randomBytes(16);
  // A positive INTEGER whose first byte is not 0: DER forbids a leading 0 byte
  // (unless the next byte has its top bit set), and OpenSSL refuses it ("illegal padding").
  serial[0] = (serial[0]! & 0x7f) | 0x40;
  const now = Date.now();
  const altNames = seq(tlv(0x87, Buffer.from([127, 0, 0, 1])), tlv(0x82, Buffer.from("localhost")));
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))), // version 3
    tlv(0x02, serial),
    seq(OID_ECDSA_SHA256),
    name(commonName),
    seq(utcTime(new Date(now - 60_000)), utcTime(new Date(now + 10 * 365 * 24 * 3600_000))),
    name(commonName),
    publicKey.export({ type: "spki", format: "der" }),
    tlv(0xa3, seq(seq(OID_SUBJECT_ALT_NAME, tlv(0x04, altNames)))),
  );
  const signature = sign("sha256", tbs, privateKey);
  const der = seq(tbs, seq(OID_ECDSA_SHA256), tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return {
    certPem: `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`,
    keyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

/** Reads apiserver.crt and apiserver.key from dir, or makes them (the key readable by its owner only). */
export async function loadOrCreateCertificate(dir: string): Promise<Certificate> {
  const [certPath, keyPath] = [join(dir, "apiserver.crt"), join(dir, "apiserver.key")];
  try {
    return { certPem: await readFile(certPath, "utf8"), keyPem: await readFile(keyPath, "utf8") };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const cert = selfSignedCertificate();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(keyPath, cert.keyPem, { mode: 0o600 });
  await chmod(keyPath, 0o600);
  await writeFile(certPath, cert.certPem);
  return cert;
}
