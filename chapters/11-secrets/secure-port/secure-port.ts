/**
 * The apiserver's secure port: TLS on 127.0.0.1, in front of the plain HTTP
 * port. Why a second port? Clients built on client-go (the real kubectl)
 * only send credentials over TLS: a bearer token in a kubeconfig whose
 * server is http:// is silently left out. So once the apiserver asks for
 * tokens, the real kubectl must come through here.
 *
 *   kubectl --https + token--> secure port (TLS ends here) --plain bytes--> apiserver's HTTP port
 *
 * The proxy works on bytes, not on HTTP: whatever arrives decrypted goes to
 * the HTTP port unchanged (watches and log streams included), and the
 * apiserver authenticates each request as usual.
 */
import { connect, type Socket } from "node:net";
import { createServer, type TLSSocket } from "node:tls";
import type { AddressInfo } from "node:net";
import type { Certificate } from "./certificate.ts";

export interface SecurePort {
  /** https://127.0.0.1:PORT */
  url: string;
  close(): Promise<void>;
}

export async function startSecurePort(options: {
  target: { host: string; port: number };
  certificate: Certificate;
  port?: number;
  /**
   * OpenSSL's cipher list. Default: Node's. Chapter 15 opens a second port
   * for pods with "DEFAULT:@SECLEVEL=0", because busybox's TLS client
   * offers only SHA-1 signatures, which the default refuses.
   */
  ciphers?: string;
}): Promise<SecurePort> {
  const sockets = new Set<Socket>();
  const tls = {
    key: options.certificate.keyPem,
    cert: options.certificate.certPem,
    ...(options.ciphers ? { ciphers: options.ciphers } : {}),
  };
  const server = createServer(tls, (client: TLSSocket) => {
    const upstream = connect(options.target.port, options.target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  server.on("tlsClientError", () => {}); // a client that gives up during the handshake is not our error
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
