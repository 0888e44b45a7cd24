/**
 * What the cluster's DNS server answers: the zone "cluster.local" (the
 * cluster domain), built from the Services and Endpoints that the server's
 * informers hold. The names follow Kubernetes' DNS specification
 * (kubernetes/dns, docs/specification.md):
 *
 *   web.default.svc.cluster.local             A     the cluster IP of Service web in namespace default
 *   db.default.svc.cluster.local              A     headless (clusterIP None): one A per READY endpoint
 *   10-0-0-7.db.default.svc.cluster.local     A     one endpoint of a headless Service, by its dashed IP
 *   _http._tcp.web.default.svc.cluster.local  SRV   a named port: its number, and the name that has the address
 *
 * The server owns this zone: it is "authoritative" (AA). A name in the zone
 * that does not exist gets NXDOMAIN, with the zone's SOA record in the
 * authority section (RFC 2308: it says how long the "no" may be cached).
 */
import type { Endpoints, Service } from "../../../shared/api/service.ts";
import { CLASS_IN, RCODE, TYPE, type Message, type ResourceRecord } from "./message.ts";

/** What the answers are made from: the informers' caches. */
export interface ClusterRecords {
  services(): readonly Service[];
  endpoints(): readonly Endpoints[];
}

export const CLUSTER_DOMAIN = "cluster.local";
/** Seconds a client may cache an answer (CoreDNS's kubernetes plugin also uses 5). */
export const TTL = 5;

/** The zone's SOA record: who owns it, and (minimum) how long a "does not exist" may be cached. */
export function soaRecord(zone: string = CLUSTER_DOMAIN): ResourceRecord {
  return {
    name: zone,
    ttl: TTL,
    data: {
      type: TYPE.SOA,
      mname: `ns.dns.${zone}`,
      rname: `hostmaster.${zone}`,
      serial: 1,
      refresh: 7200,
      retry: 1800,
      expire: 86400,
      minimum: TTL,
    },
  };
}

/** The reply to `query` with this rcode and no records yet: same id, question echoed, RD copied. */
export function replyTo(query: Message, rcode: number): Message {
  return {
    id: query.id,
    flags: {
      response: true,
      opcode: query.flags.opcode,
      authoritative: false,
      truncated: false,
      recursionDesired: query.flags.recursionDesired,
      recursionAvailable: false,
      rcode,
    },
    questions: query.questions,
    answers: [],
    authority: [],
  };
}

/** The ready addresses of an Endpoints object, in order, without duplicates. */
export function readyAddresses(endpoints: Endpoints | undefined): string[] {
  const ips = (endpoints?.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip));
  return [...new Set(ips)];
}

// STEP(14.3): answer one standard query (one question, class IN) from the
// cluster's records, for names in `zone`. A name that exists but has no
// record of the asked type gets NOERROR with no answers (a resolver asks
// A and AAAA for every name: "no AAAA" must not read as "no name"). A name
// in the zone that does not exist: NXDOMAIN. Both carry soaRecord() in the
// authority section, and every answer from the zone is authoritative.
// Names outside the zone: REFUSED (this server does not recurse; there is
// no outside network). Any other opcode, class or question count: NOTIMP.
// SRV records: priority 0, weight 100, the port's number, and as target the
// name that has the address (the Service's name; for a headless Service,
// one record per ready endpoint, named by its IP with dashes).
// Tests: "14.3 answers > ...".
export function answer(query: Message, records: ClusterRecords, zone: string = CLUSTER_DOMAIN): Message {
  //#solution
  const q = query.questions[0];
  if (query.flags.opcode !== 0 || query.questions.length !== 1 || q?.class !== CLASS_IN) return replyTo(query, RCODE.NOTIMP);
  const name = q.name.toLowerCase().replace(/\.$/, "");
  if (name !== zone && !name.endsWith(`.${zone}`)) return replyTo(query, RCODE.REFUSED);

  const found = lookup(name.slice(0, name.length - zone.length).replace(/\.$/, ""), records, zone);
  const reply = replyTo(query, found ? RCODE.NOERROR : RCODE.NXDOMAIN);
  reply.flags.authoritative = true;
  const wanted = (found ?? []).filter((r) => q.type === TYPE.ANY || r.data.type === q.type);
  reply.answers = wanted.map((r) => ({ ...r, name }));
  if (q.type === TYPE.SOA && name === zone) reply.answers = [soaRecord(zone)];
  if (reply.answers.length === 0) reply.authority = [soaRecord(zone)];
  return reply;
  //#end
}

/**
 * The records of a name relative to the zone ("web.default.svc"), or
 * undefined if the name does not exist. Names above a Service (the zone,
 * "svc", "default.svc") exist, with no records of their own.
 */
function lookup(relative: string, records: ClusterRecords, zone: string): ResourceRecord[] | undefined {
  //#solution
  const labels = relative === "" ? [] : relative.split(".");
  const a = (address: string): ResourceRecord => ({ name: "", ttl: TTL, data: { type: TYPE.A, address } });
  if (labels.length === 0 || (labels.length === 1 && labels[0] === "svc")) return [];
  if (labels.at(-1) !== "svc") return undefined;
  const services = records.services();
  if (labels.length === 2) return services.some((s) => s.metadata?.namespace === labels[0]) ? [] : undefined;

  const [namespace, svcName] = [labels.at(-2), labels.at(-3)];
  const service = services.find((s) => s.metadata?.namespace === namespace && s.metadata?.name === svcName);
  if (!service) return undefined;
  const endpoints = records.endpoints().find((e) => e.metadata?.namespace === namespace && e.metadata?.name === svcName);
  const headless = service.spec?.clusterIP === "None";
  const ready = readyAddresses(endpoints);
  const fqdn = `${svcName}.${namespace}.svc`;
  const rest = labels.slice(0, -3);

  if (rest.length === 0) return headless ? ready.map(a) : service.spec?.clusterIP ? [a(service.spec.clusterIP)] : [];
  if (rest.length === 1 && headless) {
    // One endpoint of a headless Service, by its IP with dashes.
    const ip = ready.find((i) => i.replaceAll(".", "-") === rest[0]);
    return ip ? [a(ip)] : undefined;
  }
  if (rest.length === 2 && rest[0]!.startsWith("_") && rest[1]!.startsWith("_")) {
    const [portName, proto] = [rest[0]!.slice(1), rest[1]!.slice(1)];
    const port = (service.spec?.ports ?? []).find((p) => p.name === portName && (p.protocol ?? "TCP").toLowerCase() === proto);
    if (!port) return undefined;
    const srv = (target: string, number: number): ResourceRecord => ({
      name: "",
      ttl: TTL,
      data: { type: TYPE.SRV, priority: 0, weight: 100, port: number, target: `${target}.${zone}` },
    });
    if (!headless) return [srv(fqdn, port.port)];
    const targetPort = (endpoints?.subsets ?? [])[0]?.ports?.find((p) => (p.name ?? "") === portName)?.port ?? port.port;
    return ready.map((ip) => srv(`${ip.replaceAll(".", "-")}.${fqdn}`, targetPort));
  }
  return undefined;
  //#end
}
