/**
 * Bytes -> Message. The server reads every query with decodeMessage(); the
 * tests also read the server's answers with it.
 *
 * A NAME on the wire is a list of labels, each with its length first, and a
 * zero byte at the end: "web.default" is
 *
 *   03 'w' 'e' 'b' 07 'd' 'e' 'f' 'a' 'u' 'l' 't' 00
 *
 * To save room, a message may end a name with a POINTER instead: two bytes
 * whose top two bits are 11, and whose other 14 bits are the offset (from the
 * message's first byte) where the rest of the name is written (RFC 1035 4.1.4,
 * "message compression"):
 *
 *   offset 12: 03 'w' 'e' 'b' 07 'd' 'e' 'f' 'a' 'u' 'l' 't' 00
 *   offset 40: 03 'a' 'p' 'i' C0 0C        -> "api.web.default"
 *
 * Length bytes whose top bits are 01 or 10 are reserved. A message comes from
 * anyone: it may be cut short, or its pointers may loop forever.
 */
import {
  FormatError,
  HEADER_SIZE,
  MAX_NAME_SIZE,
  TYPE,
  type Flags,
  type Message,
  type Question,
  type RecordData,
  type ResourceRecord,
} from "./message.ts";

// STEP(14.1): read the name that starts at `offset`, following compression
// pointers. Return it lower case with labels joined by "." (the root is ""),
// and `next`: the offset right after the name where it STARTED (after the
// first pointer, not after the bytes the pointer led to). Anything a sender
// could get wrong throws FormatError, never a RangeError or an endless loop:
// a name or pointer past the end, a reserved length (top bits 01 or 10), a
// pointer loop (a pointer to itself adds no bytes, so a size limit alone
// never ends it), a name over MAX_NAME_SIZE bytes (length bytes, labels
// and the final zero count; pointers do not).
// Tests: "14.1 names > ...".
export function readName(buf: Buffer, offset: number): { name: string; next: number } {
  //#solution
  const labels: string[] = [];
  let at = offset;
  let next: number | undefined;
  let size = 1; // the final zero byte
  const visited = new Set<number>();
  for (;;) {
    if (at >= buf.length) throw new FormatError(`the name at offset ${offset} runs past the end of the message`);
    const len = buf[at]!;
    if ((len & 0xc0) === 0xc0) {
      if (at + 1 >= buf.length) throw new FormatError(`a compression pointer at offset ${at} is cut short`);
      const target = ((len & 0x3f) << 8) | buf[at + 1]!;
      // A pointer to a place already visited would loop forever.
      if (visited.has(target)) throw new FormatError(`the compression pointers of the name at offset ${offset} loop`);
      visited.add(target);
      next ??= at + 2;
      at = target;
      continue;
    }
    if ((len & 0xc0) !== 0) throw new FormatError(`reserved label type 0x${len.toString(16)} at offset ${at}`);
    if (len === 0) break;
    if (at + 1 + len > buf.length) throw new FormatError(`a label at offset ${at} runs past the end of the message`);
    size += len + 1;
    if (size > MAX_NAME_SIZE) throw new FormatError(`the name at offset ${offset} is longer than ${MAX_NAME_SIZE} bytes`);
    labels.push(buf.toString("latin1", at + 1, at + 1 + len).toLowerCase());
    at += 1 + len;
  }
  return { name: labels.join("."), next: next ?? at + 1 };
  //#end
}

/** A reader over a message that throws FormatError, not RangeError, when the bytes run out. */
class Reader {
  constructor(
    readonly buf: Buffer,
    public at = 0,
  ) {}

  private need(n: number, what: string): void {
    if (this.at + n > this.buf.length) throw new FormatError(`the message ends inside ${what} (offset ${this.at})`);
  }
  u16(what: string): number {
    this.need(2, what);
    const v = this.buf.readUInt16BE(this.at);
    this.at += 2;
    return v;
  }
  u32(what: string): number {
    this.need(4, what);
    const v = this.buf.readUInt32BE(this.at);
    this.at += 4;
    return v;
  }
  name(): string {
    const { name, next } = readName(this.buf, this.at);
    this.at = next;
    return name;
  }
}

export function decodeFlags(bits: number): Flags {
  return {
    response: (bits & 0x8000) !== 0,
    opcode: (bits >> 11) & 0xf,
    authoritative: (bits & 0x0400) !== 0,
    truncated: (bits & 0x0200) !== 0,
    recursionDesired: (bits & 0x0100) !== 0,
    recursionAvailable: (bits & 0x0080) !== 0,
    rcode: bits & 0xf,
  };
}

function readRecord(r: Reader): ResourceRecord | undefined {
  const name = r.name();
  const type = r.u16("a record's type");
  r.u16("a record's class");
  const ttl = r.u32("a record's TTL");
  const length = r.u16("a record's data length");
  const end = r.at + length;
  if (end > r.buf.length) throw new FormatError(`a record's data runs past the end of the message`);
  let data: RecordData | undefined;
  if (type === TYPE.A && length === 4) data = { type: TYPE.A, address: [...r.buf.subarray(r.at, end)].join(".") };
  else if (type === TYPE.SRV) {
    const priority = r.u16("SRV priority");
    const weight = r.u16("SRV weight");
    const port = r.u16("SRV port");
    data = { type: TYPE.SRV, priority, weight, port, target: r.name() };
  } else if (type === TYPE.SOA) {
    const mname = r.name();
    const rname = r.name();
    const [serial, refresh, retry, expire, minimum] = [1, 2, 3, 4, 5].map(() => r.u32("SOA numbers"));
    data = {
      type: TYPE.SOA,
      mname,
      rname,
      serial: serial!,
      refresh: refresh!,
      retry: retry!,
      expire: expire!,
      minimum: minimum!,
    };
  }
  r.at = end; // other types are skipped
  return data ? { name, ttl, data } : undefined;
}

/** Decodes a whole message. Throws FormatError on anything malformed. */
export function decodeMessage(buf: Buffer): Message {
  if (buf.length < HEADER_SIZE) throw new FormatError(`a DNS message has a 12-byte header; this one has ${buf.length} bytes`);
  const r = new Reader(buf);
  const id = r.u16("the header");
  const flags = decodeFlags(r.u16("the header"));
  const [qd, an, ns, ar] = [r.u16("the header"), r.u16("the header"), r.u16("the header"), r.u16("the header")];
  const questions: Question[] = [];
  for (let i = 0; i < qd; i++) {
    const name = r.name();
    questions.push({ name, type: r.u16("a question's type"), class: r.u16("a question's class") });
  }
  const records = (n: number) => {
    const out: ResourceRecord[] = [];
    for (let i = 0; i < n; i++) {
      const rr = readRecord(r);
      if (rr) out.push(rr);
    }
    return out;
  };
  const answers = records(an);
  const authority = records(ns);
  void ar; // additional records: not needed here
  return { id, flags, questions, answers, authority };
}
