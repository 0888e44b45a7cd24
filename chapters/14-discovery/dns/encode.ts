/**
 * Message -> bytes: what the server sends back. The frame is the one
 * decode.ts reads (RFC 1035 4.1.1 to 4.1.3):
 *
 *   header      id(2) flags(2) qdcount(2) ancount(2) nscount(2) arcount(2)
 *   question    name  type(2) class(2)
 *   record      name  type(2) class(2) ttl(4) rdlength(2) rdata(rdlength)
 *
 * The flags pack into 16 bits: QR(1) OPCODE(4) AA(1) TC(1) RD(1) RA(1) Z(3) RCODE(4).
 *
 * What goes in rdata depends on the type, and the standards say it, not
 * this file: RFC 1035 3.4.1 (A), RFC 1035 3.3.13 (SOA), RFC 2782 "The
 * format of the SRV RR" (SRV). RecordData in message.ts uses the
 * standards' field names, so each one is easy to find there.
 */
import { CLASS_IN, MAX_LABEL_SIZE, TYPE, type Flags, type Message } from "./message.ts";
import { todo } from "../../../shared/todo.ts";

export function encodeFlags(f: Flags): number {
  return (
    (f.response ? 0x8000 : 0) |
    ((f.opcode & 0xf) << 11) |
    (f.authoritative ? 0x0400 : 0) |
    (f.truncated ? 0x0200 : 0) |
    (f.recursionDesired ? 0x0100 : 0) |
    (f.recursionAvailable ? 0x0080 : 0) |
    (f.rcode & 0xf)
  );
}

// TODO(14.2): the bytes of `msg` in the frame above, with each record's
// rdata as its standard lays it out, so that any reader (decodeMessage(),
// dig) gets the same message back. rdlength must be the true size of the
// rdata, names included, or every record after it reads wrong. No
// additional section (its count is 0); records are class IN, a question
// keeps its own class; names go uncompressed (encodeName()).
// Tests: "14.2 encode > ...".
export function encodeMessage(msg: Message): Buffer {
  todo("14.2");
}

/** "web.default" -> 03 w e b 07 d e f a u l t 00 (the root "" is a single 00). */
export function encodeName(name: string): Buffer {
  const labels = name === "" ? [] : name.replace(/\.$/, "").split(".");
  const parts: Buffer[] = [];
  for (const label of labels) {
    const bytes = Buffer.from(label, "latin1");
    if (bytes.length < 1 || bytes.length > MAX_LABEL_SIZE)
      throw new RangeError(`the label "${label}" of "${name}" must be 1 to ${MAX_LABEL_SIZE} bytes long`);
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}
