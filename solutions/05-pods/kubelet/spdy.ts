/**
 * A minimal SPDY/3.1 server session: just what `kubectl port-forward` uses.
 * SPDY runs many streams over one connection; here the connection is a
 * WebSocket, and each WebSocket message carries some bytes of SPDY.
 *
 * Every frame has an 8-byte header:
 *
 *   control frame:  |1| version (15) = 3 | type (16)  |  flags (8) | length (24) | data
 *   data frame:     |0| stream id (31)               |  flags (8) | length (24) | data
 *
 *   types used: 1 SYN_STREAM (open a stream, with headers)   2 SYN_REPLY (accept it)
 *               3 RST_STREAM (abort a stream)   4 SETTINGS   6 PING (echo it back)
 *               7 GOAWAY   9 WINDOW_UPDATE
 *   flags: FIN = 1 (the sender will send nothing more on this stream)
 *
 * Headers travel as a block: a 32-bit count, then for each pair a 32-bit
 * length and the name, a 32-bit length and the value. The block is
 * compressed with zlib, ONE compression context per direction for the whole
 * connection, started with the dictionary of the SPDY/3 specification.
 *
 * Left out, because kubectl does not need them: flow control (WINDOW_UPDATE
 * is read and ignored), priorities, server-initiated streams, HEADERS frames.
 */
import zlib from "node:zlib";

const VERSION = 3;
const SYN_STREAM = 1;
const SYN_REPLY = 2;
const RST_STREAM = 3;
const PING = 6;
const FLAG_FIN = 1;
/** The largest data frame this session sends (the length field allows 16 MiB). */
const MAX_DATA = 64 * 1024;

/** The SPDY/3 header dictionary: length-prefixed header names and values, then common text. */
export const SPDY3_DICTIONARY: Buffer = (() => {
  const words = [
    "options",
    "head",
    "post",
    "put",
    "delete",
    "trace",
    "accept",
    "accept-charset",
    "accept-encoding",
    "accept-language",
    "accept-ranges",
    "age",
    "allow",
    "authorization",
    "cache-control",
    "connection",
    "content-base",
    "content-encoding",
    "content-language",
    "content-length",
    "content-location",
    "content-md5",
    "content-range",
    "content-type",
    "date",
    "etag",
    "expect",
    "expires",
    "from",
    "host",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "last-modified",
    "location",
    "max-forwards",
    "pragma",
    "proxy-authenticate",
    "proxy-authorization",
    "range",
    "referer",
    "retry-after",
    "server",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "vary",
    "via",
    "warning",
    "www-authenticate",
    "method",
    "get",
    "status",
    "200 OK",
    "version",
    "HTTP/1.1",
    "url",
    "public",
    "set-cookie",
    "keep-alive",
    "origin",
  ];
  const tail =
    "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505" +
    "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized" +
    "403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable" +
    "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT" +
    "chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain," +
    "text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.";
  const parts: Buffer[] = [];
  for (const w of words) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(w.length);
    parts.push(len, Buffer.from(w, "latin1"));
  }
  parts.push(Buffer.from(tail, "latin1"));
  return Buffer.concat(parts);
})();

/** One zlib context fed block by block; each block ends with a sync flush, so it can be read at once. */
class ZlibContext {
  private chain: Promise<unknown> = Promise.resolve();
  constructor(private readonly z: zlib.Inflate | zlib.Deflate) {
    z.on("error", () => {}); // reported through process()
  }
  process(block: Buffer): Promise<Buffer> {
    const run = () =>
      new Promise<Buffer>((resolve, reject) => {
        const out: Buffer[] = [];
        const onData = (b: Buffer) => out.push(b);
        const onError = (err: Error) => reject(err);
        this.z.on("data", onData);
        this.z.once("error", onError);
        this.z.write(block);
        this.z.flush(zlib.constants.Z_SYNC_FLUSH, () =>
          setImmediate(() => {
            this.z.off("data", onData);
            this.z.off("error", onError);
            resolve(Buffer.concat(out));
          }),
        );
      });
    const result = this.chain.then(run);
    this.chain = result.catch(() => {});
    return result;
  }
  close(): void {
    this.z.close();
  }
}

