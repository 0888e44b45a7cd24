/**
 * Chapter 10, no Docker: the parts of Services that are decisions, tested
 * one by one. Defaults and validation of a Service, the range allocator over
 * a real (in-memory) store, the subsets of an Endpoints object, what the
 * proxy serves, round robin, the proxy's forwarding on loopback, and the
 * Service environment variables.
 */
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { openEmbeddedStore } from "@tree/02-etcd/index.ts";
import { ServiceAllocator } from "@tree/10-services/apiserver/allocation.ts";
import { newServiceIpAllocator, serviceIpRange } from "@tree/10-services/apiserver/ip-allocator.ts";
import { newNodePortAllocator } from "@tree/10-services/apiserver/port-allocator.ts";
import { AllocationError } from "@tree/10-services/apiserver/range-allocator.ts";
import { defaultService, validateService } from "@tree/10-services/apiserver/service-validation.ts";
import { computeSubsets } from "@tree/10-services/endpoints/subsets.ts";
import { serviceVariables } from "@tree/10-services/kubelet/service-env.ts";
import { ipCommands } from "@tree/10-services/proxy/addresses.ts";
import { PortProxy } from "@tree/10-services/proxy/port-proxy.ts";
import { RoundRobin } from "@tree/10-services/proxy/round-robin.ts";
import { servicePorts } from "@tree/10-services/proxy/service-ports.ts";
import { fieldErrorMessage, type ApiError, type Pod } from "../shared/api/index.ts";
import type { Endpoints, Service } from "../shared/api/service.ts";

function service(spec: Service["spec"], name = "web", namespace = "default"): Service {
  return { apiVersion: "v1", kind: "Service", metadata: { name, namespace }, spec };
}

function pod(
  name: string,
  ip: string | undefined,
  options: {
    ready?: boolean;
    labels?: Record<string, string>;
    deleting?: boolean;
    ports?: { name: string; containerPort: number }[];
  } = {},
): Pod {
  return {
    metadata: {
      name,
      namespace: "default",
      uid: `uid-${name}`,
      labels: options.labels ?? { app: "web" },
      ...(options.deleting ? { deletionTimestamp: "2024-01-01T00:00:00Z" } : {}),
    },
    spec: { nodeName: "node-1", containers: [{ name: "c", image: "busybox", ports: options.ports }] },
    status: {
      phase: "Running",
      ...(ip ? { podIP: ip } : {}),
      conditions: [{ type: "Ready", status: options.ready === false ? "False" : "True" }],
    },
  };
}

const messages = (s: Service) => validateService(s).map(fieldErrorMessage);

