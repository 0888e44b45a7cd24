/**
 * Docker's multiplexed stream: how stdout and stderr travel over one HTTP
 * connection (container logs and exec output, for containers without a TTY).
 *
 * The stream is a sequence of frames. Each frame is an 8-byte header and a payload:
 *
 *   byte  0      1  2  3   4  5  6  7   8 ...
 *        +------+--------+------------+---------------------+
 *        |stream| 0  0  0| size (BE32)| payload: size bytes |
 *        +------+--------+------------+---------------------+
 *   stream: 0 = stdin (sent as stdout), 1 = stdout, 2 = stderr
 *   size:   payload length, a 32-bit big-endian unsigned integer
 */
import { StringDecoder } from "node:string_decoder";
import type { LogEntry } from "../../shared/runtime/types.ts";
import { todo } from "../../shared/todo.ts";

export const HEADER_SIZE = 8;

/** Splits a whole multiplexed buffer into entries, one per frame, in order. */
export function demux(buffer: Buffer): LogEntry[] {
  // TODO(01.6): split Docker's multiplexed stream into entries (the frame is
  // drawn above). A UTF-8 character may be split across two frames of the same
  // stream and must come out whole. A last frame cut short keeps what arrived.
  // Tests: "01.6 demux > splits frames into stdout and stderr entries, in order",
  // "01.6 demux > keeps a UTF-8 character whole when a frame boundary splits it".
  todo("01.6");
}

/** Builds one frame: the inverse of demux, used by the tests. */
export function frame(stream: LogEntry["stream"], text: string): Buffer {
  const payload = Buffer.from(text, "utf8");
  const header = Buffer.alloc(HEADER_SIZE);
  header[0] = stream === "stderr" ? 2 : 1;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}
