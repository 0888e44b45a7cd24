/**
 * Chapter 13, given code: the kubelet's events (kubelet/kubelet-events.ts)
 * and the counting of repeated events (chapter 09's EventRecorder). A small
 * HTTP server stands in for the apiserver and keeps the events it is sent.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { RestClient } from "@tree/04-kubectl/client/rest.ts";
import { EventRecorder } from "@tree/09-scheduler/events.ts";
import { EventingRuntime, waitingEvent } from "@tree/13-deployments/index.ts";
import type { Event, Pod } from "../shared/api/index.ts";
import { FakeRuntime } from "../shared/runtime/fake-runtime.ts";

let server: Server;
let url: string;
/** Events by name, as the "apiserver" holds them; and how many writes it got. */
const stored = new Map<string, Event>();
let writes = { create: 0, patch: 0 };

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const name = decodeURIComponent(req.url?.split("?")[0]?.split("/events/")[1] ?? "");
      let out: Event | undefined;
      if (req.method === "POST") {
        out = JSON.parse(body) as Event;
        stored.set(out.metadata?.name ?? "", out);
        writes.create++;
      } else if (req.method === "PATCH" && stored.has(name)) {
        out = { ...stored.get(name)!, ...(JSON.parse(body) as Partial<Event>) };
        stored.set(name, out);
        writes.patch++;
      }
      res.writeHead(out ? (req.method === "POST" ? 201 : 200) : 404, { "content-type": "application/json" });
      res.end(
        JSON.stringify(
          out ?? { kind: "Status", apiVersion: "v1", status: "Failure", code: 404, reason: "NotFound", message: "not found" },
        ),
      );
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));
beforeEach(() => {
  stored.clear();
  writes = { create: 0, patch: 0 };
});

const pod: Pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web-1", namespace: "default", uid: "u-1" },
  spec: { containers: [{ name: "main", image: "busybox:latest" }] },
};

it("13 chapter > the same event again is one object with a count, not a new object each time", async () => {
  const events = new EventRecorder(new RestClient({ server: url }), "kubelet");
  for (let i = 0; i < 50; i++)
    events.event(pod, "Warning", "BackOff", "Back-off restarting failed container main", {
      fieldPath: "spec.containers{main}",
      host: "node-1",
    });
  events.event(pod, "Normal", "Started", "Started container main", { fieldPath: "spec.containers{main}", host: "node-1" });
  await events.flush();
  const all = [...stored.values()];
  expect(all.map((e) => `${e.reason} x${e.count}`).sort()).toEqual(["BackOff x50", "Started x1"]);
  expect(writes.create).toBe(2);
  // Writes coalesce: while one is on its way, the next ones wait and then go as one.
  expect(writes.patch).toBeLessThan(49);
  const backOff = all.find((e) => e.reason === "BackOff")!;
  expect(backOff).toMatchObject({
    type: "Warning",
    source: { component: "kubelet", host: "node-1" },
    involvedObject: { kind: "Pod", name: "web-1", namespace: "default", uid: "u-1", fieldPath: "spec.containers{main}" },
  });
  expect(Date.parse(backOff.lastTimestamp!)).toBeGreaterThanOrEqual(Date.parse(backOff.firstTimestamp!));

  // An event deleted meanwhile (events expire) is written again, whole, with its count.
  stored.clear();
  events.event(pod, "Warning", "BackOff", "Back-off restarting failed container main", {
    fieldPath: "spec.containers{main}",
    host: "node-1",
  });
  await events.flush();
  expect([...stored.values()].map((e) => `${e.reason} x${e.count}`)).toEqual(["BackOff x51"]);
});

it("13 chapter > the runtime wrapper reports Pulled, Created, Started and Killing for app containers, not for the pause container", async () => {
  const runtime = new EventingRuntime(new FakeRuntime({ name: "node-1" }), { server: url });
  const labels = (container: string) => ({
    "io.kubernetes.pod.name": "web-1",
    "io.kubernetes.pod.namespace": "default",
    "io.kubernetes.pod.uid": "u-1",
    "io.kubernetes.container.name": container,
    "k8s-workshop.node": "node-1",
  });
  await runtime.ensureImage("busybox:latest");
  const pause = await runtime.create({ name: "pause-web-1", image: "busybox:latest", labels: labels("POD") });
  await runtime.start(pause);
  await runtime.ensureImage("busybox:latest");
  const id = await runtime.create({
    name: "main-web-1",
    image: "busybox:latest",
    command: ["sleep", "60"],
    labels: labels("main"),
  });
  await runtime.start(id);
  await runtime.stop(id, 1);
  await runtime.stop(id, 1); // no longer running: nothing to report
  await runtime.flush();
  const all = [...stored.values()].sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1));
  expect(all.map((e) => `${e.type} ${e.reason}: ${e.message}`)).toEqual([
    'Normal Pulled: Container image "busybox:latest" already present on machine',
    "Normal Created: Created container: main",
    "Normal Started: Started container main",
    "Normal Killing: Stopping container main",
  ]);
  expect(all.every((e) => e.involvedObject.fieldPath === "spec.containers{main}" && e.source?.host === "node-1")).toBe(true);
});

it("13 chapter > a waiting container becomes Kubernetes' event: BackOff, Failed, ErrImageNeverPull", () => {
  expect(waitingEvent(pod, "main", { reason: "CrashLoopBackOff", message: "back-off 10s ..." })).toEqual({
    type: "Warning",
    reason: "BackOff",
    message: "Back-off restarting failed container main in pod web-1_default(u-1)",
  });
  expect(waitingEvent(pod, "main", { reason: "ErrImagePull", message: "not found" })).toMatchObject({
    reason: "Failed",
    message: 'Failed to pull image "busybox:latest": not found',
  });
  expect(waitingEvent(pod, "main", { reason: "ErrImageNeverPull" })?.reason).toBe("ErrImageNeverPull");
  expect(waitingEvent(pod, "main", { reason: "ContainerCreating" })).toBeUndefined();
});
