/**
 * The ingress controller: an HTTP reverse proxy that routes by the Ingress
 * rules of its class. In a real cluster this is ingress-nginx, Traefik,
 * Envoy...: each watches Ingresses and programs its proxy. Given code, except
 * the routing decision (match.ts).
 *
 *   client --HTTP, Host: a.example--> controller (127.0.0.1:PORT)
 *        route(ingresses, host, path) -> Service "a", port "http"
 *        Endpoints "a" -> ready pod 172.21.0.5:80 (round robin)
 *        --HTTP--> the pod, straight (like ingress-nginx, it skips the cluster IP)
 *
 * Answers of its own: 404 when no rule and no default backend match; 503
 * when the backend's Service is missing or has no ready endpoint; 502 when
 * the pod does not answer.
 *
 * It also writes the Ingress's status (the ADDRESS column of `kubectl get
 * ingress`): the address it listens on.
 */
import http from "node:http";
import type { Endpoints, Service } from "../../../shared/api/service.ts";
import type { Ingress, IngressBackend, IngressClass } from "../../../shared/api/networking.ts";
import { DEFAULT_INGRESS_CLASS_ANNOTATION } from "../../../shared/api/networking.ts";
import { Informer } from "../../04-kubectl/client/informer.ts";
import { RestClient } from "../../04-kubectl/client/rest.ts";
import { ENDPOINTS, SERVICES } from "../../10-services/client/resources.ts";
import { INGRESS_CLASSES, INGRESSES } from "../client/resources.ts";
import { hostOf, route } from "./match.ts";

/** The value of IngressClass.spec.controller that this controller answers to. */
export const CONTROLLER_NAME = "k8s-workshop.local/ingress-controller";

export interface IngressControllerOptions {
  server: string;
  token?: string;
  /** Where to listen: 127.0.0.1 (loopback only) and a port (0: any free one). */
  host?: string;
  port?: number;
  log?: (line: string) => void;
}

type Target = { ip: string; port: number } | { status: 503 | 404; message: string };

export class IngressController {
  private readonly client: RestClient;
  private readonly ingresses: Informer<Ingress>;
  private readonly classes: Informer<IngressClass>;
  private readonly services: Informer<Service>;
  private readonly endpoints: Informer<Endpoints>;
  private readonly server: http.Server;
  private readonly next = new Map<string, number>();
  private readonly log: (line: string) => void;

  constructor(private readonly options: IngressControllerOptions) {
    this.log = options.log ?? (() => {});
    this.client = new RestClient({ server: options.server, token: options.token });
    const onError = (err: Error) => this.log(`ingress: ${err.message}`);
    this.ingresses = new Informer<Ingress>(this.client.resource<Ingress>(INGRESSES), { onError });
    this.classes = new Informer<IngressClass>(this.client.resource<IngressClass>(INGRESS_CLASSES), { onError });
    this.services = new Informer<Service>(this.client.resource<Service>(SERVICES), { onError });
    this.endpoints = new Informer<Endpoints>(this.client.resource<Endpoints>(ENDPOINTS), { onError });
    this.ingresses.onAdd((i) => void this.writeStatus(i));
    this.ingresses.onUpdate((_, i) => void this.writeStatus(i));
    this.server = http.createServer((req, res) => this.handle(req, res));
  }

  private informers(): { start(): void; waitForSync(): Promise<void>; stop(): Promise<void> }[] {
    return [this.ingresses, this.classes, this.services, this.endpoints];
  }

  /** http://127.0.0.1:PORT */
  get url(): string {
    const address = this.server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    return `http://${this.options.host ?? "127.0.0.1"}:${port}`;
  }

  async start(): Promise<void> {
    for (const i of this.informers()) i.start();
    await Promise.all(this.informers().map((i) => i.waitForSync()));
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.options.port ?? 0, this.options.host ?? "127.0.0.1", () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    for (const ingress of this.ingresses.list()) await this.writeStatus(ingress);
  }

