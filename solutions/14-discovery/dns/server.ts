/**
 * The cluster's DNS server (what CoreDNS is in a real cluster): UDP and TCP
 * on one port, answering from two informers (chapter 04) over Services and
 * Endpoints. Given code: the sockets and the framing. The DNS itself is in
 * decode.ts, encode.ts and answer.ts.
 *
 *   UDP: one datagram is one message. An answer over 512 bytes does not
 *        fit: the client gets the header and question with TC ("truncated")
 *        and asks again over TCP.
 *   TCP: each message has a 2-byte length first (RFC 1035 4.2.2); one
 *        connection may carry several queries.
 *
 * Bad bytes never crash the server: a message that decode.ts refuses gets
 * FORMERR (when at least the id can be read), anything else SERVFAIL.
 */
import dgram from "node:dgram";
import net from "node:net";
import type { Endpoints, Service } from "../../../shared/api/service.ts";
import { Informer } from "../../04-kubectl/client/informer.ts";
import { RestClient } from "../../04-kubectl/client/rest.ts";
import { ENDPOINTS, SERVICES } from "../../10-services/client/resources.ts";
import { answer, CLUSTER_DOMAIN, type ClusterRecords } from "./answer.ts";
import { decodeMessage } from "./decode.ts";
import { encodeMessage } from "./encode.ts";
import { FormatError, MAX_UDP_SIZE, RCODE, emptyFlags, type Message } from "./message.ts";

export interface DnsServerOptions {
  /** Where to listen. Tests use 127.0.0.1; the cluster uses its bridge's own address. */
  host: string;
  /** 0: any free port (the same one for UDP and TCP). */
  port?: number;
  records: ClusterRecords;
  zone?: string;
  log?: (line: string) => void;
}

/** The reply bytes for one query's bytes. Never throws, once encodeMessage() works: its error replies need it too. */
export function handleQuery(bytes: Buffer, records: ClusterRecords, zone: string = CLUSTER_DOMAIN): Buffer {
  let query: Message;
  try {
    query = decodeMessage(bytes);
  } catch (err) {
    if (bytes.length < 2) return Buffer.alloc(0); // not even an id: nothing to answer
    const rcode = err instanceof FormatError ? RCODE.FORMERR : RCODE.SERVFAIL;
    return encodeMessage({
      id: bytes.readUInt16BE(0),
      flags: { ...emptyFlags(), response: true, rcode },
      questions: [],
      answers: [],
      authority: [],
    });
  }
  if (query.flags.response) return Buffer.alloc(0); // a response sent to us: never answer it (no loops)
  try {
    return encodeMessage(answer(query, records, zone));
  } catch {
    return encodeMessage({
      ...query,
      flags: { ...query.flags, response: true, rcode: RCODE.SERVFAIL },
      answers: [],
      authority: [],
    });
  }
}

/** A UDP reply over 512 bytes: keep the header and question, set TC. */
export function truncateForUdp(reply: Buffer): Buffer {
  if (reply.length <= MAX_UDP_SIZE) return reply;
  const message = decodeMessage(reply);
  return encodeMessage({ ...message, flags: { ...message.flags, truncated: true }, answers: [], authority: [] });
}

export class DnsServer {
  private udp: dgram.Socket;
  private readonly tcp = net.createServer();
  private readonly sockets = new Set<net.Socket>();
  private readonly log: (line: string) => void;

  constructor(private readonly options: DnsServerOptions) {
    this.log = options.log ?? (() => {});
    this.udp = this.newUdpSocket();
    this.tcp.on("connection", (socket) => this.serveTcp(socket));
    this.tcp.on("error", (err) => this.log(`dns: tcp: ${err.message}`));
  }

  /** The port both sockets listen on. */
  get port(): number {
    return this.udp.address().port;
  }

  get host(): string {
    return this.options.host;
  }