describe("10 chapter > the Service resource (given code)", () => {
  it("fills in the type, the protocol and the target port", () => {
    const s = service({
      selector: { app: "web" },
      ports: [{ port: 8000 }, { name: "b", port: 9000, targetPort: "http", protocol: "TCP" }],
    });
    defaultService(s);
    expect(s.spec).toEqual({
      selector: { app: "web" },
      type: "ClusterIP",
      sessionAffinity: "None",
      ports: [
        { port: 8000, protocol: "TCP", targetPort: 8000 },
        { name: "b", port: 9000, targetPort: "http", protocol: "TCP" },
      ],
    });
  });

  it("accepts the example Service and reports every mistake of a bad one", () => {
    const good = service({ selector: { app: "web" }, ports: [{ protocol: "TCP", port: 8000, targetPort: 80 }] });
    defaultService(good);
    expect(messages(good)).toEqual([]);

    const bad = service({
      type: "LoadBalancer",
      clusterIP: "10.0.0.300",
      ports: [{ port: 70000 }, { port: 80, protocol: "UDP" }],
      selector: { "bad key!": "x" },
    });
    defaultService(bad);
    const errs = messages(bad);
    expect(errs).toContain('spec.type: Unsupported value: "LoadBalancer": supported values: "ClusterIP", "NodePort"');
    expect(errs).toContain(
      'spec.clusterIP: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    );
    expect(errs).toContain("spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive");
    expect(errs).toContain('spec.ports[1].protocol: Unsupported value: "UDP": supported values: "TCP"');
    expect(errs).toContain("spec.ports[0].name: Required value");
    expect(errs.some((e) => e.startsWith("spec.selector"))).toBe(true);

    const noPorts = service({ selector: { app: "web" } });
    defaultService(noPorts);
    expect(messages(noPorts)).toEqual(["spec.ports: Required value"]);
    const dup = service({
      ports: [
        { name: "a", port: 1 },
        { name: "a", port: 2 },
      ],
    });
    defaultService(dup);
    expect(messages(dup)).toEqual(['spec.ports[1].name: Duplicate value: "a"']);
    const nodePortOnClusterIP = service({ ports: [{ port: 1, nodePort: 30001 }] });
    defaultService(nodePortOnClusterIP);
    expect(messages(nodePortOnClusterIP)).toEqual([
      "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
    ]);
    expect(messages({ metadata: { name: "x" } })).toEqual(["spec: Required value"]);
  });
});

describe("10.1 allocating cluster IPs and node ports", () => {
  it("hands out every address of a range once, refuses a taken or foreign one, and takes back what is released", async () => {
    const store = await openEmbeddedStore();
    try {
      // A /28 has 16 addresses: 14 without the network and broadcast addresses.
      expect(serviceIpRange("10.1.0.0/28")).toMatchObject({ first: 0x0a010001, last: 0x0a01000e });
      const ips = newServiceIpAllocator(store, "10.1.0.0/28");
      const got = await Promise.all(
        Array.from({ length: 14 }, (_, i) => ips.allocateNext({ namespace: "default", name: `s${i}` }, "IP")),
      );
      expect(new Set(got).size).toBe(14);
      expect(got.every((v) => v >= 0x0a010001 && v <= 0x0a01000e)).toBe(true);
      await expect(ips.allocateNext({ namespace: "default", name: "one-more" }, "IP")).rejects.toMatchObject({ reason: "Full" });
      await expect(ips.allocate(got[3]!, { namespace: "default", name: "thief" }, "IP")).rejects.toThrow(
        "provided IP is already allocated",
      );
      await expect(ips.allocate(0x0b000001, { namespace: "default", name: "x" }, "IP")).rejects.toThrow(
        "provided IP is not in the valid range. The range of valid IPs is 10.1.0.0/28",
      );
      // Only the holder can release: another Service's release changes nothing.
      await ips.release(got[3]!, { namespace: "default", name: "s4" });
      await expect(ips.allocate(got[3]!, { namespace: "default", name: "thief" }, "IP")).rejects.toBeInstanceOf(AllocationError);
      await ips.release(got[3]!, { namespace: "default", name: "s3" });
      await ips.allocate(got[3]!, { namespace: "default", name: "new" }, "IP");
      // What is allocated lives in the store: a new allocator over it (an apiserver restart) sees it.
      const again = newServiceIpAllocator(store, "10.1.0.0/28");
      expect((await again.allocated()).size).toBe(14);
    } finally {
      await store.close();
    }
  });

  it("gives a Service its cluster IP and node ports, and gives them back when the create fails", async () => {
    const store = await openEmbeddedStore();
    try {
      const allocator = new ServiceAllocator(
        newServiceIpAllocator(store, "10.2.0.0/29"),
        newNodePortAllocator(store, "30000-30001"),
      );
      const s = service({ type: "NodePort", ports: [{ port: 80, protocol: "TCP" }] });
      const finish = await allocator.allocate(s);
      expect(s.spec?.clusterIP).toMatch(/^10\.2\.0\.[1-6]$/);
      expect(s.spec?.clusterIPs).toEqual([s.spec?.clusterIP]);
      expect([30000, 30001]).toContain(s.spec?.ports?.[0]?.nodePort);
      await finish(true);

      // The same IP asked for again: 422, as Kubernetes answers.
      const clash = service({ clusterIP: s.spec?.clusterIP, ports: [{ port: 80 }] }, "clash");
      const err = (await allocator.allocate(clash).catch((e: unknown) => e)) as ApiError;
      expect(err.status?.code).toBe(422);
      expect(err.message).toContain(
        `spec.clusterIPs: Invalid value: ["${s.spec?.clusterIP}"]: failed to allocate IP ${s.spec?.clusterIP}: provided IP is already allocated`,
      );

      // A create that does not happen (finish(false)) gives back the IP and the node port.
      const other = service({ type: "NodePort", ports: [{ port: 80, protocol: "TCP" }] }, "other");
      const undo = await allocator.allocate(other);
      await undo(false);
      expect((await allocator.ips.allocated()).size).toBe(1);
      expect((await allocator.nodePorts.allocated()).size).toBe(1);
      // A Service whose node port cannot be had keeps no cluster IP either.
      const taken = service(
        { type: "NodePort", ports: [{ port: 80, protocol: "TCP", nodePort: s.spec?.ports?.[0]?.nodePort }] },
        "taken",
      );
      await expect(allocator.allocate(taken)).rejects.toThrow("spec.ports[0].nodePort: Invalid value");
      expect((await allocator.ips.allocated()).size).toBe(1);
      // Deleting the Service releases both.
      await allocator.release(s);
      expect((await allocator.ips.allocated()).size).toBe(0);
      expect((await allocator.nodePorts.allocated()).size).toBe(0);
    } finally {
      await store.close();
    }
  });
});

describe("10.3 the subsets of an Endpoints object", () => {
  const web = service({ selector: { app: "web" }, ports: [{ name: "http", port: 8000, targetPort: "web", protocol: "TCP" }] });

  it("lists ready and not-ready pods that match, with the port their container declares", () => {
    const ports = [{ name: "web", containerPort: 8080 }];
    const subsets = computeSubsets(web, [
      pod("b", "10.0.0.12", { ports }),
      pod("a", "10.0.0.9", { ports }),
      pod("slow", "10.0.0.5", { ports, ready: false }),
      pod("pending", undefined, { ports }),
      pod("leaving", "10.0.0.7", { ports, deleting: true }),
      pod("other", "10.0.0.8", { ports, labels: { app: "db" } }),
      pod("unnamed", "10.0.0.20", { ports: [{ name: "metrics", containerPort: 9000 }] }),
    ]);
    expect(subsets).toEqual([
      {
        addresses: [
          { ip: "10.0.0.9", nodeName: "node-1", targetRef: { kind: "Pod", namespace: "default", name: "a", uid: "uid-a" } },
          { ip: "10.0.0.12", nodeName: "node-1", targetRef: { kind: "Pod", namespace: "default", name: "b", uid: "uid-b" } },
        ],
        notReadyAddresses: [
          { ip: "10.0.0.5", nodeName: "node-1", targetRef: { kind: "Pod", namespace: "default", name: "slow", uid: "uid-slow" } },
        ],
        ports: [{ name: "http", port: 8080, protocol: "TCP" }],
      },
    ]);
  });

  it("groups pods by the ports they serve, and leaves a Service without selector alone", () => {
    const subsets = computeSubsets(web, [
      pod("a", "10.0.0.2", { ports: [{ name: "web", containerPort: 80 }] }),
      pod("b", "10.0.0.3", { ports: [{ name: "web", containerPort: 81 }] }),
    ]);
    expect(subsets?.map((s) => [s.addresses?.map((a) => a.ip), s.ports?.[0]?.port])).toEqual([
      [["10.0.0.2"], 80],
      [["10.0.0.3"], 81],
    ]);
    expect(computeSubsets(service({ ports: [{ port: 80 }] }), [pod("a", "10.0.0.2")])).toBeUndefined();
  });
});

describe("10.2 what the proxy serves", () => {
  it("one entry per TCP port of every Service with a cluster IP, with only the ready endpoints of that port", () => {
    const services = [
      service({
        clusterIP: "10.96.0.10",
        type: "NodePort",
        ports: [
          { name: "http", port: 80, protocol: "TCP", nodePort: 30080 },
          { name: "admin", port: 81, protocol: "TCP", nodePort: 30081 },
        ],
      }),
      service({ clusterIP: "None", ports: [{ port: 80, protocol: "TCP" }] }, "headless"),
      service({ clusterIP: "10.96.0.11", ports: [{ port: 5432, protocol: "TCP" }] }, "db"),
    ];
    const endpoints: Endpoints[] = [
      {
        metadata: { name: "web", namespace: "default" },
        subsets: [
          {
            addresses: [{ ip: "10.0.0.2" }, { ip: "10.0.0.3" }],
            notReadyAddresses: [{ ip: "10.0.0.4" }],
            ports: [
              { name: "http", port: 8080 },
              { name: "admin", port: 9090 },
            ],
          },
        ],
      },
    ];
    expect(servicePorts(services, endpoints)).toEqual([
      {
        key: "default/web:http",
        clusterIP: "10.96.0.10",
        port: 80,
        nodePort: 30080,
        endpoints: [
          { ip: "10.0.0.2", port: 8080 },
          { ip: "10.0.0.3", port: 8080 },
        ],
      },
      {
        key: "default/web:admin",
        clusterIP: "10.96.0.10",
        port: 81,
        nodePort: 30081,
        endpoints: [
          { ip: "10.0.0.2", port: 9090 },
          { ip: "10.0.0.3", port: 9090 },
        ],
      },
      { key: "default/db:", clusterIP: "10.96.0.11", port: 5432, endpoints: [] },
    ]);
  });

  it("puts cluster IPs on the bridge with `ip addr`, and takes them off without minding one already gone", () => {
    expect(
      ipCommands("br-0123456789ab", [
        { ip: "10.96.0.10", op: "add" },
        { ip: "10.96.0.11", op: "del" },
      ]),
    ).toBe(
      "ip addr replace 10.96.0.10/32 dev br-0123456789ab && { ip addr del 10.96.0.11/32 dev br-0123456789ab 2>/dev/null || true; }",
    );
  });
});

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

it("10.4 round robin > hands out the endpoints in turn, wrapping around", () => {
  const rr = new RoundRobin();
  expect(rr.next()).toBeUndefined();
  rr.setEndpoints([
    { ip: "10.0.0.1", port: 80 },
    { ip: "10.0.0.2", port: 80 },
    { ip: "10.0.0.3", port: 80 },
  ]);
  expect(Array.from({ length: 7 }, () => rr.next()?.ip)).toEqual([
    "10.0.0.1",
    "10.0.0.2",
    "10.0.0.3",
    "10.0.0.1",
    "10.0.0.2",
    "10.0.0.3",
    "10.0.0.1",
  ]);
});

it("10.4 round robin > an update with the same endpoints keeps its place in the rotation", () => {
  // The proxy passes the endpoints on every sync, changed or not: restarting at
  // the first one each time would send most connections to it.
  const endpoints = [
    { ip: "10.0.0.1", port: 80 },
    { ip: "10.0.0.2", port: 80 },
  ];
  const rr = new RoundRobin();
  rr.setEndpoints(endpoints);
  const first = rr.next()?.ip;
  rr.setEndpoints([...endpoints]);
  const second = rr.next()?.ip;
  expect(
    second,
    `expected the turn after ${first} to be 10.0.0.2 (same endpoints again: the rotation goes on), but got ${second}`,
  ).toBe("10.0.0.2");
});

/** A TCP server on loopback that answers every connection with its name. */
async function backend(name: string): Promise<number> {
  const server = net.createServer((s) => s.end(name));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  closers.push(() => new Promise((r) => server.close(() => r())));
  return (server.address() as net.AddressInfo).port;
}

/** A port on loopback where nothing listens (a backend that just died). */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

function fetchOnce(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = "";
    const socket = net.connect({ host: "127.0.0.1", port });
    // A proxy that never answers nor closes fails the test instead of hanging it.
    socket.setTimeout(5_000, () => socket.destroy(new Error(`no answer and no close from 127.0.0.1:${port} within 5 s`)));
    socket.on("data", (d) => (data += d.toString()));
    socket.on("error", reject);
    socket.on("close", () => resolve(data));
  });
}