export function encodeHeaders(headers: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const entries = Object.entries(headers);
  parts.push(u32(entries.length));
  for (const [name, value] of entries) {
    const n = Buffer.from(name.toLowerCase(), "utf8");
    const v = Buffer.from(value, "utf8");
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

export function decodeHeaders(block: Buffer): Record<string, string> {
  const headers: Record<string, string> = {};
  let at = 0;
  const u32 = () => {
    if (at + 4 > block.length) throw new Error("SPDY header block cut short");
    const n = block.readUInt32BE(at);
    at += 4;
    return n;
  };
  const text = (n: number) => {
    if (at + n > block.length) throw new Error("SPDY header block cut short");
    const s = block.subarray(at, at + n).toString("utf8");
    at += n;
    return s;
  };
  const count = u32();
  for (let i = 0; i < count; i++) {
    const name = text(u32());
    // Several values of one name are separated by NUL bytes; the first is enough here.
    headers[name] = text(u32()).split("\0")[0]!;
  }
  return headers;
}

function controlFrame(type: number, flags: number, data: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt16BE(0x8000 | VERSION, 0);
  header.writeUInt16BE(type, 2);
  header.writeUInt32BE(data.length, 4);
  header[4] = flags;
  return Buffer.concat([header, data]);
}

function dataFrame(streamId: number, flags: number, data: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(streamId & 0x7fffffff, 0);
  header.writeUInt32BE(data.length, 4);
  header[4] = flags;
  return Buffer.concat([header, data]);
}

/** A stream the client opened. */
export class SpdyStream {
  private dataListeners: ((data: Buffer) => void)[] = [];
  private endListeners: ((reset: boolean) => void)[] = [];
  private finished = false;
  /** We sent FIN or RST: nothing more goes out. */
  private closedOut = false;

  constructor(
    private readonly session: SpdySession,
    readonly id: number,
    readonly headers: Record<string, string>,
  ) {}

  onData(listener: (data: Buffer) => void): void {
    this.dataListeners.push(listener);
  }
  /** The client is done with the stream: FIN (reset false) or RST_STREAM (reset true). */
  onEnd(listener: (reset: boolean) => void): void {
    if (this.finished) listener(false);
    else this.endListeners.push(listener);
  }
  write(data: Buffer): void {
    if (this.closedOut) return;
    for (let at = 0; at < data.length; at += MAX_DATA) this.session.send(dataFrame(this.id, 0, data.subarray(at, at + MAX_DATA)));
  }
  /** Half-closes: we send nothing more. */
  end(): void {
    if (this.closedOut) return;
    this.closedOut = true;
    this.session.send(dataFrame(this.id, FLAG_FIN, Buffer.alloc(0)));
  }

  /** @internal the session's side */
  received(data: Buffer, fin: boolean): void {
    if (data.length > 0) for (const l of this.dataListeners) l(data);
    if (fin) this.ended(false);
  }
  /** @internal */
  ended(reset: boolean): void {
    if (this.finished) return;
    this.finished = true;
    if (reset) this.closedOut = true;
    for (const l of this.endListeners) l(reset);
    this.endListeners = [];
  }
}

/**
 * The server end of a SPDY/3.1 connection. Feed it what arrives
 * (receive()); it calls `send` with the bytes to send back, and `onStream`
 * for every stream the client opens (already accepted with SYN_REPLY).
 */
export class SpdySession {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly streams = new Map<number, SpdyStream>();
  private readonly inflate = new ZlibContext(zlib.createInflate({ dictionary: SPDY3_DICTIONARY }));
  private readonly deflate = new ZlibContext(zlib.createDeflate({ dictionary: SPDY3_DICTIONARY }));
  /** Frames are handled in order, one at a time: a header block must be inflated before the next frame. */
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    readonly send: (bytes: Buffer) => void,
    private readonly onStream: (stream: SpdyStream) => void,
    private readonly onError: (err: Error) => void = () => {},
  ) {}

  receive(bytes: Buffer): void {
    this.buffer = this.buffer.length === 0 ? bytes : Buffer.concat([this.buffer, bytes]);
    while (this.buffer.length >= 8) {
      const length = this.buffer.readUIntBE(5, 3);
      if (this.buffer.length < 8 + length) break;
      const frame = this.buffer.subarray(0, 8 + length);
      this.buffer = this.buffer.subarray(8 + length);
      this.queue = this.queue.then(() => this.handle(frame)).catch((err: Error) => this.fail(err));
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) s.ended(true);
    this.streams.clear();
    this.inflate.close();
    this.deflate.close();
  }

  private fail(err: Error): void {
    if (this.closed) return;
    this.onError(err);
    this.close();
  }

  private async handle(frame: Buffer): Promise<void> {
    if (this.closed) return;
    const flags = frame[4]!;
    const data = frame.subarray(8);
    if ((frame[0]! & 0x80) === 0) {
      const stream = this.streams.get(frame.readUInt32BE(0) & 0x7fffffff);
      stream?.received(data, (flags & FLAG_FIN) !== 0);
      return;
    }
    const version = frame.readUInt16BE(0) & 0x7fff;
    if (version !== VERSION) throw new Error(`SPDY version ${version} is not supported (only 3)`);
    const type = frame.readUInt16BE(2);
    if (type === SYN_STREAM) {
      const id = data.readUInt32BE(0) & 0x7fffffff;
      // Stream id (4), associated stream id (4), priority and slot (2), then the header block.
      const headers = decodeHeaders(await this.inflate.process(data.subarray(10)));
      const stream = new SpdyStream(this, id, headers);
      this.streams.set(id, stream);
      const reply = Buffer.alloc(4);
      reply.writeUInt32BE(id);
      this.send(controlFrame(SYN_REPLY, 0, Buffer.concat([reply, await this.deflate.process(encodeHeaders({}))])));
      this.onStream(stream);
      if ((flags & FLAG_FIN) !== 0) stream.received(Buffer.alloc(0), true);
    } else if (type === RST_STREAM) {
      const id = data.readUInt32BE(0) & 0x7fffffff;
      this.streams.get(id)?.ended(true);
      this.streams.delete(id);
    } else if (type === PING) {
      this.send(frame); // a ping is answered with the same frame
    }
    // SETTINGS, GOAWAY, WINDOW_UPDATE, HEADERS: nothing to do here.
  }
}
