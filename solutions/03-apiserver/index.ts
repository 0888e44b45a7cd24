/**
 * The apiserver: the front door of the cluster.
 *
 * It is the only component that talks to the store. Everything else (kubectl,
 * the kubelets, the scheduler, the controllers) is a client of this HTTP API.
 * A request flows through:
 *
 *   authenticate -> authorize -> route -> decode/validate -> admission -> store
 *
 * startApiServer() wires the parts together; the parts live in subfolders:
 *   registry/   what resources exist (and core/: namespaces, pods, nodes, events)
 *   storage/    objects in and out of the store (keys, resourceVersion, CAS)
 *   rest/       create, update, patch, delete with Kubernetes semantics
 *   handlers/   HTTP: paths, verbs, query parameters
 *   watch/      watch streams
 *   table/      Table output for kubectl get
 *   patch/      merge, JSON and strategic merge patches
 *   discovery/, openapi/   what clients read to learn the API
 *   chain/      authentication, authorization, admission (filled by chapter 11)
 *   filters/    list/watch filters (filled by chapter 07)
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import express, { type NextFunction, type Request, type Response } from "express";
import { isApiError, pathNotFound } from "../../shared/api/index.ts";
import type { Store } from "../../shared/store/types.ts";
import { RequestChain } from "./chain/chain.ts";
import { ADMIN } from "./chain/internal.ts";
import { discoveryRouter } from "./discovery/discovery.ts";
import { FilterRegistry } from "./filters/filters.ts";
import type { HandlerContext } from "./handlers/context.ts";
import { director, expressClasses } from "./handlers/director.ts";
import { resourceHandler } from "./handlers/resource-handler.ts";
import { errorMiddleware } from "./http/respond.ts";
import { serveUpgrades } from "./http/upgrade.ts";
import { NamespaceCleaner } from "./namespaces/cleaner.ts";
import { NamespaceLister } from "./namespaces/lister.ts";
import { openApiRouter } from "./openapi/openapi.ts";
import { registerCoreResources } from "./registry/core/index.ts";
import { SYSTEM_NAMESPACES } from "./registry/core/namespaces.ts";
import { ResourceRegistry } from "./registry/registry.ts";
import { createDecoded } from "./rest/create.ts";
import { ObjectStorage } from "./storage/object-storage.ts";
import { TransformerChain } from "./storage/transformers.ts";
import { WatchRegistry } from "./watch/watch.ts";

export interface ApiServerOptions {
  store: Store;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** How often watches that allow bookmarks get a BOOKMARK event. Default 10 s. */
  bookmarkIntervalMs?: number;
}

export interface ApiServer {
  /** http://127.0.0.1:PORT */
  url: string;
  host: string;
  port: number;
  /** The resources served; later chapters register theirs here. */
  registry: ResourceRegistry;
  /** List/watch filters (chapter 07 adds label and field selectors). */
  filters: FilterRegistry;
  /** Authentication, authorization and admission (chapter 11). */
  chain: RequestChain;
  /** Transformers between the API and the store (chapter 11: encryption at rest). */
  transformers: TransformerChain;
  storage: ObjectStorage;
  /** The open watches (how many, and how many were closed because their client fell behind). */
  watches: WatchRegistry;
  /** Ends the open watches and closes the listener. Does not close the store. */
  close(): Promise<void>;
  /**
   * A restart, as when the process is killed and started again with the
   * same flags: every watch and connection is dropped, then the server
   * listens on the same port again. It keeps no state but the store, so
   * nothing is lost; clients reconnect and resume their watches.
   */
  restart(): Promise<void>;
  /**
   * Stops the namespace cleaner of this chapter for good (also after a
   * restart): chapter 15's namespace controller, in the controller manager,
   * deletes namespaces from then on, the way Kubernetes does.
   */
  handOverNamespaceDeletion(): Promise<void>;
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const host = options.host ?? "127.0.0.1";
  const registry = new ResourceRegistry();
  registerCoreResources(registry);
  const transformers = new TransformerChain();
  const storage = new ObjectStorage(options.store, transformers);
  const chain = new RequestChain();
  const filters = new FilterRegistry();
  const watches = new WatchRegistry();
  const ctx: HandlerContext = {
    storage,
    registry,
    chain,
    filters,
    watches,
    watchOptions: { bookmarkIntervalMs: options.bookmarkIntervalMs ?? 10_000 },
  };

  await ensureSystemNamespaces(ctx);
  // Creates check their namespace here rather than in the store (NamespaceLifecycle's lister).
  ctx.namespaces = new NamespaceLister(ctx);
  await ctx.namespaces.start();
  let cleaner = new NamespaceCleaner(ctx);
  await cleaner.start();
  let cleanerHandedOver = false;

  let address = "";
  // The paths that are not resources: discovery, OpenAPI, and 404 for the rest.
  const others = express();
  others.disable("x-powered-by");
  others.set("etag", false);
  others.use(discoveryRouter(registry, () => address));
  others.use(openApiRouter(registry));
  others.use((_req: Request, _res: Response, next: NextFunction) => next(pathNotFound()));
  others.use(errorMiddleware);
  // Every request: the request chain, then resource paths straight to their handler (handlers/director.ts).
  const handler = director(chain, resourceHandler(ctx), others);

  // exec, attach and port-forward upgrade their connection (http/upgrade.ts).
  const upgraded = new Set<Duplex>();
  const listen = (port: number): Promise<Server> =>
    new Promise((resolve, reject) => {
      const s = createServer(expressClasses(others), handler);
      s.once("error", reject);
      s.listen(port, host, () => resolve(s));
      serveUpgrades(s, handler, upgraded);
    });
  let server = await listen(options.port ?? 0);
  // Watches are long-lived: no request timeout; idle keep-alive sockets close after 5 s.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 5_000;
  const port = (server.address() as AddressInfo).port;
  address = `${host}:${port}`;
  const stopServing = async () => {
    watches.closeAll();
    await cleaner.stop();
    await ctx.namespaces?.stop();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
      for (const socket of upgraded) socket.destroy();
    });
  };

  let closed: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    host,
    port,
    registry,
    filters,
    chain,
    transformers,
    storage,
    watches,
    close() {
      closed ??= stopServing();
      return closed;
    },
    async restart() {
      if (closed) throw new Error("the apiserver is closed: start a new one");
      await stopServing();
      server = await listen(port);
      server.requestTimeout = 0;
      server.keepAliveTimeout = 5_000;
      ctx.namespaces = new NamespaceLister(ctx);
      await ctx.namespaces.start();
      cleaner = new NamespaceCleaner(ctx);
      if (!cleanerHandedOver) await cleaner.start();
    },
    async handOverNamespaceDeletion() {
      cleanerHandedOver = true;
      await cleaner.stop();
    },
  };
}

/** default, kube-system, kube-public and kube-node-lease exist from the start. */
async function ensureSystemNamespaces(ctx: HandlerContext): Promise<void> {
  const namespaces = ctx.registry.lookup("", "v1", "namespaces")!;
  for (const name of SYSTEM_NAMESPACES) {
    try {
      await createDecoded(
        ctx,
        namespaces,
        undefined,
        { apiVersion: "v1", kind: "Namespace", metadata: { name } },
        { user: ADMIN, fieldValidation: "Strict", dryRun: false },
      );
    } catch (err) {
      if (!isApiError(err, "AlreadyExists")) throw err;
    }
  }
}

export { ResourceRegistry } from "./registry/registry.ts";
export type { ApiObject, ResourceDefinition, ResourceStrategy, Subresource, TableConvertor } from "./registry/types.ts";
