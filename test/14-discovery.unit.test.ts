/**
 * Chapter 14 without Docker: the DNS wire format (names with compression
 * pointers, malformed input), the answers of the zone cluster.local, the
 * server on UDP and TCP, each pod's resolv.conf, and Ingress matching.
 */
import dgram from "node:dgram";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answer, type ClusterRecords } from "@tree/14-discovery/dns/answer.ts";
import { decodeMessage, readName } from "@tree/14-discovery/dns/decode.ts";
import { encodeMessage, encodeName } from "@tree/14-discovery/dns/encode.ts";
import { CLASS_IN, emptyFlags, FormatError, RCODE, TYPE, type Message } from "@tree/14-discovery/dns/message.ts";
import { DnsServer, handleQuery } from "@tree/14-discovery/dns/server.ts";
import { pathMatches, route } from "@tree/14-discovery/ingress/match.ts";
import { formatResolvConf, podResolvConf } from "@tree/14-discovery/kubelet/resolv-conf.ts";
import type { Pod } from "../shared/api/index.ts";
import type { HTTPIngressPath, Ingress } from "../shared/api/networking.ts";
import type { Endpoints, Service, ServicePort } from "../shared/api/service.ts";

/** A query as a resolver sends it: id, RD set, one question of class IN. */
function query(name: string, type: number = TYPE.A, id = 0x1234): Message {
  return {
    id,
    flags: { ...emptyFlags(), recursionDesired: true },
    questions: [{ name, type, class: CLASS_IN }],
    answers: [],
    authority: [],
  };
}

/** The bytes of a query, written by hand (so a wrong encoder cannot hide a wrong decoder). */
function queryBytes(name: string, type: number, id = 0xbeef): Buffer {
  const header = Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  const labels = name.split(".").flatMap((l) => [Buffer.from([l.length]), Buffer.from(l)]);
  return Buffer.concat([header, ...labels, Buffer.from([0, type >> 8, type & 0xff, 0, 1])]);
}

/**
 * Compares encoded bytes with the expected message, given as labelled parts.
 * On a difference it names the first byte that differs, the part it falls in
 * and a few bytes on each side, instead of two long hex strings.
 */
function expectBytes(actual: Buffer, parts: Array<[label: string, bytes: number[]]>): void {
  const expected = Buffer.from(parts.flatMap(([, bytes]) => bytes));
  if (actual.equals(expected)) return;
  let at = 0;
  while (at < actual.length && at < expected.length && actual[at] === expected[at]) at++;
  let start = 0;
  const [label] = parts.find(([, bytes]) => (start += bytes.length) > at) ?? ["after the last expected byte"];
  const around = (b: Buffer) =>
    b
      .subarray(Math.max(0, at - 4), at + 8)
      .toString("hex")
      .replace(/(..)/g, "$1 ")
      .trim();
  expect.fail(
    `first difference at byte ${at} of ${expected.length} (in ${label}); ` +
      `got ${actual.length} bytes. Bytes ${Math.max(0, at - 4)}..: got [${around(actual)}], want [${around(expected)}]`,
  );
}

const service = (name: string, namespace: string, clusterIP: string, ports: ServicePort[] = [{ port: 80 }]): Service => ({
  metadata: { name, namespace },
  spec: { clusterIP, ports },
});
const endpoints = (name: string, namespace: string, ready: string[], notReady: string[] = [], port = 8080): Endpoints => ({
  metadata: { name, namespace },
  subsets: [
    {
      addresses: ready.map((ip) => ({ ip })),
      notReadyAddresses: notReady.map((ip) => ({ ip })),
      ports: [{ name: "http", port }],
    },
  ],
});

const records: ClusterRecords = {
  services: () => [
    service("web", "default", "10.96.0.12", [{ name: "http", port: 80, protocol: "TCP" }]),
    service("db", "prod", "None", [{ name: "http", port: 80, protocol: "TCP" }]),
  ],
  endpoints: () => [
    endpoints("web", "default", ["172.21.0.3"]),
    endpoints("db", "prod", ["172.21.0.4", "172.21.0.5"], ["172.21.0.6"]),
  ],
};

