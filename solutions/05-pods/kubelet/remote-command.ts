/**
 * The remote command protocol: how `kubectl exec` and `kubectl attach` talk
 * to a process in a container, over ONE WebSocket connection (subprotocol
 * "v5.channel.k8s.io"). A process has several streams (stdin, stdout,
 * stderr) but a WebSocket carries one sequence of messages, so every binary
 * message starts with one byte: the channel it belongs to.
 *
 *   kubectl                                              kubelet
 *      |-- [0] "hello\n"                  stdin  ------------>|  to the process
 *      |-- [4] {"Width":80,"Height":24}   resize ------------>|  the terminal size
 *      |-- [255][0]                       close stdin ------->|  stdin.end()
 *      |<------------ [1] "hello\n"                    stdout |
 *      |<------------ [2] "warning\n"                  stderr |
 *      |<------------ [3] {"status":"Success",...}     status |  always the last message
 *      |<------------ WebSocket close (1000)                  |
 *
 *   channel 0 stdin   1 stdout   2 stderr   3 error (a Status)   4 resize   255 close (v5 only)
 *
 * Channel 3 carries one metav1.Status when the command has ended: "Success",
 * or "Failure" with reason "NonZeroExitCode" and the exit code in
 * details.causes ({ reason: "ExitCode", message: "3" }). kubectl reads the
 * exit code from there and exits with it.
 */
import type { WebSocket } from "ws";
import type { StreamSession } from "../../../shared/runtime/streams.ts";

/** The subprotocol the real kubectl (1.30 and later) asks for. */
export const STREAM_PROTOCOL_V5 = "v5.channel.k8s.io";

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const ERROR = 3;
export const RESIZE = 4;
/** v5: "I will send nothing more on channel N": [255, N]. */
export const CLOSE = 255;

/** One message from the client, decoded. */
export type ClientMessage =
  | { type: "stdin"; data: Buffer }
  | { type: "resize"; width: number; height: number }
  | { type: "close"; channel: number }
  /** Anything else (an empty message, a channel the client may not write, a bad resize): ignored, never fatal. */
  | { type: "ignored"; why: string };

/** The Status sent on channel 3 (metav1.Status; the reason NonZeroExitCode is remotecommand's own). */
export interface RemoteStatus {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Success" | "Failure";
  message?: string;
  reason?: "NonZeroExitCode" | "InternalError";
  details?: { causes: { reason: string; message: string }[] };
}

/** One message to the client: the channel byte, then the payload. */
export function encodeFrame(channel: number, payload: Buffer | string): Buffer {
  const data = typeof payload === "string" ? Buffer.from(payload, "utf8") : payload;
  return Buffer.concat([Buffer.from([channel]), data]);
}

/** The Status of a failure that is not an exit code (the command could not start). */
export function errorStatus(message: string): RemoteStatus {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", reason: "InternalError", message };
}

export function decodeClientMessage(message: Buffer): ClientMessage {
  // STEP(05.9): read one message from kubectl (the channels are drawn above).
  // A client may only write stdin, resize and close; a resize payload is JSON
  // {"Width","Height"} with whole positive numbers. Nothing the client sends
  // may throw: a bad message is "ignored", as Kubernetes logs and skips it.
  // Tests: "05.9 remote command > decodes stdin, resize and close messages",
  // "05.9 remote command > ignores what a client may not send".
  //#solution
  if (message.length === 0) return { type: "ignored", why: "an empty message has no channel byte" };
  const channel = message[0]!;
  const payload = message.subarray(1);
  switch (channel) {
    case STDIN:
      return { type: "stdin", data: payload };
    case CLOSE:
      if (payload.length !== 1) return { type: "ignored", why: "a close message names exactly one channel" };
      return { type: "close", channel: payload[0]! };
    case RESIZE: {
      let size: { Width?: unknown; Height?: unknown };
      try {
        size = JSON.parse(payload.toString("utf8")) as typeof size;
      } catch {
        return { type: "ignored", why: "a resize message must be JSON" };
      }
      const { Width: width, Height: height } = size ?? {};
      if (!Number.isInteger(width) || !Number.isInteger(height) || (width as number) <= 0 || (height as number) <= 0)
        return { type: "ignored", why: "a resize needs whole positive Width and Height" };
      return { type: "resize", width: width as number, height: height as number };
    }
    default:
      return { type: "ignored", why: `a client does not write channel ${channel}` };
  }
  //#end
}

export function exitStatus(exitCode: number): RemoteStatus {
  // STEP(05.9): the Status of a command that ended with `exitCode`: "Success"
  // for 0; otherwise "Failure" with reason "NonZeroExitCode", the message
  // "command terminated with non-zero exit code: <code>" and the code as a
  // cause { reason: "ExitCode", message: "<code>" }, where kubectl looks for it.
  // Tests: "05.9 remote command > an exit code travels as a Status cause".
  //#solution
  if (exitCode === 0) return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success" };
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    reason: "NonZeroExitCode",
    message: `command terminated with non-zero exit code: ${exitCode}`,
    details: { causes: [{ reason: "ExitCode", message: String(exitCode) }] },
  };
  //#end
}

/**
 * Joins a WebSocket that already speaks v5.channel.k8s.io to a running
 * session, until the command ends or the client leaves. Resolves when the
 * connection is closed.
 */
export function serveSession(ws: WebSocket, session: StreamSession): Promise<void> {
  const closed = new Promise<void>((resolve) => ws.once("close", () => resolve()));
  const send = (channel: number, payload: Buffer | string) => {
    if (ws.readyState === ws.OPEN) ws.send(encodeFrame(channel, payload));
  };
  // STEP(05.10): bridge the two sides. What the client writes reaches the
  // process (stdin, resize, close of stdin); what the process writes reaches
  // the client on its channel. When the command ends, the status (exitStatus)
  // is the LAST message, after every byte of output, and then the WebSocket
  // closes normally. A client that leaves ends the session (session.close()).
  // Tests: "05.10 remote command > passes stdin and output, status last",
  // "05.10 remote command > output written after the exit still comes before the status",
  // "05.10 remote command > a client that leaves ends the session".
  //#solution
  ws.on("message", (data: Buffer, isBinary: boolean) => {
    if (!isBinary) return; // every remote command message is binary
    const message = decodeClientMessage(data);
    if (message.type === "stdin") session.stdin?.write(message.data);
    else if (message.type === "close" && message.channel === STDIN) session.stdin?.end();
    else if (message.type === "resize") void session.resize(message.width, message.height);
  });
  ws.once("close", () => session.close());
  // Output first: both streams must have ended before the status goes out,
  // else a fast exit would overtake the last lines of output.
  const drained = (stream: NodeJS.ReadableStream, channel: number) =>
    new Promise<void>((resolve) => {
      stream.on("data", (chunk: Buffer) => send(channel, chunk));
      stream.once("end", () => resolve());
      stream.once("error", () => resolve());
    });
  void Promise.all([drained(session.stdout, STDOUT), drained(session.stderr, STDERR)])
    .then(() => session.exitCode())
    .then(
      (code) => exitStatus(code),
      (err: Error) => errorStatus(err.message),
    )
    .then((status) => {
      send(ERROR, JSON.stringify(status));
      if (ws.readyState === ws.OPEN) ws.close(1000);
    });
  return closed;
  //#end
}