  /** Listens on UDP, then TCP on the same port (with port 0: tries a few free UDP ports until TCP gets the same). */
  async listen(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      await new Promise<void>((resolve, reject) => {
        this.udp.once("error", reject);
        this.udp.bind(this.options.port ?? 0, this.options.host, () => {
          this.udp.off("error", reject);
          resolve();
        });
      });
      try {
        await new Promise<void>((resolve, reject) => {
          this.tcp.once("error", reject);
          this.tcp.listen(this.port, this.options.host, () => {
            this.tcp.off("error", reject);
            resolve();
          });
        });
        return;
      } catch (err) {
        if (this.options.port || attempt >= 10) throw err;
        // The free UDP port is taken for TCP: rebind UDP elsewhere.
        await new Promise<void>((resolve) => this.udp.close(() => resolve()));
        this.udp = this.newUdpSocket();
      }
    }
  }

  /** One datagram in, one datagram back. */
  private newUdpSocket(): dgram.Socket {
    const socket = dgram.createSocket("udp4");
    socket.on("message", (bytes, peer) => {
      const reply = this.reply(bytes);
      if (reply.length === 0) return;
      socket.send(truncateForUdp(reply), peer.port, peer.address, (err) => {
        if (err) this.log(`dns: udp reply to ${peer.address}: ${err.message}`);
      });
    });
    socket.on("error", (err) => this.log(`dns: udp: ${err.message}`));
    return socket;
  }

  /**
   * handleQuery() inside a socket's event handler. Its error replies need
   * encodeMessage() too: if that throws (a step not written yet, a bug), an
   * exception here would end the whole process. Send nothing instead; the
   * client times out and retries, as with a lost packet.
   */
  private reply(bytes: Buffer): Buffer {
    try {
      return handleQuery(bytes, this.options.records, this.options.zone);
    } catch (err) {
      this.log(`dns: no reply: ${(err as Error).message}`);
      return Buffer.alloc(0);
    }
  }

  /** Reads length-prefixed messages from one TCP connection and answers each in turn. */
  private serveTcp(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once("close", () => this.sockets.delete(socket));
    socket.on("error", () => {});
    socket.setTimeout(10_000, () => socket.destroy());
    let pending = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2) {
        const size = pending.readUInt16BE(0);
        if (pending.length < 2 + size) return;
        const bytes = pending.subarray(2, 2 + size);
        pending = pending.subarray(2 + size);
        const reply = this.reply(bytes);
        if (reply.length === 0) continue;
        const length = Buffer.alloc(2);
        length.writeUInt16BE(reply.length);
        socket.write(Buffer.concat([length, reply]));
      }
    });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await Promise.all([
      new Promise<void>((resolve) => this.tcp.close(() => resolve())),
      new Promise<void>((resolve) => {
        try {
          this.udp.close(() => resolve());
        } catch {
          resolve(); // never bound
        }
      }),
    ]);
  }
}

/** Services and Endpoints from the apiserver, kept up to date by two informers. */
export class InformerRecords implements ClusterRecords {
  private readonly serviceInformer: Informer<Service>;
  private readonly endpointsInformer: Informer<Endpoints>;

  constructor(options: { server: string; token?: string; log?: (line: string) => void }) {
    const client = new RestClient({ server: options.server, token: options.token });
    const onError = (err: Error) => options.log?.(`dns: ${err.message}`);
    this.serviceInformer = new Informer<Service>(client.resource<Service>(SERVICES), { onError });
    this.endpointsInformer = new Informer<Endpoints>(client.resource<Endpoints>(ENDPOINTS), { onError });
  }

  async start(): Promise<void> {
    this.serviceInformer.start();
    this.endpointsInformer.start();
    await Promise.all([this.serviceInformer.waitForSync(), this.endpointsInformer.waitForSync()]);
  }

  services = () => this.serviceInformer.list();
  endpoints = () => this.endpointsInformer.list();

  async stop(): Promise<void> {
    await Promise.all([this.serviceInformer.stop(), this.endpointsInformer.stop()]);
  }
}

/** Starts the informers, then the server. */
export async function startDnsServer(options: {
  server: string;
  token?: string;
  host: string;
  port?: number;
  log?: (line: string) => void;
}): Promise<{ server: DnsServer; stop(): Promise<void> }> {
  const records = new InformerRecords(options);
  await records.start();
  const server = new DnsServer({ host: options.host, port: options.port, records, log: options.log });
  try {
    await server.listen();
  } catch (err) {
    await records.stop();
    throw err;
  }
  return {
    server,
    async stop() {
      await server.close();
      await records.stop();
    },
  };
}