// ---- 14.1 names
it("14.1 names > reads labels up to the zero byte, lower case, and says where the name ends", () => {
  const buf = Buffer.from([0xff, 3, ...Buffer.from("WeB"), 7, ...Buffer.from("default"), 0, 0xaa]);
  expect(readName(buf, 1)).toEqual({ name: "web.default", next: 14 });
  expect(readName(Buffer.from([0]), 0)).toEqual({ name: "", next: 1 });
});

it("14.1 names > follows a compression pointer, and `next` is right after the pointer", () => {
  // offset 0: web.default; offset 13: "api" + pointer to offset 0
  const buf = Buffer.from([
    3,
    ...Buffer.from("web"),
    7,
    ...Buffer.from("default"),
    0,
    3,
    ...Buffer.from("api"),
    0xc0,
    0x00,
    0x77,
  ]);
  expect(readName(buf, 13)).toEqual({ name: "api.web.default", next: 19 });
  // A pointer to a pointer.
  const chained = Buffer.concat([buf, Buffer.from([0xc0, 13])]);
  expect(readName(chained, 20)).toEqual({ name: "api.web.default", next: 22 });
});

it("14.1 names > throws FormatError for a cut name, a pointer loop, a reserved label type, and a name over 255 bytes", () => {
  const cases: [string, Buffer, number][] = [
    ["a label cut short", Buffer.from([5, ...Buffer.from("ab")]), 0],
    ["no zero byte", Buffer.from([2, ...Buffer.from("ab")]), 0],
    ["a pointer cut short", Buffer.from([0xc0]), 0],
    ["a pointer past the end", Buffer.from([0xc0, 0x40]), 0],
    ["a pointer to itself", Buffer.from([0xc0, 0x00]), 0],
    ["two pointers that loop", Buffer.from([0xc0, 0x02, 0xc0, 0x00]), 0],
    ["reserved label type 01 (0x41: not a 65-byte label)", Buffer.from([0x41, ...Buffer.alloc(65, 97), 0]), 0],
    ["reserved label type 10 (0x80: not a 128-byte label)", Buffer.from([0x80, ...Buffer.alloc(128, 97), 0]), 0],
    [
      "a name of 300 bytes",
      Buffer.concat([...Array.from({ length: 5 }, () => Buffer.from([59, ...Buffer.alloc(59, 97)])), Buffer.from([0])]),
      0,
    ],
  ];
  for (const [what, buf, offset] of cases) {
    expect(() => readName(buf, offset), what).toThrow(FormatError);
  }
});

// ---- 14.2 encode
it("14.2 encode > writes the header, the question and an A record byte for byte", () => {
  const msg: Message = {
    id: 0xabcd,
    flags: { ...emptyFlags(), response: true, authoritative: true, recursionDesired: true, rcode: RCODE.NOERROR },
    questions: [{ name: "web", type: TYPE.A, class: CLASS_IN }],
    answers: [{ name: "web", ttl: 5, data: { type: TYPE.A, address: "10.96.0.12" } }],
    authority: [],
  };
  expectBytes(encodeMessage(msg), [
    ["the header: id, flags QR AA RD, 1 question, 1 answer", [0xab, 0xcd, 0x85, 0x00, 0, 1, 0, 1, 0, 0, 0, 0]],
    ["the question: name, type A, class IN", [3, ...Buffer.from("web"), 0, 0, 1, 0, 1]],
    ["the answer: name, type A, class IN, ttl 5", [3, ...Buffer.from("web"), 0, 0, 1, 0, 1, 0, 0, 0, 5]],
    ["the answer's rdlength and address", [0, 4, 10, 96, 0, 12]],
  ]);
});

