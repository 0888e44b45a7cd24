/**
 * `kubectl port-forward` on the kubelet. kubectl 1.31 and later open a
 * WebSocket with the subprotocol "SPDY/3.1+portforward.k8s.io" and speak
 * SPDY/3.1 inside it (spdy.ts). For every local connection kubectl opens
 * two SPDY streams with the same "requestid" header:
 *
 *   streamtype=error  port=80  requestid=0   the kubelet writes a failure here (if any), then FIN
 *   streamtype=data   port=80  requestid=0   the bytes of the connection, both ways
 *
 * The kubelet connects to the pod's IP on that port and copies bytes
 * between that TCP connection and the data stream. (The real kubelet enters
 * the pod's network namespace instead; here the host reaches the pod's
 * address on the cluster's Docker network, as the service proxy does.)
 */
import net from "node:net";
import type { WebSocket } from "ws";
import { SpdySession, type SpdyStream } from "./spdy.ts";

export const PORT_FORWARD_PROTOCOL = "SPDY/3.1+portforward.k8s.io";

/** Serves one port-forward WebSocket until it closes. */
export function servePortForward(ws: WebSocket, podIP: string, log?: (message: string) => void): Promise<void> {
  const errorStreams = new Map<string, SpdyStream>();
  const sockets = new Set<net.Socket>();
  const session = new SpdySession(
    (bytes) => {
      if (ws.readyState === ws.OPEN) ws.send(bytes);
    },
    (stream) => {
      const requestId = stream.headers.requestid ?? "";
      if (stream.headers.streamtype === "error") {
        errorStreams.set(requestId, stream);
        return;
      }
      if (stream.headers.streamtype !== "data") return stream.end();
      const errorStream = errorStreams.get(requestId);
      errorStreams.delete(requestId);
      forward(stream, errorStream, podIP, sockets);
    },
    (err) => {
      log?.(`port-forward: ${err.message}`);
      ws.close(1002, "SPDY protocol error");
    },
  );
  ws.on("message", (data: Buffer) => session.receive(data));
  return new Promise((resolve) => {
    ws.once("close", () => {
      session.close();
      for (const s of sockets) s.destroy();
      resolve();
    });
  });
}

function forward(data: SpdyStream, errorStream: SpdyStream | undefined, podIP: string, sockets: Set<net.Socket>): void {
  const port = Number(data.headers.port);
  const fail = (message: string) => {
    errorStream?.write(Buffer.from(message, "utf8"));
    errorStream?.end();
    data.end();
  };
  if (!Number.isInteger(port) || port < 1 || port > 65535) return fail(`invalid port: "${data.headers.port ?? ""}"`);
  const socket = net.connect({ host: podIP, port, allowHalfOpen: true });
  sockets.add(socket);
  socket.on("close", () => sockets.delete(socket));
  let connected = false;
  socket.once("connect", () => (connected = true));
  socket.on("error", (err) => {
    if (!connected) fail(`error forwarding port ${port} to pod ${podIP}: ${err.message}`);
    else {
      data.end();
      errorStream?.end();
    }
  });
  socket.on("data", (chunk: Buffer) => data.write(chunk));
  // The pod closed its side: tell kubectl, and close the error stream with no error.
  socket.on("end", () => {
    data.end();
    errorStream?.end();
  });
  data.onData((chunk) => socket.write(chunk));
  data.onEnd((reset) => {
    if (reset) {
      socket.destroy();
      errorStream?.end();
    } else socket.end();
  });
}
