/**
 * A DNS message, as RFC 1035 section 4 lays it out on the wire. Every
 * message, a question or an answer, has the same five parts:
 *
 *   +------------+  12 bytes: id, flags, and four counts
 *   | header     |
 *   +------------+
 *   | question   |  what is asked: a name, a type (A, SRV...), a class (IN)
 *   +------------+
 *   | answer     |  resource records (RRs) that answer it
 *   +------------+
 *   | authority  |  RRs that point at the authority (here: the zone's SOA)
 *   +------------+
 *   | additional |  RRs that help (skipped here)
 *   +------------+
 *
 * All numbers are big-endian ("network order"). This file only names
 * things; decode.ts and encode.ts turn bytes into these types and back.
 */

/** Record types this server knows (RFC 1035 3.2.2, RFC 2782 for SRV). */
export const TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, TXT: 16, AAAA: 28, SRV: 33, ANY: 255 } as const;
/** The Internet class: the only one in use today. */
export const CLASS_IN = 1;

/** Response codes (RCODE, the low 4 bits of the flags). */
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

/** The header's flags, unpacked. */
export interface Flags {
  /** QR: false in a query, true in a response. */
  response: boolean;
  /** OPCODE: 0 is a standard query. */
  opcode: number;
  /** AA: the server owns the zone of the name (true for cluster names). */
  authoritative: boolean;
  /** TC: the answer did not fit in a UDP datagram; ask again over TCP. */
  truncated: boolean;
  /** RD: the client asks the server to recurse (resolvers always set it). */
  recursionDesired: boolean;
  /** RA: the server can recurse (this one cannot: it answers only its zone). */
  recursionAvailable: boolean;
  /** RCODE. */
  rcode: number;
}

export interface Question {
  /** Lower case, without the final dot: "web.default.svc.cluster.local". */
  name: string;
  type: number;
  class: number;
}

export type RecordData =
  | { type: typeof TYPE.A; address: string }
  | { type: typeof TYPE.SRV; priority: number; weight: number; port: number; target: string }
  | {
      type: typeof TYPE.SOA;
      mname: string;
      rname: string;
      serial: number;
      refresh: number;
      retry: number;
      expire: number;
      minimum: number;
    };

/** A resource record: a name, a time to live in seconds, and data of one type. */
export interface ResourceRecord {
  name: string;
  ttl: number;
  data: RecordData;
}

export interface Message {
  id: number;
  flags: Flags;
  questions: Question[];
  answers: ResourceRecord[];
  authority: ResourceRecord[];
}

/** Bytes that are not a valid DNS message. The server answers FORMERR, and never crashes on them. */
export class FormatError extends Error {
  override readonly name = "FormatError";
}

/** The header is always 12 bytes. */
export const HEADER_SIZE = 12;
/** A DNS message over UDP may be at most 512 bytes without EDNS (RFC 1035 4.2.1). */
export const MAX_UDP_SIZE = 512;
/** A name is at most 255 bytes on the wire, a label at most 63 (RFC 1035 2.3.4). */
export const MAX_NAME_SIZE = 255;
export const MAX_LABEL_SIZE = 63;

export function emptyFlags(): Flags {
  return {
    response: false,
    opcode: 0,
    authoritative: false,
    truncated: false,
    recursionDesired: false,
    recursionAvailable: false,
    rcode: 0,
  };
}