it("14.2 encode > SRV and SOA data carry their real rdlength, so the records after them still read", () => {
  const msg: Message = {
    id: 7,
    flags: { ...emptyFlags(), response: true, rcode: RCODE.NXDOMAIN },
    questions: [{ name: "_http._tcp.web.default.svc.cluster.local", type: TYPE.SRV, class: CLASS_IN }],
    answers: [
      {
        name: "_http._tcp.web.default.svc.cluster.local",
        ttl: 5,
        data: { type: TYPE.SRV, priority: 0, weight: 100, port: 80, target: "web.default.svc.cluster.local" },
      },
      { name: "web.default.svc.cluster.local", ttl: 5, data: { type: TYPE.A, address: "10.96.0.12" } },
    ],
    authority: [
      {
        name: "cluster.local",
        ttl: 5,
        data: {
          type: TYPE.SOA,
          mname: "ns.dns.cluster.local",
          rname: "hostmaster.cluster.local",
          serial: 4294967295,
          refresh: 7200,
          retry: 1800,
          expire: 86400,
          minimum: 5,
        },
      },
    ],
  };
  const bytes = encodeMessage(msg);
  // The SRV rdata: 6 bytes of numbers + the target name (31 bytes uncompressed).
  const srvAt = 12 + encodeName(msg.questions[0]!.name).length + 4 + encodeName(msg.answers[0]!.name).length;
  expect(bytes.readUInt16BE(srvAt + 8), "SRV rdlength").toBe(6 + encodeName("web.default.svc.cluster.local").length);
  const back = decodeMessage(bytes);
  expect(back).toEqual(msg);
  // Every byte, written out: the rdata layouts of RFC 2782 (SRV) and RFC 1035 3.3.13 (SOA).
  const n = (s: string) => [...encodeName(s)];
  const u16 = (v: number) => [v >> 8, v & 0xff];
  const u32 = (v: number) => [...u16(Math.floor(v / 65536)), ...u16(v % 65536)];
  const srvTarget = n("web.default.svc.cluster.local");
  const soaData = [
    ...n("ns.dns.cluster.local"),
    ...n("hostmaster.cluster.local"),
    ...[4294967295, 7200, 1800, 86400, 5].flatMap(u32),
  ];
  expectBytes(bytes, [
    ["the header: id 7, QR, NXDOMAIN, 1 question, 2 answers, 1 authority", [0, 7, 0x80, 0x03, 0, 1, 0, 2, 0, 1, 0, 0]],
    ["the question", [...n("_http._tcp.web.default.svc.cluster.local"), ...u16(TYPE.SRV), ...u16(CLASS_IN)]],
    ["the SRV record's name", n("_http._tcp.web.default.svc.cluster.local")],
    [
      "the SRV record's type, class, ttl, rdlength",
      [...u16(TYPE.SRV), ...u16(CLASS_IN), ...u32(5), ...u16(6 + srvTarget.length)],
    ],
    ["the SRV rdata: priority, weight, port, target", [...u16(0), ...u16(100), ...u16(80), ...srvTarget]],
    [
      "the A record",
      [...n("web.default.svc.cluster.local"), ...u16(TYPE.A), ...u16(CLASS_IN), ...u32(5), ...u16(4), 10, 96, 0, 12],
    ],
    ["the SOA record's name", n("cluster.local")],
    ["the SOA record's type, class, ttl, rdlength", [...u16(TYPE.SOA), ...u16(CLASS_IN), ...u32(5), ...u16(soaData.length)]],
    ["the SOA rdata: mname, rname, serial, refresh, retry, expire, minimum", soaData],
  ]);
});

// ---- 14.3 answers
const ask = (name: string, type: number = TYPE.A) => answer(query(name, type), records);

it("14.3 answers > a Service's name is its cluster IP, authoritative, with the question and id echoed", () => {
  const reply = ask("web.default.svc.cluster.local");
  expect(reply.id).toBe(0x1234);
  expect(reply.flags).toMatchObject({ response: true, authoritative: true, recursionDesired: true, rcode: RCODE.NOERROR });
  expect(reply.questions).toEqual(query("web.default.svc.cluster.local").questions);
  expect(reply.answers).toEqual([
    { name: "web.default.svc.cluster.local", ttl: 5, data: { type: TYPE.A, address: "10.96.0.12" } },
  ]);
  expect(ask("WEB.Default.svc.cluster.local.").answers.map((a) => a.data)).toEqual([{ type: TYPE.A, address: "10.96.0.12" }]);
});