  /** The Ingresses this controller serves: its class by name, or no class when its class is the default. */
  mine(): Ingress[] {
    const classes = this.classes.list().filter((c) => c.spec?.controller === CONTROLLER_NAME);
    const names = new Set(classes.map((c) => c.metadata?.name));
    const isDefault = classes.some((c) => c.metadata?.annotations?.[DEFAULT_INGRESS_CLASS_ANNOTATION] === "true");
    return this.ingresses
      .list()
      .filter((i) => (i.spec?.ingressClassName ? names.has(i.spec.ingressClassName) : isDefault))
      .sort(
        (a, b) =>
          (a.metadata?.creationTimestamp ?? "").localeCompare(b.metadata?.creationTimestamp ?? "") ||
          keyOf(a).localeCompare(keyOf(b)),
      );
  }

  /** Service port -> a ready endpoint, round robin; or why there is none. */
  private target(namespace: string, backend: IngressBackend): Target {
    const ref = backend.service;
    if (!ref) return { status: 503, message: "the backend is not a Service" };
    const service = this.services.list().find((s) => s.metadata?.namespace === namespace && s.metadata?.name === ref.name);
    const port = service?.spec?.ports?.find((p) => (ref.port?.name ? p.name === ref.port.name : p.port === ref.port?.number));
    if (!service || !port) return { status: 503, message: `service "${namespace}/${ref.name}" has no such port` };
    const eps = this.endpoints.list().find((e) => e.metadata?.namespace === namespace && e.metadata?.name === ref.name);
    const ready = (eps?.subsets ?? []).flatMap((s) => {
      const p = s.ports?.find((sp) => (sp.name ?? "") === (port.name ?? ""));
      return p ? (s.addresses ?? []).map((a) => ({ ip: a.ip, port: p.port })) : [];
    });
    if (ready.length === 0) return { status: 503, message: `service "${namespace}/${ref.name}" has no ready endpoint` };
    const key = `${namespace}/${ref.name}:${port.name ?? port.port}`;
    const i = (this.next.get(key) ?? 0) % ready.length;
    this.next.set(key, i + 1);
    return ready[i]!;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? "/").split("?")[0]!;
    const found = route(this.mine(), hostOf(req.headers.host), path);
    const target: Target = found
      ? this.target(found.ingress.metadata?.namespace ?? "default", found.backend)
      : { status: 404, message: "no Ingress rule matches this host and path, and there is no default backend" };
    if ("status" in target) {
      res.writeHead(target.status, { "content-type": "text/plain" }).end(`${target.status}: ${target.message}\n`);
      return;
    }
    const upstream = http.request(
      {
        host: target.ip,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, "x-forwarded-host": req.headers.host ?? "" },
        timeout: 10_000,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("timeout", () => upstream.destroy(new Error("no answer within 10 s")));
    upstream.on("error", (err) => {
      this.log(`ingress: ${target.ip}:${target.port}: ${err.message}`);
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" }).end(`502: ${err.message}\n`);
      else res.destroy();
    });
    req.pipe(upstream);
  }

  /** ADDRESS: where this controller listens, on the Ingresses it serves. */
  private async writeStatus(ingress: Ingress): Promise<void> {
    if (!this.server.listening || !this.mine().some((i) => keyOf(i) === keyOf(ingress))) return;
    const ip = this.options.host ?? "127.0.0.1";
    const port = new URL(this.url).port;
    const now = ingress.status?.loadBalancer?.ingress?.[0];
    if (now?.ip === ip && String(now.ports?.[0]?.port) === port) return;
    try {
      const status = { loadBalancer: { ingress: [{ ip, ports: [{ port: Number(port), protocol: "TCP" }] }] } };
      await this.client.resource<Ingress>(INGRESSES).updateStatus({ ...ingress, status });
    } catch (err) {
      this.log(`ingress: status of ${keyOf(ingress)}: ${(err as Error).message}`); // a conflict: the next update brings it back
    }
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.all(this.informers().map((i) => i.stop()));
  }
}

function keyOf(o: Ingress): string {
  return `${o.metadata?.namespace}/${o.metadata?.name}`;
}

export async function startIngressController(options: IngressControllerOptions): Promise<IngressController> {
  const controller = new IngressController(options);
  try {
    await controller.start();
  } catch (err) {
    await controller.stop().catch(() => {});
    throw err;
  }
  return controller;
}
