/**
 * Chapter 05 without Docker: the v5.channel.k8s.io protocol of kubectl exec
 * (remote-command.ts). A real WebSocket on loopback joins a test client to
 * serveSession() and a fake session whose streams the test drives.
 */
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import { afterEach, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { decodeClientMessage, exitStatus, serveSession, STREAM_PROTOCOL_V5 } from "@tree/05-pods/kubelet/remote-command.ts";
import type { StreamSession } from "../shared/runtime/streams.ts";
import { waitFor } from "./harness/wait.ts";

/** A session the test controls: what reached stdin, resizes, and when the process "exits". */
function fakeSession() {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let input = "";
  let stdinEnded = false;
  stdin.on("data", (c: Buffer) => (input += c.toString()));
  stdin.on("end", () => (stdinEnded = true));
  stdin.resume();
  const resizes: [number, number][] = [];
  let exit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (exit = resolve));
  let closed = false;
  const session: StreamSession = {
    stdin,
    stdout,
    stderr,
    resize: async (w, h) => void resizes.push([w, h]),
    exitCode: () => exited,
    close: () => (closed = true),
  };
  return {
    session,
    stdout,
    stderr,
    exit,
    resizes,
    input: () => input,
    stdinEnded: () => stdinEnded,
    closed: () => closed,
  };
}

const servers: WebSocketServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** A server that serves one session, and a connected client recording every message it gets. */
async function connect(session: StreamSession) {
  const server = new WebSocketServer({ port: 0, host: "127.0.0.1", handleProtocols: () => STREAM_PROTOCOL_V5 });
  servers.push(server);
  await once(server, "listening");
  const served = { finished: false, error: undefined as unknown };
  // serveSession may throw at once (an unfinished step) or reject later: either is this test's
  // failure, not an error thrown inside the WebSocket server's event handler.
  server.on("connection", (ws) => {
    Promise.resolve()
      .then(() => serveSession(ws, session))
      .then(
        () => (served.finished = true),
        (err: unknown) => {
          served.error = err;
          ws.terminate();
        },
      );
  });
  const port = (server.address() as AddressInfo).port;
  const client = new WebSocket(`ws://127.0.0.1:${port}`, [STREAM_PROTOCOL_V5]);
  const messages: { channel: number; text: string }[] = [];
  let closeCode: number | undefined;
  client.on("message", (data: Buffer) => messages.push({ channel: data[0]!, text: data.subarray(1).toString() }));
  client.on("close", (code) => (closeCode = code));
  await once(client, "open");
  await new Promise((r) => setImmediate(r));
  if (served.error) throw served.error;
  const send = (channel: number, payload: string | Buffer) =>
    client.send(Buffer.concat([Buffer.from([channel]), Buffer.from(payload)]));
  return { client, messages, send, closeCode: () => closeCode, served };
}

it("05.9 remote command > decodes stdin, resize and close messages", () => {
  expect(decodeClientMessage(Buffer.from([0, 104, 105]))).toEqual({ type: "stdin", data: Buffer.from("hi") });
  expect(decodeClientMessage(Buffer.from([0]))).toEqual({ type: "stdin", data: Buffer.alloc(0) });
  expect(decodeClientMessage(Buffer.concat([Buffer.from([4]), Buffer.from('{"Width":120,"Height":40}')]))).toEqual({
    type: "resize",
    width: 120,
    height: 40,
  });
  expect(decodeClientMessage(Buffer.from([255, 0]))).toEqual({ type: "close", channel: 0 });
});

it("05.9 remote command > ignores what a client may not send", () => {
  const bad = [
    Buffer.alloc(0), // no channel byte
    Buffer.from([1, 65]), // stdout is the server's
    Buffer.from([3, 123, 125]), // so is the error channel
    Buffer.from([7, 1]), // no such channel
    Buffer.concat([Buffer.from([4]), Buffer.from("not json")]),
    Buffer.concat([Buffer.from([4]), Buffer.from('{"Width":-1,"Height":40}')]),
    Buffer.concat([Buffer.from([4]), Buffer.from('{"Width":"80","Height":40}')]),
    Buffer.concat([Buffer.from([4]), Buffer.from("null")]),
    Buffer.from([255]), // close of no channel
  ];
  for (const message of bad) {
    const decoded = decodeClientMessage(message);
    expect(decoded.type, `[${[...message].join(", ")}] decoded as ${JSON.stringify(decoded)}`).toBe("ignored");
  }
});

it("05.9 remote command > an exit code travels as a Status cause", () => {
  expect(exitStatus(0)).toMatchObject({ kind: "Status", status: "Success" });
  expect(exitStatus(0).details).toBeUndefined();
  expect(exitStatus(3)).toMatchObject({
    kind: "Status",
    status: "Failure",
    reason: "NonZeroExitCode",
    message: "command terminated with non-zero exit code: 3",
    details: { causes: [{ reason: "ExitCode", message: "3" }] },
  });
});

it("05.10 remote command > passes stdin and output, status last", async () => {
  const fake = fakeSession();
  const c = await connect(fake.session);
  c.send(0, "some input\n");
  c.send(4, '{"Width":100,"Height":30}');
  c.send(255, Buffer.from([0]));
  await waitFor("stdin to reach the process and be closed", () => fake.stdinEnded() || undefined);
  expect(fake.input()).toBe("some input\n");
  expect(fake.resizes).toEqual([[100, 30]]);

  fake.stdout.write("out 1\n");
  fake.stderr.write("err 1\n");
  fake.stdout.end("out 2\n");
  fake.stderr.end();
  fake.exit(2);
  await waitFor("the WebSocket to close", () => c.closeCode() !== undefined || undefined);
  expect(c.closeCode(), "a normal close (1000) after the status").toBe(1000);
  const stdout = c.messages
    .filter((m) => m.channel === 1)
    .map((m) => m.text)
    .join("");
  const stderr = c.messages
    .filter((m) => m.channel === 2)
    .map((m) => m.text)
    .join("");
  expect(stdout).toBe("out 1\nout 2\n");
  expect(stderr).toBe("err 1\n");
  const last = c.messages.at(-1)!;
  expect(last.channel, `the last message must be the status (channel 3); got ${JSON.stringify(c.messages)}`).toBe(3);
  expect(JSON.parse(last.text)).toMatchObject({ status: "Failure", details: { causes: [{ reason: "ExitCode", message: "2" }] } });
  expect(c.messages.filter((m) => m.channel === 3)).toHaveLength(1);
});

it("05.10 remote command > output written after the exit still comes before the status", async () => {
  const fake = fakeSession();
  const c = await connect(fake.session);
  // The process has ended, but its last output is still on the way (as from the engine).
  fake.exit(0);
  await new Promise((r) => setImmediate(r));
  await waitFor("nothing to be sent before the output ends", () => c.messages.length === 0 || undefined);
  fake.stdout.end("the last line\n");
  fake.stderr.end();
  await waitFor("the WebSocket to close", () => c.closeCode() !== undefined || undefined);
  expect(c.messages.map((m) => m.channel)).toEqual([1, 3]);
  expect(c.messages[0]!.text).toBe("the last line\n");
  expect(JSON.parse(c.messages[1]!.text)).toMatchObject({ status: "Success" });
});

it("05.10 remote command > a client that leaves ends the session", async () => {
  const fake = fakeSession();
  const c = await connect(fake.session);
  c.client.close();
  await waitFor("the session to be closed", () => fake.closed() || undefined);
  await waitFor("serveSession to resolve once the client has gone", () => c.served.finished || undefined);
});