it("14.3 answers > a headless Service has one A record per READY endpoint", () => {
  const reply = ask("db.prod.svc.cluster.local");
  expect(reply.flags.rcode).toBe(RCODE.NOERROR);
  expect(reply.answers.map((a) => (a.data.type === TYPE.A ? a.data.address : "?")).sort()).toEqual(["172.21.0.4", "172.21.0.5"]);
});

it("14.3 answers > SRV for a named port: the Service's port and name; for a headless Service, one per endpoint", () => {
  expect(ask("_http._tcp.web.default.svc.cluster.local", TYPE.SRV).answers.map((a) => a.data)).toEqual([
    { type: TYPE.SRV, priority: 0, weight: 100, port: 80, target: "web.default.svc.cluster.local" },
  ]);
  const headless = ask("_http._tcp.db.prod.svc.cluster.local", TYPE.SRV).answers.map((a) => a.data);
  expect(headless).toHaveLength(2);
  expect(headless).toContainEqual({
    type: TYPE.SRV,
    priority: 0,
    weight: 100,
    port: 8080,
    target: "172-21-0-4.db.prod.svc.cluster.local",
  });
  expect(ask("_http._udp.web.default.svc.cluster.local", TYPE.SRV).flags.rcode, "no UDP port named http").toBe(RCODE.NXDOMAIN);
});

it("14.3 answers > an unknown name in the zone is NXDOMAIN with the zone's SOA in the authority section", () => {
  for (const name of ["nope.default.svc.cluster.local", "web.other.svc.cluster.local", "web.default.pod.cluster.local"]) {
    const reply = ask(name);
    expect(reply.flags.rcode, name).toBe(RCODE.NXDOMAIN);
    expect(reply.flags.authoritative, name).toBe(true);
    expect(reply.answers, name).toEqual([]);
    expect(
      reply.authority.map((r) => [r.name, r.data.type]),
      name,
    ).toEqual([["cluster.local", TYPE.SOA]]);
  }
});

it("14.3 answers > a name that exists without records of the type asked (AAAA) is NOERROR and empty, not NXDOMAIN", () => {
  for (const name of ["web.default.svc.cluster.local", "default.svc.cluster.local", "svc.cluster.local"]) {
    const reply = ask(name, TYPE.AAAA);
    expect(reply.flags.rcode, name).toBe(RCODE.NOERROR);
    expect(reply.answers, name).toEqual([]);
    expect(
      reply.authority.map((r) => r.data.type),
      name,
    ).toEqual([TYPE.SOA]);
  }
});

it("14.3 answers > a name outside the zone is REFUSED: this server does not recurse", () => {
  for (const name of ["example.com", "notcluster.local", "web"]) {
    const reply = ask(name);
    expect(reply.flags.rcode, name).toBe(RCODE.REFUSED);
    expect(reply.flags.recursionAvailable, name).toBe(false);
    expect(reply.answers, name).toEqual([]);
  }
});