it("10.5 forwarding > joins each connection to the next endpoint, and skips one that refuses", async () => {
  const rr = new RoundRobin();
  rr.setEndpoints([
    { ip: "127.0.0.1", port: await backend("one") },
    { ip: "127.0.0.1", port: await deadPort() },
    { ip: "127.0.0.1", port: await backend("two") },
  ]);
  const proxy = new PortProxy({ host: "127.0.0.1", port: 0, balancer: rr });
  await proxy.listen();
  closers.push(() => proxy.close());
  const port = proxy.listeningPort();
  const answers: string[] = [];
  for (let i = 0; i < 4; i++) answers.push(await fetchOnce(port));
  expect(answers).toEqual(["one", "two", "one", "two"]);

  // No endpoints at all: the connection is closed at once, with nothing sent.
  rr.setEndpoints([]);
  expect(await fetchOnce(port)).toBe("");
});

describe("10.6 service environment variables", () => {
  it("are the host and port of a Service, plus the Docker-links style ones", () => {
    const s = service(
      {
        clusterIP: "10.96.0.12",
        ports: [
          { name: "http", port: 8000, protocol: "TCP" },
          { name: "admin-api", port: 9000, protocol: "TCP" },
        ],
      },
      "my-web",
    );
    expect(serviceVariables(s)).toEqual({
      MY_WEB_SERVICE_HOST: "10.96.0.12",
      MY_WEB_SERVICE_PORT: "8000",
      MY_WEB_SERVICE_PORT_HTTP: "8000",
      MY_WEB_SERVICE_PORT_ADMIN_API: "9000",
      MY_WEB_PORT: "tcp://10.96.0.12:8000",
      MY_WEB_PORT_8000_TCP: "tcp://10.96.0.12:8000",
      MY_WEB_PORT_8000_TCP_PROTO: "tcp",
      MY_WEB_PORT_8000_TCP_PORT: "8000",
      MY_WEB_PORT_8000_TCP_ADDR: "10.96.0.12",
      MY_WEB_PORT_9000_TCP: "tcp://10.96.0.12:9000",
      MY_WEB_PORT_9000_TCP_PROTO: "tcp",
      MY_WEB_PORT_9000_TCP_PORT: "9000",
      MY_WEB_PORT_9000_TCP_ADDR: "10.96.0.12",
    });
    expect(serviceVariables(service({ clusterIP: "None", ports: [{ port: 80 }] }))).toEqual({});
  });
});
