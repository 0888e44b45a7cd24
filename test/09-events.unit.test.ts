/**
 * Chapter 09, given code: the EventRecorder (events.ts) writes events in the
 * background, from a bounded queue, with a few writers. A small HTTP server
 * stands in for the apiserver; it holds every write until the test lets it
 * go, so the test can see how many writes are in flight at once.
 */
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { RestClient } from "@tree/04-kubectl/client/rest.ts";
import { EventRecorder } from "@tree/09-scheduler/events.ts";
import type { Event, Pod } from "../shared/api/index.ts";
import { waitFor } from "./harness/wait.ts";

let server: Server;
let url: string;
/** Writes the server holds, not answered yet. */
let held: Array<() => void> = [];
/** After release(): answer writes as they come. */
let answerAtOnce = false;
let inFlight = 0;
let mostInFlight = 0;
const created: Event[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      if (answerAtOnce) answer(res, body);
      else held.push(() => answer(res, body));
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));
beforeEach(() => {
  held = [];
  answerAtOnce = false;
  inFlight = 0;
  mostInFlight = 0;
  created.length = 0;
});

function answer(res: ServerResponse, body: string): void {
  inFlight--;
  const event = JSON.parse(body) as Event;
  created.push(event);
  res.writeHead(201, { "content-type": "application/json" });
  res.end(JSON.stringify(event));
}

/** Answers the writes held so far and those that arrive from now on; waits until the recorder is idle. */
async function release(events: EventRecorder): Promise<void> {
  answerAtOnce = true;
  for (const go of held) go();
  held = [];
  await events.flush();
}

/** Small bounds, so the test writes tens of events, not thousands (the defaults are 1000 and 8). */
const WRITERS = 4;
const MAX_QUEUED = 20;

const pod = (i: number): Pod => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: `web-${i}`, namespace: "default", uid: `u-${i}` },
  spec: { containers: [{ name: "main", image: "busybox:latest" }] },
});

it("09 chapter > events are written by a few writers, not one connection per event", async () => {
  const events = new EventRecorder(new RestClient({ server: url }), "default-scheduler", () => {}, {
    writers: WRITERS,
    maxQueued: MAX_QUEUED,
  });
  const count = WRITERS * 4;
  for (let i = 0; i < count; i++) events.event(pod(i), "Normal", "Scheduled", `Successfully assigned default/web-${i} to node-1`);
  // event() returned at once; the writers now wait for the server.
  await waitFor(`${WRITERS} event writes at the server`, () => held.length === WRITERS);
  expect(mostInFlight, "writes in flight at once").toBe(WRITERS);
  await release(events);
  expect(mostInFlight, "writes in flight at once").toBe(WRITERS);
  expect(created.map((e) => e.involvedObject.name).sort()).toEqual(Array.from({ length: count }, (_, i) => `web-${i}`).sort());
  expect(events.dropped).toBe(0);
});

it("09 chapter > when the queue is full, new events are dropped and counted, and the queued ones still go out", async () => {
  const errors: Error[] = [];
  const events = new EventRecorder(new RestClient({ server: url }), "default-scheduler", (err) => errors.push(err), {
    writers: WRITERS,
    maxQueued: MAX_QUEUED,
  });
  const extra = 5;
  // WRITERS are taken by the writers at once; MAX_QUEUED more can wait.
  const total = WRITERS + MAX_QUEUED + extra;
  for (let i = 0; i < total; i++) events.event(pod(i), "Normal", "Scheduled", `Successfully assigned default/web-${i} to node-1`);
  expect(events.dropped, "events dropped").toBe(extra);
  await release(events);
  expect(created.length, "events written").toBe(WRITERS + MAX_QUEUED);
  // The first ones are written; the last ones were dropped.
  const names = new Set(created.map((e) => e.involvedObject.name));
  expect(names.has("web-0") && !names.has(`web-${total - 1}`)).toBe(true);
  expect(errors).toEqual([]);
});