describe("14.3 server", () => {
  let server: DnsServer;
  beforeAll(async () => {
    server = new DnsServer({ host: "127.0.0.1", records });
    await server.listen();
  });
  afterAll(() => server?.close());

  const udp = (bytes: Buffer) =>
    new Promise<Buffer>((resolve, reject) => {
      const socket = dgram.createSocket("udp4");
      const timer = setTimeout(() => {
        socket.close();
        reject(new Error("no UDP answer within 3 s"));
      }, 3_000);
      socket.once("message", (reply) => {
        clearTimeout(timer);
        socket.close();
        resolve(reply);
      });
      socket.send(bytes, server.port, "127.0.0.1");
    });

  it("answers a query over UDP, read back with its question and answer", async () => {
    const reply = decodeMessage(await udp(queryBytes("web.default.svc.cluster.local", TYPE.A)));
    expect(reply.id).toBe(0xbeef);
    expect(reply.answers.map((a) => a.data)).toEqual([{ type: TYPE.A, address: "10.96.0.12" }]);
  });

  it("a truncated or garbled packet gets FORMERR with its id, and the server keeps answering", async () => {
    const whole = queryBytes("web.default.svc.cluster.local", TYPE.A, 0x4242);
    for (const cut of [
      whole.subarray(0, 14),
      whole.subarray(0, whole.length - 3),
      Buffer.concat([whole.subarray(0, 12), Buffer.from([0xc0, 0x0c])]),
    ]) {
      const reply = decodeMessage(await udp(cut));
      expect(reply.id).toBe(0x4242);
      expect(reply.flags.rcode).toBe(RCODE.FORMERR);
    }
    expect(handleQuery(Buffer.from([1]), records).length, "not even an id: no answer").toBe(0);
    expect(decodeMessage(await udp(queryBytes("web.default.svc.cluster.local", TYPE.A))).flags.rcode).toBe(RCODE.NOERROR);
  });

  it("answers over TCP on the same port, two length-prefixed queries on one connection", async () => {
    const socket = net.connect(server.port, "127.0.0.1");
    const framed = (b: Buffer) => Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
    socket.write(
      Buffer.concat([
        framed(queryBytes("web.default.svc.cluster.local", TYPE.A, 1)),
        framed(queryBytes("x.cluster.local", TYPE.A, 2)),
      ]),
    );
    const replies = await new Promise<Message[]>((resolve, reject) => {
      let data = Buffer.alloc(0);
      const out: Message[] = [];
      socket.on("error", reject);
      socket.on("data", (chunk: Buffer) => {
        data = Buffer.concat([data, chunk]);
        while (data.length >= 2 && data.length >= 2 + data.readUInt16BE(0)) {
          out.push(decodeMessage(data.subarray(2, 2 + data.readUInt16BE(0))));
          data = data.subarray(2 + data.readUInt16BE(0));
        }
        if (out.length === 2) resolve(out);
      });
    });
    socket.destroy();
    expect(replies.map((r) => [r.id, r.flags.rcode])).toEqual([
      [1, RCODE.NOERROR],
      [2, RCODE.NXDOMAIN],
    ]);
  });
});

// ---- 14.4 resolv.conf
const cluster = { nameserver: "172.21.128.10", domain: "cluster.local" };
const pod = (spec: Partial<NonNullable<Pod["spec"]>> & { dnsConfig?: unknown } = {}, namespace = "shop"): Pod => ({
  metadata: { name: "p", namespace },
  spec: { containers: [{ name: "c", image: "busybox" }], ...spec } as Pod["spec"],
});

it("14.4 resolv.conf > ClusterFirst (the default): the cluster DNS, the namespace's search list, ndots:5", () => {
  const text = "nameserver 172.21.128.10\nsearch shop.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n";
  expect(formatResolvConf(podResolvConf(pod(), cluster)!)).toBe(text);
  expect(formatResolvConf(podResolvConf(pod({ dnsPolicy: "ClusterFirst" }), cluster)!)).toBe(text);
});

it("14.4 resolv.conf > Default keeps the node's file; None takes only dnsConfig", () => {
  expect(podResolvConf(pod({ dnsPolicy: "Default" }), cluster)).toBeUndefined();
  const conf = podResolvConf(
    pod({
      dnsPolicy: "None",
      dnsConfig: {
        nameservers: ["1.2.3.4"],
        searches: ["a.example"],
        options: [{ name: "ndots", value: "2" }, { name: "edns0" }],
      },
    }),
    cluster,
  );
  expect(conf).toEqual({ nameservers: ["1.2.3.4"], searches: ["a.example"], options: ["ndots:2", "edns0"] });
});

it("14.4 resolv.conf > dnsConfig adds to ClusterFirst: after ours, no duplicates, an option of the same name replaces ours, at most 3 name servers", () => {
  const conf = podResolvConf(
    pod({
      dnsConfig: {
        nameservers: ["172.21.128.10", "1.1.1.1", "2.2.2.2", "3.3.3.3"],
        searches: ["cluster.local", "corp.example"],
        options: [{ name: "ndots", value: "1" }],
      },
    }),
    cluster,
  );
  expect(conf).toEqual({
    nameservers: ["172.21.128.10", "1.1.1.1", "2.2.2.2"],
    searches: ["shop.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example"],
    options: ["ndots:1"],
  });
});

