/**
 * The controller manager: one process running many controllers.
 *
 * A controller is a loop that makes the cluster look like what its objects
 * ask for: the replication controller keeps N pods per RC, the garbage
 * collector deletes pods whose owner is gone, and later chapters add the
 * endpoints controller (10) and the node lifecycle controller (12). Each is
 * a client of the apiserver like any other; they share one set of informers.
 *
 *   +------------------------ controller manager ------------------------+
 *   |  shared informers: pods, replicationcontrollers, ...  (list+watch) |
 *   |        | handlers: "key changed"                                   |
 *   |        v                                                           |
 *   |  replication controller: queue -> workers -> sync(key)             |
 *   |  garbage collector:      queue -> workers -> sync(key)             |
 *   |  ... (the controllers passed in: chapters 10, 12 add their own)     |
 *   +--------------------------------------------------------------------+
 *                 | POST/DELETE pods, PUT rc/status ...
 *                 v
 *             apiserver
 *
 * Start order matters: every controller first registers the informers and
 * handlers it needs, then the informers start and fill their caches, and
 * only then do the controllers' workers run. A controller that acted on an
 * empty cache would think the cluster empty (and create every pod again).
 */
import { RestClient } from "../../04-kubectl/client/rest.ts";
import { SharedInformers } from "./informers.ts";

/** What a controller gets when it is created. */
export interface ControllerContext {
  client: RestClient;
  informers: SharedInformers;
  log(line: string): void;
}

export interface Controller {
  readonly name: string;
  /** Starts the workers; called once the informers have synced. */
  run(): void;
  stop(): Promise<void>;
}

/** Makes a controller: registers its informers and handlers, starts nothing yet. */
export type ControllerFactory = (ctx: ControllerContext) => Controller;

/**
 * The controllers a manager runs, by name. There is no global list: each
 * chapter exports its own (`controllers()` in its index.ts) and whoever
 * starts the manager passes the union in, as kube-controller-manager's
 * NewControllerDescriptors() hands its map of controllers to Run().
 */
export type Controllers = Record<string, ControllerFactory>;

export interface ControllerManagerOptions {
  /** The apiserver, e.g. http://127.0.0.1:6443. */
  server: string;
  /** A bearer token (chapter 11). */
  token?: string;
  /** What to run: chapter 08's controllers() plus later chapters' (10: endpoints, 12: node-lifecycle). */
  controllers: Controllers;
  log?: (line: string) => void;
}

export class ControllerManager {
  readonly client: RestClient;
  readonly informers: SharedInformers;
  private readonly controllers: Controller[] = [];
  private readonly log: (line: string) => void;

  constructor(readonly options: ControllerManagerOptions) {
    this.log = options.log ?? (() => {});
    this.client = new RestClient({ server: options.server, token: options.token });
    this.informers = new SharedInformers(this.client, (err) => this.log(`controller-manager: informer: ${err.message}`));
  }

  /** The running controller of this name, for tests and tools. */
  controller<T extends Controller>(name: string): T | undefined {
    return this.controllers.find((c) => c.name === name) as T | undefined;
  }

  async start(): Promise<void> {
    const names = Object.keys(this.options.controllers);
    if (names.length === 0)
      throw new Error("a controller manager with no controllers: pass controllers() of chapter 08 (and of later chapters)");
    for (const [name, factory] of Object.entries(this.options.controllers)) {
      const log = (line: string) => this.log(`${name}: ${line}`);
      this.controllers.push(factory({ client: this.client, informers: this.informers, log }));
    }
    this.informers.start();
    await this.informers.waitForSync();
    for (const controller of this.controllers) controller.run();
    this.log(`controller-manager: running ${names.join(", ")}`);
  }

  async stop(): Promise<void> {
    await Promise.all(this.controllers.map((c) => c.stop()));
    await this.informers.stop();
  }
}