// ---- 14.5 ingress
const p = (path: string, pathType: HTTPIngressPath["pathType"], name = path): HTTPIngressPath => ({
  path,
  pathType,
  backend: { service: { name, port: { number: 80 } } },
});

it("14.5 paths > Prefix matches whole path elements; a trailing slash does not count", () => {
  const cases: [string, string, boolean][] = [
    ["/", "/anything/at/all", true],
    ["/foo", "/foo", true],
    ["/foo", "/foo/", true],
    ["/foo/", "/foo", true],
    ["/foo", "/foo/bar", true],
    ["/foo", "/foobar", false],
    ["/foo/bar", "/foo/bar/baz", true],
    ["/foo/bar", "/foo/barbaz", false],
    ["/foo/bar", "/foo", false],
    ["/aaa/bb", "/aaa/bbb", false],
    ["/Foo", "/foo", false],
  ];
  for (const [rule, path, want] of cases) expect(pathMatches(p(rule, "Prefix"), path), `Prefix ${rule} vs ${path}`).toBe(want);
});

it("14.5 paths > Exact matches only the same string; ImplementationSpecific here is a string prefix", () => {
  expect(pathMatches(p("/foo", "Exact"), "/foo")).toBe(true);
  expect(pathMatches(p("/foo", "Exact"), "/foo/")).toBe(false);
  expect(pathMatches(p("/foo", "Exact"), "/FOO")).toBe(false);
  expect(pathMatches(p("/foo", "ImplementationSpecific"), "/foobar")).toBe(true);
  expect(pathMatches(p("/foo", "ImplementationSpecific"), "/fo")).toBe(false);
});

const ing = (name: string, spec: Ingress["spec"]): Ingress => ({ metadata: { name, namespace: "default" }, spec });
const target = (r: ReturnType<typeof route>) => r?.backend.service?.name;

it("14.5 routing > the longest matching path wins, and Exact beats Prefix of the same length", () => {
  const ingresses = [
    ing("one", { rules: [{ http: { paths: [p("/", "Prefix", "root"), p("/api", "Prefix", "api")] } }] }),
    ing("two", { rules: [{ http: { paths: [p("/api/v2", "Prefix", "v2"), p("/api", "Exact", "api-exact")] } }] }),
  ];
  expect(target(route(ingresses, "x", "/"))).toBe("root");
  expect(target(route(ingresses, "x", "/api/v1"))).toBe("api");
  expect(target(route(ingresses, "x", "/api/v2/users"))).toBe("v2");
  expect(target(route(ingresses, "x", "/api"))).toBe("api-exact");
});

it("14.5 routing > an exact host beats a wildcard, which beats no host; a wildcard covers exactly one label", () => {
  const ingresses = [
    ing("any", { rules: [{ http: { paths: [p("/", "Prefix", "any-host")] } }] }),
    ing("wild", { rules: [{ host: "*.example", http: { paths: [p("/", "Prefix", "wildcard")] } }] }),
    ing("exact", { rules: [{ host: "a.example", http: { paths: [p("/only", "Prefix", "exact-host")] } }] }),
  ];
  expect(target(route(ingresses, "a.example", "/only/here"))).toBe("exact-host");
  expect(target(route(ingresses, "b.example", "/only"))).toBe("wildcard");
  expect(target(route(ingresses, "a.b.example", "/"))).toBe("any-host");
  expect(target(route(ingresses, "example", "/"))).toBe("any-host");
});

it("14.5 routing > with no match: the first default backend, and without one, nothing", () => {
  const rules = ing("r", { rules: [{ host: "a.example", http: { paths: [p("/x", "Exact", "x")] } }] });
  expect(route([rules], "a.example", "/y")).toBeUndefined();
  expect(route([rules], "b.example", "/x")).toBeUndefined();
  const fallback = ing("f", { defaultBackend: { service: { name: "fallback", port: { number: 80 } } } });
  const r = route([rules, fallback], "b.example", "/x");
  expect(target(r)).toBe("fallback");
  expect(r?.ingress.metadata?.name).toBe("f");
});
